"""One pipeline: the same money gives the same plan, whichever way it arrives (pure).

For random accounts (contracts, priorities, documents with dates, partial payments,
overpayment contract or not), either excess policy and random amounts, a bank credit on a
code, the same credit held and assigned by hand, and the same money taken at the desk as a
bank transfer naming the code's document are planned; their segments, ledger lines and
statuses are equal.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from paydesk.bank.credits import credit_intake
from paydesk.codes.status import CodeState
from paydesk.payments.debts import AccountDebts, ChargedDocument, ContractTerms
from paydesk.payments.distribution import Match
from paydesk.payments.plan import Ids, Intake, PaymentIn, Planner, Policy, TenderIn

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PAID_ON = date(2026, 11, 30)
ACCOUNT = 7


@st.composite
def accounts(draw):
    """An account's debts, and the document a code is issued for (or None: an account code)."""
    n = draw(st.integers(1, 4))
    contracts = [
        ContractTerms(100 + i, f"type{i}", draw(st.integers(1, 3)), False) for i in range(n)
    ]
    if draw(st.booleans()):
        contracts.append(ContractTerms(199, "excess", 99, True))
    documents: dict[int, ChargedDocument] = {}
    sums: dict[tuple[int, int | None], int] = {}
    for i, contract in enumerate(contracts[:n]):
        for j in range(draw(st.integers(0, 3))):
            doc_id = 1000 + 10 * i + j
            issued = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 300)))
            due = issued + timedelta(days=draw(st.integers(0, 30))) if draw(st.booleans()) else None
            documents[doc_id] = ChargedDocument(doc_id, f"INV-{doc_id}", contract.id, issued, due)
            charge = draw(st.integers(1, 50_000))
            paid = draw(st.integers(0, charge)) if draw(st.booleans()) else 0
            sums[(contract.id, doc_id)] = charge - paid
        if draw(st.booleans()):  # a payment that named no document, or a charge of its own
            sums[(contract.id, None)] = draw(st.integers(-20_000, 20_000))
    debts = AccountDebts(ACCOUNT, "EUR", "balance_forward", tuple(contracts), documents, sums)
    document_id = (
        draw(st.sampled_from(sorted(documents))) if documents and draw(st.booleans()) else None
    )
    return debts, document_id


def _code(document_id: int | None, paid: int = 0) -> CodeState:
    return CodeState(
        5, "RF18539007547034", "active", "open", None, paid, "EUR", ACCOUNT, document_id, None
    )


def _desk_intake(debts: AccountDebts, document_id: int | None, amount: int) -> Intake:
    match = Match("invoice", debts.documents[document_id].number) if document_id else None
    return Intake(
        source="desk",
        event_date=PAID_ON,
        actor="anna",
        tenders=(
            TenderIn(
                "bank_transfer", amount, "EUR", payer_account_id=ACCOUNT, external_reference="E2E"
            ),
        ),
        payments=(PaymentIn(ACCOUNT, amount, "EUR", match=match),),
    )


def _bank_intake(code: CodeState, amount: int, *, held: bool) -> Intake:
    return credit_intake(
        bank_entry_id=42,
        code=code,
        amount_minor=amount,
        currency="EUR",
        paid_on=PAID_ON,
        payer_name="Nikos P.",
        bank_bic="ETHNGRAA",
        bank_name="National Bank of Greece",
        reference="E2E",
        actor="bank",
        held=held,
    )


def _plan(debts, code, policy, intake):
    planner = Planner({ACCOUNT: debts}, {code.id: code}, policy=policy, now=NOW)
    return planner.intake(intake, Ids(1, (2,), (3,)))


def _money_part(plan):
    [payment] = plan.payments
    return (
        payment.status,
        payment.error_message,
        payment.document_id,
        plan.segments,
        plan.ledger,
    )


@settings(max_examples=300, deadline=None)
@given(
    accounts(),
    st.integers(1, 120_000),
    st.sampled_from(["overpayment_contract", "error"]),
)
def test_a_credit_plans_the_same_from_a_file_an_assignment_and_the_desk(account, amount, excess):
    debts, document_id = account
    code, policy = _code(document_id), Policy(excess)
    imported = _plan(debts, code, policy, _bank_intake(code, amount, held=False))
    assigned = _plan(debts, code, policy, _bank_intake(code, amount, held=True))
    at_desk = _plan(debts, code, policy, _desk_intake(debts, document_id, amount))
    assert _money_part(imported) == _money_part(assigned) == _money_part(at_desk)

    [payment] = imported.payments
    # Money received is never refused: posted in full, or kept in error for a person.
    assert payment.status in ("frozen", "error")
    if payment.status == "frozen":
        assert sum(s.amount_minor for s in imported.segments) == amount
        assert sum(line.amount_minor for line in imported.ledger) == -amount
    else:
        assert imported.segments == () and imported.ledger == () and payment.error_message
    # Either way the code lists the money and counts it as paid.
    [listed] = imported.code_payments
    assert listed.amount_minor == amount and listed.bank_entry_id == 42
    assert imported.code_updates[-1].paid_minor == amount
    # The assignment also moves the held entry, with an audit record from "unmatched".
    assert [u.status for u in assigned.bank_entry_updates] == ["matched"]
    assert ("bank_entry", "unmatched", "matched") in {
        (a.entity_type, a.from_status, a.to_status) for a in assigned.audit
    }


@settings(max_examples=200, deadline=None)
@given(accounts(), st.integers(1, 120_000))
def test_ledger_lines_never_put_more_on_a_document_than_is_open_on_it(account, amount):
    debts, document_id = account
    code = _code(document_id)
    plan = _plan(debts, code, Policy(), _bank_intake(code, amount, held=False))
    for doc in {line.document_id for line in plan.ledger} - {None}:
        tagged = -sum(line.amount_minor for line in plan.ledger if line.document_id == doc)
        assert tagged <= debts.document_open_minor(doc)


def test_a_payment_in_error_is_told_with_the_same_shape_as_a_frozen_one():
    contracts = (ContractTerms(100, "service", 1, False),)
    debts = AccountDebts(ACCOUNT, "EUR", "balance_forward", contracts, {}, {(100, None): 5_000})
    code = _code(None)
    ok = _plan(debts, code, Policy("error"), _bank_intake(code, 5_000, held=False))
    too_much = _plan(debts, code, Policy("error"), _bank_intake(code, 20_000, held=False))
    [(frozen_type, frozen)] = [w for w in ok.webhooks if w[0].startswith("payment.")]
    [(error_type, error)] = [w for w in too_much.webhooks if w[0].startswith("payment.")]
    assert (frozen_type, error_type) == ("payment.frozen", "payment.error")
    assert frozen.keys() == error.keys()
    assert error["reason"] and "exceeds" in error["reason"] and frozen["reason"] is None
