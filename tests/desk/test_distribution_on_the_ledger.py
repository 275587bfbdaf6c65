"""Properties of distribute + freeze + cancel on the real ledger, and concurrent payments."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from threading import Barrier

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from paydesk.accounts import service as accounts
from paydesk.accounts.service import ContractSpec
from paydesk.cashier import service as desk
from paydesk.ledger import posting
from paydesk.ledger.models import LedgerEntry
from paydesk.money import Money
from paydesk.payments.models import Payment
from paydesk.payments.service import segments_of
from tests.desk.helpers import balances

contracts_strategy = st.lists(
    st.tuples(st.integers(0, 99), st.integers(-5_000, 50_000)), min_size=1, max_size=4
)


def _account(db, contracts, overpayment: bool, number: str) -> tuple[int, list[int]]:
    specs = [ContractSpec(f"c{i}", priority) for i, (priority, _) in enumerate(contracts)]
    if overpayment:
        specs.append(ContractSpec("excess", 100, is_overpayment=True))
    with db.transaction() as s:
        customer = accounts.create_customer(s, name="Property Payer")
        account = accounts.create_account(
            s,
            customer=customer,
            number=number,
            currency="EUR",
            customer_class="balance_forward",
            contracts=specs,
        )
        ids = [c.id for c in accounts.contracts_of(s, account.id)]
        by_type = {c.contract_type: c.id for c in accounts.contracts_of(s, account.id)}
        for i, (_, debt) in enumerate(contracts):
            if debt:
                posting.post(
                    s,
                    account_id=account.id,
                    contract_id=by_type[f"c{i}"],
                    kind="charge" if debt > 0 else "adjustment",
                    amount_minor=debt,
                    currency="EUR",
                    effective_date=date(2026, 1, 1 + i),
                )
        return account.id, ids


_serial = iter(range(1_000_000))


@hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    contracts=contracts_strategy,
    overpayment=st.booleans(),
    amount=st.integers(1, 120_000),
    match_first=st.booleans(),
)
def test_distribution_on_the_ledger_keeps_every_rule(
    db, settings, contracts, overpayment, amount, match_first
):
    account_id, _ = _account(db, contracts, overpayment, f"P-{next(_serial)}")
    before = balances(db, account_id)
    with db.reading() as s:
        overpayment_id = getattr(accounts.overpayment_contract(s, account_id), "id", None)
        first = accounts.contracts_of(s, account_id)[0].id
    match = {"match_type": "contract", "match_value": str(first)} if match_first else {}
    text = str(Money.from_minor(amount, "EUR").amount)
    with db.transaction() as s:
        view = desk.add_one_time_payment(
            s,
            settings,
            desk.EventRequest(
                [desk.PaymentRequest(account_id, text, **match)], [desk.TenderRequest("cash")]
            ),
            actor="prop",
        )
        payment_id = view.payments[0].id
    after = balances(db, account_id)
    with db.reading() as s:
        payment = s.get(Payment, payment_id)
        segments = segments_of(s, payment_id)
    if payment.status == "error":
        assert segments == [] and after == before
        return
    assert payment.status == "frozen"
    assert sum(seg.amount_minor for seg in segments) == amount
    for seg in segments:
        if seg.contract_id != overpayment_id:
            assert seg.amount_minor <= max(before.get(seg.contract_id, 0), 0)
        if match_first:
            assert seg.contract_id in (first, overpayment_id)
    assert sum(after.values()) - sum(before.values()) == -amount
    with db.transaction() as s:
        desk.cancel_payment(s, payment_id, reason="property check", actor="prop")
    restored = balances(db, account_id)
    assert {k: v for k, v in restored.items() if v} == {k: v for k, v in before.items() if v}


def test_fifty_concurrent_payments_on_one_account_lose_no_update(db, settings):
    # 50 × 7.31 exceed the 100.00 owed: a payment that missed another's segments would pay
    # the service contract past zero instead of sending the excess to the overpayment contract.
    account_id, (service, excess) = _account(db, [(10, 10_000)], True, "CONC-1")

    start = Barrier(50)

    def one_payment(_: int) -> str:
        start.wait()  # all 50 begin together; each in its own transaction
        with db.transaction() as s:
            view = desk.add_one_time_payment(
                s,
                settings,
                desk.EventRequest(
                    [desk.PaymentRequest(account_id, "7.31")], [desk.TenderRequest("cash")]
                ),
                actor="anna",
            )
            return view.payments[0].status

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(one_payment, range(50)))
    assert statuses == ["frozen"] * 50
    with db.reading() as s:
        total = s.scalar(
            select(func.sum(LedgerEntry.amount_minor)).where(LedgerEntry.account_id == account_id)
        )
        paid = s.scalar(
            select(func.count()).where(Payment.account_id == account_id, Payment.status == "frozen")
        )
    assert total == 10_000 - 50 * 731
    assert paid == 50
    assert balances(db, account_id) == {service: 0, excess: 10_000 - 50 * 731}
