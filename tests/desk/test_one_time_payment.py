"""Add one-time payment at the desk, on SQLite and PostgreSQL: the issue's rules, one by one."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from paydesk.audit.trail import history
from paydesk.auth.roles import Role
from paydesk.cashier import drawers, wallet
from paydesk.cashier import service as desk
from paydesk.cashier.errors import (
    CardTenderRefused,
    CashBackRefused,
    DrawerNotYours,
    InvalidTender,
    NoOpenDrawer,
    UnbalancedEvent,
)
from paydesk.cashier.options import payment_options
from paydesk.errors import Conflict, InvalidInput, InvalidTransition
from paydesk.ledger.models import LedgerEntry
from paydesk.payments.errors import InvalidManualDistribution, InvalidMatch
from paydesk.settings import CashierSettings, Settings
from tests.desk.helpers import balance, balances, build_account, euros, one, pay

T = desk.TenderRequest
IBAN = "GR1601101250000000012300695"
OTHER_IBAN = "DE89370400440532013000"


def with_cashier(settings: Settings, **changes) -> Settings:
    return settings.model_copy(update={"cashier": CashierSettings(**changes)})


def owing(db, settings, amount="100.00", **kw):
    return build_account(
        db, settings, invoices=[("service", "INV-1", amount, date(2026, 1, 10))], **kw
    )


def test_cheque_of_120_for_a_100_debt_gives_20_cash_back_and_freezes_100(db, settings):
    acc = owing(db, settings)
    view = pay(
        db, settings, one(acc.account_id, "100.00", T("cheque", "120.00", cheque_number="77"))
    )
    assert [(t.tender_type, t.amount_minor) for t in view.tenders] == [
        ("cheque", 12000),
        ("cash", -2000),
    ]
    [payment] = view.payments
    assert (payment.status, payment.amount_minor) == ("frozen", 10000)
    assert view.status == "ok" and view.balance.balanced
    assert balance(db, acc.account_id) == "0.00"


def test_cash_tender_larger_than_the_payment_is_refused(db, settings):
    acc = owing(db, settings)
    with pytest.raises(CashBackRefused, match="give the change at the drawer"):
        pay(db, settings, one(acc.account_id, "100.00", T("cash", "120.00")))
    assert balance(db, acc.account_id) == "100.00"


def test_tenders_short_of_the_payment_are_refused_as_unbalanced(db, settings):
    acc = owing(db, settings)
    with pytest.raises(UnbalancedEvent):
        pay(db, settings, one(acc.account_id, "100.00", T("cash", "60.00")))


def test_card_tender_is_refused_and_points_to_the_card_processor(db, settings):
    acc = owing(db, settings)
    with pytest.raises(CardTenderRefused, match="external card processor"):
        pay(db, settings, one(acc.account_id, "100.00", T("card", "100.00")))


def test_cheque_needs_its_number(db, settings):
    acc = owing(db, settings)
    with pytest.raises(InvalidTender, match="cheque number"):
        pay(db, settings, one(acc.account_id, "100.00", T("cheque", "100.00")))


def test_invoice_match_with_blank_value_pays_the_latest_invoice(db, settings):
    acc = build_account(
        db,
        settings,
        invoices=[
            ("service", "INV-1", "40.00", date(2026, 1, 5)),
            ("parts", "INV-2", "70.00", date(2026, 3, 1)),
        ],
    )
    view = pay(
        db,
        settings,
        one(acc.account_id, "70.00", T("cash"), match_type="invoice", match_value=" "),
    )
    [payment] = view.payments
    assert payment.status == "frozen"
    assert payment.document_id == acc.invoices["INV-2"]
    assert balances(db, acc.account_id) == {
        acc.contracts["service"]: 4000,
        acc.contracts["parts"]: 0,
    }


def test_invoice_match_by_number_pays_that_invoice(db, settings):
    acc = build_account(
        db,
        settings,
        invoices=[
            ("service", "INV-1", "40.00", date(2026, 1, 5)),
            ("parts", "INV-2", "70.00", date(2026, 3, 1)),
        ],
    )
    with db.reading() as s:
        from paydesk.documents.models import Document

        number = s.get(Document, acc.invoices["INV-1"]).number
    view = pay(
        db,
        settings,
        one(acc.account_id, "40.00", T("cash"), match_type="invoice", match_value=number),
    )
    assert view.payments[0].document_id == acc.invoices["INV-1"]
    assert balances(db, acc.account_id)[acc.contracts["service"]] == 0


def test_contract_match_touches_no_other_contract(db, settings):
    acc = build_account(
        db,
        settings,
        invoices=[
            ("service", "INV-1", "40.00", date(2026, 1, 5)),
            ("parts", "INV-2", "70.00", date(2026, 3, 1)),
        ],
    )
    parts = acc.contracts["parts"]
    view = pay(
        db,
        settings,
        one(acc.account_id, "100.00", T("cash"), match_type="contract", match_value=str(parts)),
    )
    assert view.payments[0].status == "frozen"
    after = balances(db, acc.account_id)
    assert after[acc.contracts["service"]] == 4000  # untouched
    assert after[parts] == 0
    assert after[acc.contracts["excess"]] == -3000  # the excess went to the overpayment contract


def test_without_match_contracts_are_paid_by_priority_then_oldest_debt(db, settings):
    acc = build_account(
        db,
        settings,
        invoices=[
            ("parts", "INV-1", "30.00", date(2025, 12, 1)),
            ("service", "INV-2", "50.00", date(2026, 2, 1)),
        ],
    )
    pay(db, settings, one(acc.account_id, "60.00", T("cash")))
    after = balances(db, acc.account_id)
    assert after[acc.contracts["service"]] == 0  # priority 10 first, though its debt is newer
    assert after[acc.contracts["parts"]] == 2000


def test_excess_goes_to_error_when_the_policy_says_so_and_the_message_is_kept(db, settings):
    strict = with_cashier(settings, excess_policy="error")
    acc = owing(db, strict)
    view = pay(db, strict, one(acc.account_id, "150.00", T("cash")))
    [payment] = view.payments
    assert payment.status == "error"
    assert "exceeds what it may pay by 50.00 EUR" in payment.error_message
    assert balance(db, acc.account_id) == "100.00"
    with db.transaction() as s:  # the cashier corrects the match and redistributes
        desk.cancel_payment(s, payment.id, reason="customer pays 100 only", actor="anna")


def test_open_item_account_must_name_an_invoice_or_contract(db, settings):
    acc = owing(db, settings, customer_class="open_item")
    with pytest.raises(InvalidMatch, match="open-item"):
        pay(db, settings, one(acc.account_id, "100.00", T("cash")))
    view = pay(db, settings, one(acc.account_id, "100.00", T("cash"), match_type="invoice"))
    assert view.payments[0].status == "frozen"


def test_non_cis_account_takes_name_reference_and_comments(db, settings):
    acc = owing(db, settings, customer_class="non_cis")
    with pytest.raises(InvalidInput, match="non-CIS"):
        pay(db, settings, one(acc.account_id, "100.00", T("cash")))
    view = pay(
        db,
        settings,
        one(
            acc.account_id,
            "100.00",
            T("cash"),
            non_cis_name="Walk-in payer",
            non_cis_reference="REF-9",
            non_cis_comments="paid for a neighbour",
        ),
    )
    [payment] = view.payments
    assert (payment.non_cis_name, payment.non_cis_reference) == ("Walk-in payer", "REF-9")


def test_non_cis_details_are_refused_on_a_customer_account(db, settings):
    acc = owing(db, settings)
    with pytest.raises(InvalidInput, match="non-CIS"):
        pay(db, settings, one(acc.account_id, "100.00", T("cash"), non_cis_name="Someone"))


def test_amount_defaults_to_the_payoff_balance(db, settings):
    acc = build_account(
        db,
        settings,
        invoices=[
            ("service", "INV-1", "40.00", date(2026, 1, 5)),
            ("parts", "INV-2", "70.00", date(2026, 3, 1)),
        ],
    )
    view = pay(db, settings, one(acc.account_id, None, T("cash")))
    assert view.payments[0].amount_minor == 11000
    assert balance(db, acc.account_id) == "0.00"


def test_second_amount_default_is_the_latest_invoices_open_amount(db, settings):
    latest = with_cashier(settings, amount_default="latest_invoice")
    acc = build_account(
        db,
        latest,
        invoices=[
            ("service", "INV-1", "40.00", date(2026, 1, 5)),
            ("parts", "INV-2", "70.00", date(2026, 3, 1)),
        ],
    )
    with db.reading() as s:
        options = payment_options(s, latest, acc.account_id)
    assert options.amount_default == euros("70.00")


def test_several_payee_accounts_in_one_event(db, settings):
    first, second = owing(db, settings, amount="30.00"), owing(db, settings, amount="45.00")
    request = desk.EventRequest(
        payments=[
            desk.PaymentRequest(first.account_id, "30.00"),
            desk.PaymentRequest(second.account_id, "45.00"),
        ],
        tenders=[T("cheque", "80.00", cheque_number="501")],
    )
    view = pay(db, settings, request)
    assert [p.status for p in view.payments] == ["frozen", "frozen"]
    assert [t.amount_minor for t in view.tenders] == [8000, -500]
    assert balance(db, first.account_id) == balance(db, second.account_id) == "0.00"


def test_manual_distribution_that_does_not_sum_is_refused(db, settings):
    acc = build_account(
        db,
        settings,
        invoices=[
            ("service", "INV-1", "40.00", date(2026, 1, 5)),
            ("parts", "INV-2", "70.00", date(2026, 3, 1)),
        ],
    )
    request = one(acc.account_id, "100.00", T("cash"))
    view = pay(
        db, settings, desk.EventRequest(request.payments, request.tenders, distribution="manual")
    )
    [payment] = view.payments
    assert payment.status == "incomplete"
    service, parts = acc.contracts["service"], acc.contracts["parts"]
    not_summing = pytest.raises(InvalidManualDistribution, match=r"sum to 90\.00 EUR")
    with not_summing, db.transaction() as s:
        desk.manual_distribution(s, payment.id, {service: "40.00", parts: "50.00"}, actor="anna")
    with db.transaction() as s:
        done = desk.manual_distribution(
            s, payment.id, {service: "30.00", parts: "70.00"}, actor="anna"
        )
        assert done.status == "frozen"
    assert balances(db, acc.account_id) == {service: 1000, parts: 0}


def test_frozen_payment_cannot_be_edited_only_cancelled_and_the_ledger_shows_the_reversal(
    db, settings
):
    acc = owing(db, settings)
    view = pay(db, settings, one(acc.account_id, "100.00", T("cash")))
    payment_id = view.payments[0].id
    with pytest.raises(InvalidTransition, match="only be cancelled"), db.transaction() as s:
        desk.distribute_payment(s, settings, payment_id, actor="anna")
    with pytest.raises(InvalidTransition), db.transaction() as s:
        desk.delete_payment(s, payment_id, actor="anna")
    with pytest.raises(InvalidInput, match="reason"), db.transaction() as s:
        desk.cancel_payment(s, payment_id, reason=" ", actor="anna")
    with db.transaction() as s:
        assert desk.cancel_payment(s, payment_id, reason="wrong account", actor="sam").status == (
            "cancelled"
        )
    with db.reading() as s:
        entries = s.scalars(
            select(LedgerEntry).where(LedgerEntry.payment_id == payment_id).order_by(LedgerEntry.id)
        ).all()
        trail = [(e.from_status, e.to_status) for e in history(s, "payment", payment_id)]
    assert [(e.kind, e.amount_minor) for e in entries] == [
        ("payment", -10000),
        ("payment_reversal", 10000),
    ]
    assert entries[1].reverses_id == entries[0].id
    # Created distributed and frozen in one step: one record for it, then the cancel.
    assert trail == [(None, "frozen"), ("frozen", "cancelled")]
    assert balance(db, acc.account_id) == "100.00"


def test_payments_not_frozen_can_be_deleted_and_the_event_is_listed_for_follow_up(db, settings):
    acc = owing(db, settings)
    request = one(acc.account_id, "100.00", T("cash"))
    view = pay(
        db, settings, desk.EventRequest(request.payments, request.tenders, distribution="manual")
    )
    with db.transaction() as s:
        desk.delete_payment(s, view.payments[0].id, actor="anna")
    with db.reading() as s:
        assert desk.unbalanced_events(s) == [view.event.id]
        assert desk.event_view(s, view.event.id).status == "unbalanced"


def test_bounced_cheque_cancels_the_frozen_payment_by_reversal_and_adds_cash_only_points(
    db, settings
):
    acc = owing(db, settings)
    view = pay(
        db, settings, one(acc.account_id, "100.00", T("cheque", "120.00", cheque_number="9"))
    )
    cheque = view.tenders[0]
    with db.transaction() as s:
        desk.cancel_tender(s, cheque.id, reason="cheque bounced", actor="sam", cash_only_points=2)
    assert balance(db, acc.account_id) == "100.00"
    with db.reading() as s:
        event = desk.event_view(s, view.event.id)
        assert event.payments[0].status == "cancelled"
        assert event.status == "unbalanced"  # the 20.00 cash back was handed out: follow up
        assert desk.unbalanced_events(s) == [view.event.id]
        [change] = wallet.point_history(s, acc.account_id)
        options = payment_options(s, settings, acc.account_id)
    assert (change.change, change.points_after, change.actor) == (2, 2, "sam")
    assert "cheque bounced" in change.reason
    assert options.cash_only is False  # 2 does not exceed the threshold 3


def test_cash_only_warning_when_points_exceed_the_threshold(db, settings):
    acc = owing(db, settings)
    with db.transaction() as s:
        wallet.change_cash_only_points(
            s, acc.account_id, 4, reason="two bounced cheques", actor="sam"
        )
    with db.reading() as s:
        assert payment_options(s, settings, acc.account_id).cash_only is True
    with pytest.raises(Conflict), db.transaction() as s:
        wallet.change_cash_only_points(s, acc.account_id, -5, reason="too many", actor="sam")


def test_a_new_iban_leaves_the_payment_incomplete_until_the_task_completes(db, settings):
    manual = with_cashier(settings, bank_account_validator="manual")
    acc = owing(db, manual)
    view = pay(
        db,
        manual,
        one(
            acc.account_id,
            "100.00",
            T("direct_debit", iban=IBAN, save_as_stored_method=True, account_kind="savings"),
        ),
    )
    [payment], [task] = view.payments, view.tasks
    assert (payment.status, task.status, view.status) == (
        "incomplete",
        "pending",
        "pending_validation",
    )
    assert view.tenders[0].iban_masked == "GR16 **** **** 0695"
    desk.run_validation(db, manual, task.id)  # the manual validator leaves it to a person
    with pytest.raises(Conflict, match="bank-account validation"), db.transaction() as s:
        desk.distribute_payment(s, manual, payment.id, actor="anna")
    assert balance(db, acc.account_id) == "100.00"
    with db.transaction() as s:
        desk.complete_task(s, manual, task.id, actor="sam")
    with db.reading() as s:
        done = desk.event_view(s, view.event.id)
        methods = wallet.stored_methods(s, acc.account_id)
    assert done.payments[0].status == "frozen" and done.tasks[0].status == "completed"
    assert done.tasks[0].iban is None  # the full IBAN is not kept once validated
    assert [(m.kind, m.iban_masked) for m in methods] == [("savings", "GR16 **** **** 0695")]
    assert balance(db, acc.account_id) == "0.00"
    # The same bank account again: known, so no new task.
    again = pay(db, manual, one(acc.account_id, "5.00", T("direct_debit", iban=IBAN)))
    assert again.tasks == [] and again.payments[0].status == "frozen"


def test_after_the_commit_the_new_accounts_are_validated_and_the_event_read_again(db, settings):
    acc = owing(db, settings)
    view = pay(db, settings, one(acc.account_id, "100.00", T("direct_debit", iban=IBAN)))
    assert view.payments[0].status == "incomplete"
    validated = desk.validate_and_reread(db, settings, view.event.id, [view.tasks[0].id])
    assert validated.not_run == {}
    assert (validated.view.tasks[0].status, validated.view.payments[0].status) == (
        "completed",
        "frozen",
    )
    # A validator that cannot run leaves its task pending and says why.
    broken = with_cashier(settings, bank_account_validator="http")
    second = pay(db, broken, one(acc.account_id, "5.00", T("direct_debit", iban=OTHER_IBAN)))
    task_id = second.tasks[0].id
    again = desk.validate_and_reread(db, broken, second.event.id, [task_id])
    assert list(again.not_run) == [task_id] and "bank_verification_url" in again.not_run[task_id]
    assert again.view.tasks[0].status == "pending"


def test_a_rejected_bank_account_cancels_the_event(db, settings):
    manual = with_cashier(settings, bank_account_validator="manual")
    acc = owing(db, manual)
    view = pay(db, manual, one(acc.account_id, "100.00", T("direct_debit", iban=OTHER_IBAN)))
    with db.transaction() as s:
        desk.reject_task(s, view.tasks[0].id, actor="sam", reason="holder name differs")
    with db.reading() as s:
        done = desk.event_view(s, view.event.id)
    assert done.status == "cancelled"
    assert [t.status for t in done.tenders] == ["cancelled"]
    assert [p.status for p in done.payments] == ["cancelled"]
    assert "holder name differs" in done.payments[0].cancel_reason
    assert balance(db, acc.account_id) == "100.00"
    # Rejected is not "seen before": the next use is validated again.
    second = pay(db, manual, one(acc.account_id, "10.00", T("direct_debit", iban=OTHER_IBAN)))
    assert len(second.tasks) == 1


def test_the_default_structural_validator_completes_a_well_formed_iban(db, settings):
    acc = owing(db, settings)
    view = pay(db, settings, one(acc.account_id, "100.00", T("direct_debit", iban=IBAN)))
    task = desk.run_validation(db, settings, view.tasks[0].id)
    assert (task.status, task.result, task.validator) == (
        "completed",
        "structural_ok",
        "structural",
    )
    assert balance(db, acc.account_id) == "0.00"


def test_stored_method_tender_needs_an_active_method_of_the_payer(db, settings):
    acc = owing(db, settings)
    other = owing(db, settings)
    with db.transaction() as s:
        method = wallet.add_stored_method(
            s, settings, account_id=other.account_id, iban=IBAN, holder_name="X", actor="anna"
        )
    with pytest.raises(InvalidTender, match="stored method"):
        pay(
            db,
            settings,
            one(acc.account_id, "100.00", T("stored_method", stored_method_id=method.id)),
        )
    with db.transaction() as s:
        mine = wallet.add_stored_method(
            s, settings, account_id=acc.account_id, iban=IBAN, holder_name="M", actor="anna"
        )
    view = pay(
        db, settings, one(acc.account_id, "100.00", T("stored_method", stored_method_id=mine.id))
    )
    assert view.tasks == [] and view.payments[0].status == "frozen"


def test_drawer_close_compares_expected_and_counted_per_tender_type(db, settings):
    acc = owing(db, settings, amount="500.00")
    with db.transaction() as s:
        drawer = drawers.open_drawer(s, cashier="anna", float_amount=euros("50.00"))
    pay(db, settings, one(acc.account_id, "100.00", T("cheque", "120.00", cheque_number="1")))
    pay(db, settings, one(acc.account_id, "30.00", T("cash")))
    with pytest.raises(Conflict), db.transaction() as s:
        drawers.open_drawer(s, cashier="anna", float_amount=euros("10.00"))
    with db.transaction() as s:
        closed, result = drawers.close_drawer(
            s,
            drawer.id,
            counted={"cash": euros("55.00"), "cheque": euros("120.00")},
            actor="anna",
            role=Role.CASHIER,
        )
    assert result.differences == {"cash": euros("-5.00"), "cheque": euros("0.00")}
    assert closed.expected == {"cash": 6000, "cheque": 12000}  # 50 float + 30 − 20 cash back
    assert closed.difference == {"cash": -500, "cheque": 0}
    with pytest.raises(Conflict), db.transaction() as s:
        drawers.close_drawer(s, drawer.id, counted={}, actor="anna", role=Role.CASHIER)


def test_only_the_drawers_cashier_or_a_supervisor_closes_it(db, settings):
    with db.transaction() as s:
        drawer = drawers.open_drawer(s, cashier="anna", float_amount=euros("50.00"))
    with pytest.raises(DrawerNotYours) as refused, db.transaction() as s:
        drawers.close_drawer(s, drawer.id, counted={}, actor="bob", role=Role.CASHIER)
    assert (refused.value.slug, refused.value.status) == ("drawer-not-yours", 403)
    assert refused.value.extra == {"drawer_id": drawer.id, "cashier": "anna"}
    with db.reading() as s:
        assert drawers.get_drawer(s, drawer.id).status == "open"
    with db.transaction() as s:
        closed, _ = drawers.close_drawer(
            s, drawer.id, counted={"cash": euros("50.00")}, actor="sam", role=Role.SUPERVISOR
        )
    assert closed.status == "closed"


def test_a_required_drawer_refuses_tenders_without_an_open_session(db, settings):
    strict = with_cashier(settings, require_open_drawer=True)
    acc = owing(db, strict)
    with pytest.raises(NoOpenDrawer, match="cash-drawer") as refused:
        pay(db, strict, one(acc.account_id, "100.00", T("cash")))
    assert (refused.value.slug, refused.value.status) == ("no-open-drawer", 409)
    assert refused.value.extra == {"cashier": "anna", "currency": "EUR"}


def test_an_invoice_match_pays_the_invoices_contract_first_and_cancel_reverses(db, settings):
    acc = build_account(
        db,
        settings,
        invoices=[
            ("service", "INV-1", "40.00", date(2026, 1, 5)),
            ("parts", "INV-2", "70.00", date(2026, 3, 1)),
        ],
    )
    number = f"INV-2-{acc.account_id}"
    with db.reading() as s:
        from paydesk.documents.models import Document

        number = s.get(Document, acc.invoices["INV-2"]).number
    view = pay(
        db,
        settings,
        one(
            acc.account_id,
            "80.00",
            T("bank_transfer", external_reference="E2E-1"),
            match_type="invoice",
            match_value=number,
        ),
    )
    [payment] = view.payments
    assert payment.status == "frozen" and payment.document_id == acc.invoices["INV-2"]
    after = balances(db, acc.account_id)
    assert after[acc.contracts["parts"]] == 0
    assert after[acc.contracts["service"]] == 4000  # not touched by a document's payment
    assert after[acc.contracts["excess"]] == -1000
    with db.transaction() as s:
        desk.cancel_payment(s, payment.id, reason="returned by the bank", actor="bank")
    assert balance(db, acc.account_id) == "110.00"


def test_a_payment_in_error_keeps_its_message_until_redistributed_with_a_new_match(db, settings):
    acc = owing(db, settings)
    view = pay(
        db,
        settings,
        one(acc.account_id, "100.00", T("cash"), match_type="contract", match_value="999999"),
    )
    [payment] = view.payments
    assert payment.status == "error"
    assert payment.error_message == "contract '999999' is not one of the account's contracts"
    service = str(acc.contracts["service"])
    with db.transaction() as s:
        fixed = desk.distribute_payment(
            s,
            settings,
            payment.id,
            actor="anna",
            match_type="contract",
            match_value=service,
            change_match=True,
        )
        assert (fixed.status, fixed.error_message) == ("freezable", None)
        desk.freeze_payment(s, payment.id, actor="anna")
    assert balance(db, acc.account_id) == "0.00"
