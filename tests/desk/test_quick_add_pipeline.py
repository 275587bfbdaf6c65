"""Quick add is one more channel of the one pipeline (pure): an RF paid at the desk plans the
same segments, ledger lines and statuses as the same credit from a bank file, and the code
lists it the same way, with the desk where a bank payment has its bank."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from paydesk.payments.plan import Intake, PaymentIn, Policy, TenderIn
from tests.payments.test_one_pipeline import (
    ACCOUNT,
    PAID_ON,
    _bank_intake,
    _code,
    _money_part,
    _plan,
    accounts,
)


def _quick_intake(code_id: int, amount: int) -> Intake:
    """What quick add builds for ``--rule rf --tender cash``: no match, the code named."""
    return Intake(
        source="desk",
        event_date=PAID_ON,
        actor="anna",
        tenders=(TenderIn("cash", amount, "EUR", payer_account_id=ACCOUNT),),
        payments=(PaymentIn(ACCOUNT, amount, "EUR", code_id=code_id),),
        desk_label="desk: anna",
    )


@settings(max_examples=200, deadline=None)
@given(accounts(), st.integers(1, 120_000), st.sampled_from(["overpayment_contract", "error"]))
def test_an_rf_at_the_desk_plans_as_the_same_credit_from_the_bank(account, amount, excess):
    debts, document_id = account
    code, policy = _code(document_id), Policy(excess)
    from_bank = _plan(debts, code, policy, _bank_intake(code, amount, held=False))
    at_desk = _plan(debts, code, policy, _quick_intake(code.id, amount))
    assert _money_part(at_desk) == _money_part(from_bank)
    [bank_listed] = from_bank.code_payments
    [desk_listed] = at_desk.code_payments
    assert (desk_listed.bank_name, desk_listed.bank_bic, desk_listed.bank_entry_id) == (
        "desk: anna",
        None,
        None,
    )
    assert desk_listed.amount_minor == bank_listed.amount_minor == amount
    assert at_desk.code_updates == from_bank.code_updates
    assert at_desk.bank_entry_updates == ()


def test_a_payment_taken_but_not_placed_is_planned_in_error_with_its_reason():
    from paydesk.payments.debts import AccountDebts, ContractTerms

    contracts = (ContractTerms(100, "service", 1, False),)
    debts = AccountDebts(ACCOUNT, "EUR", "balance_forward", contracts, {}, {(100, None): 5_000})
    code = _code(None)
    intake = _quick_intake(code.id, 5_000)
    held = intake._replace(
        payments=(PaymentIn(ACCOUNT, 5_000, "EUR", error="payment code RF… is cancelled"),)
    )
    plan = _plan(debts, code, Policy(), held)
    [payment] = plan.payments
    assert (payment.status, payment.error_message) == ("error", "payment code RF… is cancelled")
    assert plan.segments == () and plan.ledger == () and plan.code_payments == ()
    assert [w[0] for w in plan.webhooks] == ["payment.error"]
