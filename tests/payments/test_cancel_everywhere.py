"""Money from every channel through the one pipeline, and cancelled from anywhere (both DBs):
the code, the bank entry, the ledger and the audit trail stay true."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from paydesk.accounts import service as accounts
from paydesk.accounts.service import ContractSpec
from paydesk.audit.trail import history
from paydesk.bank import service as bank
from paydesk.bank.camt_writer import OutgoingCredit
from paydesk.bank.importer import import_file
from paydesk.bank.models import BankEntry
from paydesk.cashier import service as desk
from paydesk.codes import service as codes
from paydesk.codes.models import CodePayment
from paydesk.documents import service as documents
from paydesk.ledger.models import LedgerEntry
from paydesk.ledger.posting import account_balance, contract_balances
from paydesk.payments.models import Payment, Tender
from paydesk.settings import CashierSettings
from paydesk.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.bank.test_importer import TODAY, camt054, credit, eur


def _statuses(db, entity: str, entity_id: object) -> list[tuple[str | None, str]]:
    with db.reading() as s:
        return [(e.from_status, e.to_status) for e in history(s, entity, entity_id)]


def _only_payment(db) -> Payment:
    with db.reading() as s:
        return s.scalars(select(Payment).order_by(Payment.id.desc())).first()


def _entry(db, entry_id: int) -> BankEntry:
    with db.reading() as s:
        return s.get(BankEntry, entry_id)


def _cancel(db, payment_id: int, reason: str = "paid twice, refunded") -> None:
    with db.transaction() as s:
        desk.cancel_payment(s, payment_id, reason=reason, actor="sam")


def _reversal(rf: str, amount: str, ref: str) -> OutgoingCredit:
    return OutgoingCredit(
        amount=eur(amount),
        booking_date=TODAY,
        rf=rf,
        debtor_name="Nikos P.",
        debtor_bic="ETHNGRAA",
        end_to_end_id=f"E2E-{ref}",
        account_servicer_ref=f"REV-{ref}",
        reversal=True,
    )


def test_a_cancelled_bank_payment_gives_the_code_its_amount_back_and_holds_the_entry(db, world):
    import_file(
        db, camt054(credit(world["open"], "300.00", "R1")), name="n", origin="cli", actor="t"
    )
    payment = _only_payment(db)
    assert payment.status == "frozen"
    with db.reading() as s:
        entry_id = s.scalar(select(Tender.bank_entry_id).where(Tender.event_id == payment.event_id))
        assert account_balance(s, world["account_id"]) == 100000 + 4590 - 30000

    _cancel(db, payment.id)

    with db.reading() as s:
        code = codes.get(s, world["open"])
        assert (code.status, code.paid_minor) == ("active", 0)
        [listed] = s.scalars(select(CodePayment).where(CodePayment.code_id == code.id)).all()
        assert listed.status == "reversed"
        lines = s.scalars(select(LedgerEntry).where(LedgerEntry.payment_id == payment.id)).all()
        assert sorted(e.amount_minor for e in lines) == [-30000, 30000]
        assert account_balance(s, world["account_id"]) == 100000 + 4590
        tender = s.scalars(select(Tender).where(Tender.event_id == payment.event_id)).one()
        assert tender.status == "cancelled"
        event = desk.event_view(s, payment.event_id)
        assert event.status == "cancelled"
    entry = _entry(db, entry_id)
    assert entry.status == "unmatched" and "cancelled by sam" in entry.reason
    assert _statuses(db, "payment", payment.id) == [(None, "frozen"), ("frozen", "cancelled")]
    assert _statuses(db, "tender", tender.id) == [(None, "valid"), ("valid", "cancelled")]
    assert _statuses(db, "payment_code", world["open"])[-2:] == [
        ("active", "partially_paid"),
        ("partially_paid", "active"),
    ]
    assert _statuses(db, "bank_entry", entry_id) == [("matched", "unmatched")]

    # Held again, the entry is assigned again: a new tender records it, the code is paid.
    with db.transaction() as s:
        bank.assign(s, entry_id, world["open"], actor="sam", settings=_settings(db))
    again = _only_payment(db)
    assert again.id != payment.id and again.status == "frozen"
    with db.reading() as s:
        code = codes.get(s, world["open"])
        assert (code.status, code.paid_minor) == ("partially_paid", 30000)
    assert _entry(db, entry_id).status == "matched"

    # Then the bank takes the money back: the new payment is cancelled, the entry reversed.
    summary = import_file(
        db, camt054(_reversal(world["open"], "300.00", "R1")), name="r", origin="cli", actor="t"
    )
    assert summary.reversed == 1
    with db.reading() as s:
        assert s.get(Payment, again.id).status == "cancelled"
        code = codes.get(s, world["open"])
        assert (code.status, code.paid_minor) == ("active", 0)
        assert account_balance(s, world["account_id"]) == 100000 + 4590
    assert _entry(db, entry_id).status == "reversed"


def _settings(db):
    from paydesk.settings import Settings

    return Settings(database_url=db.url)


def test_a_bank_reversal_of_a_payment_cancelled_by_hand_changes_nothing(db, world):
    import_file(
        db, camt054(credit(world["open"], "300.00", "R1")), name="n", origin="cli", actor="t"
    )
    payment = _only_payment(db)
    _cancel(db, payment.id)
    with db.reading() as s:
        before = s.scalar(select(func.count()).select_from(LedgerEntry))
    summary = import_file(
        db, camt054(_reversal(world["open"], "300.00", "R1")), name="r", origin="cli", actor="t"
    )
    assert summary.reversed == 1
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == before
        code = codes.get(s, world["open"])
        assert (code.status, code.paid_minor) == ("active", 0)
        reversal = s.scalars(select(BankEntry).where(BankEntry.reversal.is_(True))).one()
        original = s.get(BankEntry, reversal.reverses_id)
        assert reversal.status == "reversal" and "nothing was posted" in reversal.reason
        assert original.status == "reversed"  # no longer waits to be assigned: the money left
    assert _statuses(db, "bank_entry", original.id) == [
        ("matched", "unmatched"),
        ("unmatched", "reversed"),
    ]


def test_an_assigned_entry_cancelled_goes_back_among_the_held_entries(db, world):
    import_file(
        db, camt054(credit("RF18539007547034", "25.00", "U1")), name="u", origin="cli", actor="t"
    )
    with db.reading() as s:
        held = s.scalars(select(BankEntry)).one()
    assert held.status == "unmatched"
    with db.transaction() as s:
        bank.assign(s, held.id, world["open"], actor="sam", settings=_settings(db))
    payment = _only_payment(db)
    assert payment.status == "frozen" and payment.payment_code_id is not None
    _cancel(db, payment.id, reason="assigned to the wrong code")
    entry = _entry(db, held.id)
    assert entry.status == "unmatched" and entry.code_id is None
    with db.reading() as s:
        assert codes.get(s, world["open"]).paid_minor == 0
    assert _statuses(db, "bank_entry", held.id) == [
        ("unmatched", "matched"),
        ("matched", "unmatched"),
    ]


def test_a_desk_bank_transfer_cancelled_is_reversed_and_audited(db, settings):
    with db.transaction() as s:
        customer = accounts.create_customer(s, name="Eleni")
        account = accounts.create_account(
            s,
            customer=customer,
            number="D-1",
            currency="EUR",
            customer_class="balance_forward",
            contracts=[ContractSpec("service", 10)],
        )
        documents.create(
            s,
            settings,
            account=account,
            kind="invoice",
            number="INV-9",
            amount=eur("80.00"),
            issue_date=TODAY,
            status="issued",
            actor="t",
        )
    request = desk.EventRequest(
        payments=[desk.PaymentRequest(account.id, "80.00")],
        tenders=[desk.TenderRequest("bank_transfer", external_reference="E2E-9")],
    )
    with db.transaction() as s:
        view = desk.add_one_time_payment(s, settings, request, actor="anna")
        [payment] = view.payments
    assert payment.status == "frozen"
    _cancel(db, payment.id, reason="transfer never arrived")
    with db.reading() as s:
        assert account_balance(s, account.id) == 8000
        assert s.get(Payment, payment.id).status == "cancelled"
    assert _statuses(db, "payment", payment.id) == [(None, "frozen"), ("frozen", "cancelled")]


def _two_same_priority(db, settings, *, overpayment: bool):
    """Contracts 1 and 2 with the same priority; contract 2's debt is the older one."""
    with db.transaction() as s:
        customer = accounts.create_customer(s, name="Giorgos")
        specs = [ContractSpec("first", 10), ContractSpec("second", 10)]
        if overpayment:
            specs.append(ContractSpec("excess", 99, is_overpayment=True))
        account = accounts.create_account(
            s,
            customer=customer,
            number=f"S-{int(overpayment)}",
            currency="EUR",
            customer_class="balance_forward",
            contracts=specs,
        )
        ids = {c.contract_type: c.id for c in accounts.contracts_of(s, account.id)}
        for kind, number, issued in (
            ("first", "N-1", date(2026, 3, 1)),
            ("second", "N-2", date(2026, 1, 1)),
        ):
            documents.create(
                s,
                settings,
                account=account,
                kind="invoice",
                number=f"{number}-{int(overpayment)}",
                amount=eur("50.00"),
                issue_date=issued,
                status="issued",
                actor="t",
                contract_id=ids[kind],
            )
        code = codes.issue_for_account(s, settings, account, actor="t")
        return account.id, ids, code.rf


