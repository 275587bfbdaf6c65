"""Collections by day, channel and paying bank, and the counts of work waiting (both DBs)."""

from __future__ import annotations

import io
from datetime import date, timedelta

from paydesk.bank.camt_writer import OutgoingCredit, write_camt054
from paydesk.bank.importer import import_file
from paydesk.cashier import service as desk
from paydesk.codes import service as codes
from paydesk.db.engine import Database
from paydesk.documents import service as documents
from paydesk.money import Money
from paydesk.reporting import collections, work
from paydesk.settings import Settings
from tests.desk.helpers import build_account, one, pay

TODAY = date.today()


def _counter_invoice_code(db: Database, settings: Settings, account_id: int, number: str) -> str:
    from paydesk.accounts import service as accounts

    with db.transaction() as session:
        made = documents.create(
            session,
            settings,
            account=accounts.get_account(session, account_id),
            kind="counter_invoice",
            number=number,
            amount=Money.parse("45.90", "EUR"),
            issue_date=TODAY,
            status="issued",
            actor="test",
        )
        assert made.code is not None
        return made.code.rf


def bank_credit(
    db: Database, rf_code: str, amount: str, bic: str, day: date, ref: str, status: str = "matched"
) -> None:
    """One camt.054 credit on ``rf_code`` from the bank ``bic``, imported as ``status``."""
    data = io.BytesIO()
    write_camt054(
        [
            OutgoingCredit(
                amount=Money.parse(amount, "EUR"),
                booking_date=day,
                rf=rf_code,
                debtor_name="Maria Papadopoulou",
                debtor_bic=bic,
                end_to_end_id=f"E2E-{ref}",
                account_servicer_ref=f"ASR-{ref}",
            )
        ],
        data,
        version="001.08",
        account_iban="GR1601101250000000012300695",
        message_id=f"MSG-{ref}",
    )
    summary = import_file(db, data.getvalue(), name=f"{ref}.xml", origin="cli", actor="test")
    assert summary.counts()[status] == 1


def test_collections_count_desk_and_bank_payments_by_channel_and_paying_bank(
    db: Database, settings: Settings
):
    built = build_account(db, settings, contracts=[("service", 10)])
    pay(db, settings, one(built.account_id, "30.00", desk.TenderRequest("cash")))
    pay(
        db,
        settings,
        desk.EventRequest(
            payments=[desk.PaymentRequest(built.account_id, "12.00")],
            tenders=[desk.TenderRequest("cash")],
            event_date=TODAY - timedelta(days=40),  # before this month and the chart
        ),
    )
    cancelled = pay(db, settings, one(built.account_id, "99.00", desk.TenderRequest("cash")))
    with db.transaction() as session:
        desk.cancel_payment(
            session, cancelled.payments[0].id, reason="keyed twice", actor="supervisor"
        )
    rf_code = _counter_invoice_code(db, settings, built.account_id, "CI-REP-1")
    bank_credit(db, rf_code, "45.90", "ETHNGRAA", TODAY, "REP-1")

    with db.reading() as session:
        today = collections.period(session, TODAY, TODAY)
        days = collections.daily(session, TODAY, "EUR", 30)

    assert [(t.currency, t.minor, t.count) for t in today.totals] == [("EUR", 7590, 2)]
    assert {t.label: t.minor for t in today.by_channel} == {"bank": 4590, "desk": 3000}
    assert [(t.label, t.minor) for t in today.by_bank] == [("NATIONAL BANK OF GREECE S.A.", 4590)]
    assert len(days) == 30 and days[-1].day == TODAY and days[0].day == TODAY - timedelta(29)
    assert (days[-1].minor, days[-1].count) == (7590, 2)
    assert sum(d.minor for d in days) == 7590  # the payment of 40 days ago is not in the chart


def test_work_waiting_counts_held_entries_attention_and_expiring_codes(
    db: Database, settings: Settings
):
    built = build_account(db, settings, contracts=[("service", 10)])
    with db.reading() as session:
        before = work.waiting(session, TODAY)
    assert before == work.Waiting(0, 0, 0, 0, 0, 0, 0)

    # A bank credit for a code that does not exist is held.
    bank_credit(db, "RF18539007547034", "10.00", "ETHNGRAA", TODAY, "HELD-1", "unmatched")
    # A manual distribution leaves the payment "incomplete": it needs a person.
    pay(
        db,
        settings,
        desk.EventRequest(
            payments=[desk.PaymentRequest(built.account_id, "5.00")],
            tenders=[desk.TenderRequest("cash")],
            distribution="manual",
        ),
    )
    with db.transaction() as session:
        from paydesk.accounts import service as accounts

        order = documents.create(
            session,
            settings,
            account=accounts.get_account(session, built.account_id),
            kind="vehicle_order",
            number="VO-EXP-1",
            amount=Money.parse("900.00", "EUR"),
            issue_date=TODAY,
            actor="test",
        )
        code = codes.issue_for_document(session, settings, order.document, actor="t").code
        code.expires_on = TODAY + timedelta(days=3)
    with db.reading() as session:
        after = work.waiting(session, TODAY)
        attention = work.events_needing_attention(session, limit=10)
    assert after.held_bank_entries == 1
    assert after.payments_needing_attention == 1 and len(attention) == 1
    assert after.codes_expiring == 1
    with db.reading() as session:
        assert work.waiting(session, TODAY - timedelta(days=10)).codes_expiring == 0
