"""Properties of distribution over random contracts, debts, priorities and amounts."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from paydesk.money import Money
from paydesk.payments.distribution import ContractDebt, distribute, manual_distribution
from paydesk.payments.errors import DistributionError, InvalidManualDistribution

cents = st.integers(min_value=-50_000, max_value=500_000)


@st.composite
def accounts(draw):
    n = draw(st.integers(min_value=1, max_value=8))
    contracts = [
        ContractDebt(
            contract_id=f"C{i}",
            contract_type="t",
            payment_priority=draw(st.integers(min_value=1, max_value=4)),
            open_debt=Money.from_minor(draw(cents), "EUR"),
            oldest_debt_date=draw(
                st.one_of(
                    st.none(), st.integers(0, 900).map(lambda d: date(2022, 1, 1) + timedelta(d))
                )
            ),
        )
        for i in range(n)
    ]
    if draw(st.booleans()):
        k = draw(st.integers(min_value=0, max_value=n - 1))
        c = contracts[k]
        contracts[k] = ContractDebt(
            c.contract_id,
            c.contract_type,
            c.payment_priority,
            c.open_debt,
            c.oldest_debt_date,
            is_overpayment_contract=True,
        )
    return contracts


amounts = st.integers(min_value=1, max_value=3_000_000).map(lambda m: Money.from_minor(m, "EUR"))
policies = st.sampled_from(["overpayment_contract", "error"])


def _run(amount, contracts, policy):
    try:
        return distribute(amount, contracts, excess_policy=policy)
    except DistributionError:
        owed = sum((c.owed.minor for c in contracts), 0)
        has_over = any(c.is_overpayment_contract for c in contracts)
        # Only the excess over the total debt may fail, and only without a place to put it.
        assert amount.minor > owed
        assert policy == "error" or not has_over
        return None


@given(accounts(), amounts, policies)
def test_segments_always_sum_to_the_payment(contracts, amount, policy):
    segments = _run(amount, contracts, policy)
    if segments is not None:
        assert sum(s.amount.minor for s in segments) == amount.minor
        assert all(s.amount.minor > 0 for s in segments)
        assert len({s.contract_id for s in segments}) == len(segments)


@given(accounts(), amounts, policies)
def test_no_contract_gets_more_than_it_owes_unless_overpayment_contract(contracts, amount, policy):
    segments = _run(amount, contracts, policy) or []
    by_id = {c.contract_id: c for c in contracts}
    for segment in segments:
        c = by_id[segment.contract_id]
        if not c.is_overpayment_contract:
            assert segment.amount <= c.owed


@given(accounts(), amounts, policies)
def test_lower_priority_gets_money_only_when_higher_priorities_are_paid(contracts, amount, policy):
    segments = _run(amount, contracts, policy)
    if segments is None:
        return
    got = {s.contract_id: s.amount.minor for s in segments}
    for receiver in contracts:
        received = got.get(receiver.contract_id, 0)
        if receiver.is_overpayment_contract:
            received -= max(0, received - receiver.owed.minor)  # excess is not priority money
        if received <= 0:
            continue
        for other in contracts:
            if other.payment_priority < receiver.payment_priority:
                assert got.get(other.contract_id, 0) >= other.owed.minor


@given(accounts(), amounts)
def test_excess_over_total_debt_lands_on_the_overpayment_contract(contracts, amount):
    over = [c for c in contracts if c.is_overpayment_contract]
    owed = sum(c.owed.minor for c in contracts)
    if not over or amount.minor <= owed:
        return
    got = {s.contract_id: s.amount.minor for s in distribute(amount, contracts)}
    assert got[over[0].contract_id] == over[0].owed.minor + amount.minor - owed


@given(
    amounts,
    st.dictionaries(st.sampled_from(["A", "B", "C", "D"]), st.integers(0, 3_000_000), min_size=1),
)
def test_manual_distributions_that_do_not_sum_are_refused(amount, minor_shares):
    shares = {k: Money.from_minor(v, "EUR") for k, v in minor_shares.items()}
    if sum(minor_shares.values()) == amount.minor:
        segments = manual_distribution(amount, shares)
        assert sum(s.amount.minor for s in segments) == amount.minor
    else:
        try:
            manual_distribution(amount, shares)
        except InvalidManualDistribution:
            pass
        else:
            raise AssertionError("a manual distribution that does not sum was accepted")


@given(amounts, st.lists(st.integers(0, 3_000_000), min_size=1, max_size=5))
def test_manual_distribution_summing_to_the_payment_is_accepted(amount, parts):
    minors = [*parts[:-1], amount.minor - sum(parts[:-1])]
    if minors[-1] < 0:
        return
    shares = {f"C{i}": Money.from_minor(m, "EUR") for i, m in enumerate(minors)}
    segments = manual_distribution(amount, shares)
    assert sum(s.amount.minor for s in segments) == amount.minor