def test_an_imported_credit_pays_the_oldest_debt_first_like_the_desk(db, settings):
    account_id, ids, rf = _two_same_priority(db, settings, overpayment=True)
    import_file(db, camt054(credit(rf, "50.00", "P1")), name="p", origin="cli", actor="t")
    with db.reading() as s:
        paid = contract_balances(s, account_id)
    assert paid[ids["second"]] == 0 and paid[ids["first"]] == 5000


def test_a_credit_that_cannot_be_distributed_is_kept_in_error_and_needs_attention(db, settings):
    strict = settings.model_copy(update={"cashier": CashierSettings(excess_policy="error")})
    account_id, _, rf = _two_same_priority(db, strict, overpayment=False)
    with db.transaction() as s:
        s.add(WebhookSubscription(url="http://127.0.0.1:9/hook", secret="s", event_types=["*"]))
    import_file(db, camt054(credit(rf, "200.00", "P2")), name="p", origin="cli", actor="t")
    payment = _only_payment(db)
    assert payment.status == "error" and "exceeds" in payment.error_message
    with db.reading() as s:
        assert account_balance(s, account_id) == 10000  # nothing posted …
        code = codes.get(s, rf)
        assert code.paid_minor == 20000  # … yet the money is on its code
        assert desk.event_view(s, payment.event_id).status == "needs_attention"
        assert payment.event_id in desk.events_needing_attention(s)
        types = set(s.scalars(select(WebhookDelivery.event_type)))
    assert {"payment.error", "payment_code.partially_paid"} <= types


