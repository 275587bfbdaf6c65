"""Importing camt files: matching RF codes, posting, holding, duplicates, reversals (both DBs)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from paydesk.accounts import service as accounts
from paydesk.accounts.service import ContractSpec
from paydesk.bank.camt import InvalidBankFile
from paydesk.bank.camt_writer import OutgoingCredit, write_camt053, write_camt054
from paydesk.bank.importer import import_file
from paydesk.bank.models import BankEntry, BankFile
from paydesk.codes import service as codes
from paydesk.codes.models import PaymentCode
from paydesk.documents import service as documents
from paydesk.ledger.posting import account_balance
from paydesk.money import Money
from paydesk.payments.models import Payment

FILES = Path(__file__).parent / "files"
IBAN = "GR1601101250000000012300695"
TODAY = date.today()


def eur(text: str) -> Money:
    return Money.parse(text, "EUR")


@pytest.fixture
def world(db, settings):
    """An account with an open code (vehicle order 1000), a fixed one (counter invoice 45.90)."""
    with db.transaction() as session:
        customer = accounts.create_customer(session, name="Nikos")
        account = accounts.create_account(
            session,
            customer=customer,
            number="A-1",
            currency="EUR",
            customer_class="balance_forward",
            contracts=[ContractSpec("sales", 10), ContractSpec("excess", 99, True)],
        )
        vo = documents.create(
            session,
            settings,
            account=account,
            kind="vehicle_order",
            number="VO-1",
            amount=eur("1000.00"),
            issue_date=TODAY,
            actor="t",
        )
        open_code = codes.issue_for_document(session, settings, vo.document, actor="t").code
        ci = documents.create(
            session,
            settings,
            account=account,
            kind="counter_invoice",
            number="CI-1",
            amount=eur("45.90"),
            issue_date=TODAY,
            status="issued",
            actor="t",
        )
        return {"account_id": account.id, "open": open_code.rf, "fixed": ci.code.rf}


def camt054(*credits: OutgoingCredit, version: str = "001.08") -> bytes:
    out = io.BytesIO()
    write_camt054(list(credits), out, version=version, account_iban=IBAN, message_id="M-1")
    return out.getvalue()


def credit(rf: str | None, amount: str, ref: str, **kw) -> OutgoingCredit:
    return OutgoingCredit(
        amount=eur(amount),
        booking_date=kw.pop("on", TODAY),
        rf=rf,
        debtor_name="Nikos P.",
        debtor_bic="ETHNGRAA",
        end_to_end_id=f"E2E-{ref}",
        account_servicer_ref=ref,
        **kw,
    )


def code(db, rf: str) -> PaymentCode:
    with db.reading() as session:
        return codes.get(session, rf)


def test_open_code_paid_twice_and_fixed_code_once_are_posted_with_bank_and_date(db, world):
    data = camt054(
        credit(world["open"], "300.00", "R1"),
        credit(world["open"], "200.00", "R2"),
        credit(world["fixed"], "45.90", "R3"),
    )
    summary = import_file(db, data, name="n.xml", origin="cli", actor="t")
    assert (summary.matched, summary.unmatched, summary.duplicates) == (3, 0, 0)
    open_code, fixed = code(db, world["open"]), code(db, world["fixed"])
    assert (open_code.status, open_code.paid_minor) == ("partially_paid", 50000)
    assert (fixed.status, fixed.paid_minor) == ("paid", 4590)
    with db.reading() as session:
        listed = codes.payments_of(session, open_code.id)
        assert [(p.paid_on, p.bank_bic, p.amount_minor) for p in listed] == [
            (TODAY, "ETHNGRAA", 30000),
            (TODAY, "ETHNGRAA", 20000),
        ]
        assert listed[0].bank_name  # the paying bank's name, from the BIC registry
        assert account_balance(session, world["account_id"]) == 100000 + 4590 - 54590
        assert (
            session.scalar(
                select(func.count()).select_from(Payment).where(Payment.status == "frozen")
            )
            == 3
        )


def test_the_same_file_twice_counts_once(db, world):
    data = camt054(credit(world["open"], "300.00", "R1"))
    import_file(db, data, name="a.xml", origin="cli", actor="t")
    again = import_file(db, data, name="a.xml", origin="cli", actor="t")
    assert (again.matched, again.duplicates) == (0, 1)
    assert code(db, world["open"]).paid_minor == 30000


def test_a_notification_then_a_statement_of_the_same_credit_counts_once(db, world):
    c = credit(world["open"], "300.00", "R1")
    import_file(db, camt054(c), name="n.xml", origin="cli", actor="t")
    out = io.BytesIO()
    write_camt053([c], out, version="001.02", account_iban=IBAN, message_id="S-1")
    statement = import_file(db, out.getvalue(), name="s.xml", origin="cli", actor="t")
    assert statement.duplicates == 1 and statement.matched == 0
    assert code(db, world["open"]).paid_minor == 30000


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda w: credit("RF18539007547034", "10.00", "U1"), "unknown RF"),
        (
            lambda w: credit(None, "10.00", "U2", remittance_text="RF17 5390 0754 7034"),
            "invalid RF",
        ),
        (lambda w: credit(None, "10.00", "U3", remittance_text="thanks"), "no RF"),
        (lambda w: credit(w["fixed"], "40.00", "U4"), "asks for 45.90 EUR"),
    ],
)
def test_credits_that_cannot_be_matched_are_held_with_their_reason(db, world, make, reason):
    published: list[str] = []
    summary = import_file(
        db,
        camt054(make(world)),
        name="u.xml",
        origin="cli",
        actor="t",
        publish=lambda _s, events: published.extend(e for e, _ in events),
    )
    assert summary.unmatched == 1 and summary.matched == 0
    with db.reading() as session:
        held = session.scalars(select(BankEntry)).one()
        assert held.status == "unmatched" and reason in held.reason
        assert session.scalar(select(func.count()).select_from(Payment)) == 0
    assert published == ["bank_entry.unmatched"]


def test_a_payment_to_a_cancelled_or_expired_code_is_held(db, world):
    with db.transaction() as session:
        codes.cancel(session, world["fixed"], reason="paid cash", actor="t")
        row = codes.get(session, world["open"])
        row.expires_on = TODAY - timedelta(days=1)
    summary = import_file(
        db,
        camt054(credit(world["fixed"], "45.90", "C1"), credit(world["open"], "5.00", "C2")),
        name="c.xml",
        origin="cli",
        actor="t",
    )
    assert summary.unmatched == 2
    with db.reading() as session:
        reasons = sorted(session.scalars(select(BankEntry.reason)))
    assert any("cancelled" in r for r in reasons) and any("expired" in r for r in reasons)


def test_a_reversal_cancels_the_payment_and_restores_the_code(db, world):
    import_file(
        db, camt054(credit(world["fixed"], "45.90", "R1")), name="1", origin="cli", actor="t"
    )
    assert code(db, world["fixed"]).status == "paid"
    back = credit(world["fixed"], "45.90", "R1-REV", reversal=True)
    back = OutgoingCredit(
        **{**{f: getattr(back, f) for f in back.__slots__}, "end_to_end_id": "E2E-R1"}
    )
    summary = import_file(db, camt054(back), name="2", origin="cli", actor="t")
    assert summary.reversed == 1
    restored = code(db, world["fixed"])
    assert (restored.status, restored.paid_minor) == ("active", 0)
    with db.reading() as session:
        assert session.scalar(select(Payment.status)) == "cancelled"
        assert account_balance(session, world["account_id"]) == 100000 + 4590
        statuses = sorted(session.scalars(select(BankEntry.status)))
    assert statuses == ["reversal", "reversed"]


def test_an_overpaid_open_code_is_posted_and_marked_overpaid(db, world):
    summary = import_file(
        db, camt054(credit(world["open"], "1200.00", "O1")), name="o", origin="cli", actor="t"
    )
    assert summary.matched == 1
    assert code(db, world["open"]).status == "overpaid"
    with db.reading() as session:
        # 1000 pays the vehicle order's contract; 200 goes to the overpayment contract.
        assert account_balance(session, world["account_id"]) == 4590 - 20000


def test_pending_entries_are_ignored_and_post_later_when_booked(db, world):
    pending = credit(world["open"], "10.00", "P1", status="PDNG")
    first = import_file(db, camt054(pending), name="p", origin="cli", actor="t")
    assert first.ignored == 1 and first.matched == 0
    booked = credit(world["open"], "10.00", "P1")
    assert import_file(db, camt054(booked), name="b", origin="cli", actor="t").matched == 1


@pytest.mark.parametrize(
    "name", ["malformed.xml", "xxe.xml", "billion_laughs.xml", "pain001_not_camt.xml"]
)
def test_a_bad_file_posts_nothing_and_is_recorded_as_failed(db, world, name):
    with pytest.raises(InvalidBankFile):
        import_file(db, FILES / name, name=name, origin="cli", actor="t")
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(BankEntry)) == 0
        failed = session.scalars(select(BankFile)).one()
        assert failed.status == "failed" and failed.error


def test_a_file_malformed_after_good_entries_posts_none_of_them(db, world):
    good = camt054(credit(world["open"], "300.00", "G1"))
    broken = good.replace(b"</Document>", b"<Oops></Document>")
    with pytest.raises(InvalidBankFile):
        import_file(db, broken, name="x", origin="cli", actor="t")
    assert code(db, world["open"]).paid_minor == 0


def test_one_broken_entry_is_rejected_and_the_good_one_posts(db, world):
    summary = import_file(db, FILES / "one_broken_entry.xml", name="b", origin="cli", actor="t")
    assert summary.rejected == 1
    assert summary.unmatched == 1  # the good entry's RF is not one of this installation's codes
    with db.reading() as session:
        rejected = session.scalars(select(BankEntry).where(BankEntry.status == "rejected")).one()
        assert "decimal" in rejected.reason or "20.005" in rejected.reason


def test_an_rf_typed_in_the_unstructured_text_is_found_and_matched(db, world):
    spaced = " ".join(world["open"][i : i + 4] for i in range(0, len(world["open"]), 4)).lower()
    summary = import_file(
        db,
        camt054(credit(None, "5.00", "T1", remittance_text=f"pay {spaced}")),
        name="t",
        origin="cli",
        actor="t",
    )
    assert summary.matched == 1


def test_each_credit_raises_webhook_events_in_the_import_transaction(db, world):
    from paydesk.webhooks.models import WebhookDelivery, WebhookSubscription

    with db.transaction() as session:
        session.add(
            WebhookSubscription(
                url="http://127.0.0.1:9/hook", secret="s" * 32, event_types=["*"], active=True
            )
        )
    import_file(
        db,
        camt054(
            credit(world["open"], "300.00", "W1"),
            credit(world["open"], "700.00", "W2"),
            credit("RF18539007547034", "1.00", "W3"),
        ),
        name="w",
        origin="cli",
        actor="t",
    )
    with db.reading() as session:
        events = [
            (d.event_type, d.payload.get("status"))
            for d in session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))
        ]
    assert ("payment_code.partially_paid", "partially_paid") in events
    assert ("payment_code.paid", "paid") in events
    assert ("bank_entry.unmatched", None) in events
    assert sum(1 for e, _ in events if e == "payment.frozen") == 2


def test_a_rejected_entry_sent_again_correctly_is_not_a_duplicate(db, world):
    import_file(db, FILES / "one_broken_entry.xml", name="b1", origin="cli", actor="t")
    again = import_file(db, FILES / "one_broken_entry.xml", name="b2", origin="cli", actor="t")
    assert (again.rejected, again.duplicates) == (1, 1)  # the good entry counts once
    fixed = (FILES / "one_broken_entry.xml").read_bytes().replace(b"20.005", b"20.05")
    corrected = import_file(db, fixed, name="b3", origin="cli", actor="t")
    assert corrected.rejected == 0 and corrected.unmatched == 1


def test_a_document_from_a_long_feed_url_is_recorded_as_from_the_feed(db, settings, world):
    from paydesk.bank.importer import import_document

    source = "feed:https://gateway.bank.example/very/long/path/to/the/notification/feed"
    data = camt054(credit(world["fixed"], "45.90", "R-FEED"))
    summary = import_document(db, settings, data, source=source, actor="bank-feed")
    assert summary.matched == 1
    with db.reading() as session:
        record = session.get(BankFile, summary.file_id)
        assert (record.source, record.name) == ("feed", f"{source} document")