def test_the_follow_up_list_is_served_by_the_api(client, keys, db, settings):
    with db.transaction() as s:
        customer = accounts.create_customer(s, name="Anna")
        account = accounts.create_account(
            s,
            customer=customer,
            number="F-1",
            currency="EUR",
            customer_class="balance_forward",
            contracts=[ContractSpec("service", 10)],
        )
    request = desk.EventRequest(
        payments=[
            desk.PaymentRequest(account.id, "10.00", match_type="invoice", match_value="X-404")
        ],
        tenders=[desk.TenderRequest("cash")],
    )
    with db.transaction() as s:
        view = desk.add_one_time_payment(s, settings, request, actor="anna")
    assert view.payments[0].status == "error" and view.status == "needs_attention"
    headers = {"Authorization": f"Bearer {keys['cashier']}"}
    listed = client.get("/v1/payment-events?needs_attention=true", headers=headers).json()
    assert [e["id"] for e in listed["items"]] == [view.event.id]
    assert listed["page"]["total"] == 1


@pytest.mark.parametrize(("match", "expected"), [(None, "100.00"), ("invoice", "30.00")])
def test_the_default_amount_follows_the_match(db, settings, match, expected):
    from paydesk.cashier import wallet

    with db.transaction() as s:
        customer = accounts.create_customer(s, name="Kostas")
        account = accounts.create_account(
            s,
            customer=customer,
            number=f"M-{match}",
            currency="EUR",
            customer_class="balance_forward",
            contracts=[ContractSpec("service", 10)],
        )
        for number, amount, issued in (
            ("I-1", "70.00", date(2026, 1, 1)),
            ("I-2", "30.00", date(2026, 2, 1)),
        ):
            documents.create(
                s,
                settings,
                account=account,
                kind="invoice",
                number=f"{number}-{match}",
                amount=eur(amount),
                issue_date=issued,
                status="issued",
                actor="t",
            )
        from paydesk.payments.distribution import Match

        proposed = wallet.amount_default(
            s, settings.cashier, account, match=Match("invoice", None) if match else None
        )
    assert str(proposed.amount) == expected


def test_the_audit_record_of_a_credit_says_its_event_and_source(db, world):
    from paydesk.audit.models import AuditEvent

    import_file(db, camt054(credit(world["open"], "5.00", "A1")), name="a", origin="cli", actor="t")
    payment = _only_payment(db)
    with db.reading() as s:
        record = s.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "payment", AuditEvent.entity_id == str(payment.id)
            )
        ).one()
    assert record.detail == {"event_id": payment.event_id, "source": "bank"}
