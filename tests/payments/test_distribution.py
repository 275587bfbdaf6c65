from datetime import date

import pytest

from paydesk.errors import Conflict, CurrencyMismatch, InvalidAmount
from paydesk.money import Money
from paydesk.payments.distribution import (
    ContractDebt,
    Match,
    OpenItem,
    Segment,
    distribute,
    manual_distribution,
    resolve_invoice_match,
)
from paydesk.payments.errors import DistributionError, InvalidManualDistribution, InvalidMatch


def eur(value: str) -> Money:
    return Money.parse(value, "EUR", allow_negative=True)


def contract(cid, debt, priority=10, oldest=None, overpayment=False, items=()):
    return ContractDebt(
        cid,
        "electricity",
        priority,
        eur(debt),
        oldest_debt_date=oldest,
        is_overpayment_contract=overpayment,
        open_items=tuple(items),
    )


def invoice(number, cid, issued, amount, due=None):
    return OpenItem(number, cid, issued, eur(amount), due_date=due)


def shares(segments):
    return {s.contract_id: s.amount for s in segments}


def test_contracts_are_paid_in_payment_priority_order():
    contracts = [contract("B", "50", priority=20), contract("A", "30", priority=10)]
    assert distribute(eur("40"), contracts) == [Segment("A", eur("30")), Segment("B", eur("10"))]


def test_within_a_priority_the_oldest_debt_is_paid_first():
    contracts = [
        contract("NEW", "50", oldest=date(2024, 5, 1)),
        contract("OLD", "50", oldest=date(2023, 1, 1)),
        contract("UNDATED", "50"),
    ]
    assert list(shares(distribute(eur("120"), contracts))) == ["OLD", "NEW", "UNDATED"]
    assert shares(distribute(eur("120"), contracts))["UNDATED"] == eur("20")


def test_oldest_debt_date_comes_from_open_items_when_not_given():
    old = contract("X", "10", items=[invoice("I1", "X", date(2022, 1, 1), "10")])
    new = contract("Y", "10", items=[invoice("I2", "Y", date(2023, 1, 1), "10")])
    assert old.oldest_debt_date == date(2022, 1, 1)
    assert distribute(eur("10"), [new, old]) == [Segment("X", eur("10"))]


def test_contract_in_credit_receives_nothing():
    contracts = [contract("CREDIT", "-30", priority=1), contract("A", "20")]
    assert distribute(eur("20"), contracts) == [Segment("A", eur("20"))]


def test_excess_goes_to_the_overpayment_contract():
    contracts = [contract("A", "30"), contract("OVER", "0", priority=99, overpayment=True)]
    assert shares(distribute(eur("50"), contracts)) == {"A": eur("30"), "OVER": eur("20")}


def test_overpayment_contract_is_paid_its_own_debt_then_the_excess():
    contracts = [contract("A", "30", priority=1), contract("OVER", "5", overpayment=True)]
    assert shares(distribute(eur("50"), contracts)) == {"A": eur("30"), "OVER": eur("20")}


def test_excess_with_error_policy_fails_distribution():
    contracts = [contract("A", "30"), contract("OVER", "0", overpayment=True)]
    with pytest.raises(DistributionError, match=r"exceeds what it may pay by 20\.00 EUR") as caught:
        distribute(eur("50"), contracts, excess_policy="error")
    assert isinstance(caught.value, Conflict)
    assert caught.value.slug == "distribution-failed"


def test_excess_without_an_overpayment_contract_fails_distribution():
    with pytest.raises(DistributionError, match="no overpayment contract"):
        distribute(eur("50"), [contract("A", "30")])


def test_contract_match_pays_only_that_contract():
    contracts = [contract("A", "30", priority=1), contract("B", "50", priority=2)]
    assert distribute(eur("40"), contracts, Match("contract", "B")) == [Segment("B", eur("40"))]


def test_contract_match_excess_follows_the_excess_policy():
    contracts = [
        contract("A", "30", priority=1),
        contract("B", "10", priority=2),
        contract("OVER", "0", overpayment=True),
    ]
    assert shares(distribute(eur("25"), contracts, Match("contract", "B"))) == {
        "B": eur("10"),
        "OVER": eur("15"),
    }
    with pytest.raises(DistributionError):
        distribute(eur("25"), contracts, Match("contract", "B"), excess_policy="error")


def test_contract_match_naming_an_unknown_contract_fails_distribution():
    with pytest.raises(DistributionError, match="'Z'"):
        distribute(eur("10"), [contract("A", "30")], Match("contract", "Z"))


def test_contract_match_needs_a_value():
    with pytest.raises(InvalidMatch):
        Match("contract", "  ")
    with pytest.raises(InvalidMatch):
        Match("account", "A")  # type: ignore[arg-type]


def test_invoice_match_pays_the_invoice_on_its_contract():
    contracts = [
        contract("A", "100", priority=1, items=[invoice("INV-1", "A", date(2024, 1, 1), "100")]),
        contract("B", "80", priority=2, items=[invoice("INV-2", "B", date(2024, 2, 1), "80")]),
    ]
    assert distribute(eur("50"), contracts, Match("invoice", "INV-2")) == [Segment("B", eur("50"))]


def test_invoice_match_pays_no_more_than_the_invoice_excess_follows_policy():
    contracts = [
        contract("A", "300", items=[invoice("INV-1", "A", date(2024, 1, 1), "100")]),
        contract("OVER", "0", priority=99, overpayment=True),
    ]
    assert shares(distribute(eur("130"), contracts, Match("invoice", "INV-1"))) == {
        "A": eur("100"),
        "OVER": eur("30"),
    }
    with pytest.raises(DistributionError):
        distribute(eur("130"), contracts, Match("invoice", "INV-1"), excess_policy="error")


def test_invoice_match_with_empty_value_pays_the_latest_open_invoice():
    contracts = [
        contract("A", "100", items=[invoice("INV-9", "A", date(2024, 3, 1), "100")]),
        contract("B", "80", items=[invoice("INV-10", "B", date(2024, 3, 1), "80")]),
    ]
    assert Match("invoice", "").value is None
    assert distribute(eur("80"), contracts, Match("invoice")) == [Segment("B", eur("80"))]


def test_invoice_match_on_an_invoice_not_open_fails_distribution():
    contracts = [contract("A", "100", items=[invoice("INV-1", "A", date(2024, 1, 1), "100")])]
    with pytest.raises(DistributionError, match="'INV-7' is not open"):
        distribute(eur("10"), contracts, Match("invoice", "INV-7"))
    with pytest.raises(DistributionError, match="no invoice is open"):
        distribute(eur("10"), [contract("A", "100")], Match("invoice"))


def test_latest_invoice_is_by_issue_date_then_number():
    items = [
        invoice("INV-9", "A", date(2024, 3, 1), "1"),
        invoice("INV-10", "A", date(2024, 3, 1), "2"),
        invoice("INV-11", "A", date(2024, 2, 1), "3"),
    ]
    assert resolve_invoice_match(None, items).document_id == "INV-10"
    assert resolve_invoice_match("  ", items).document_id == "INV-10"
    assert resolve_invoice_match("INV-11", items).document_id == "INV-11"


def test_resolving_an_unknown_invoice_is_refused():
    with pytest.raises(InvalidMatch, match="INV-1"):
        resolve_invoice_match("INV-1", [])
    with pytest.raises(InvalidMatch, match="no invoice"):
        resolve_invoice_match(None, [])


def test_zero_segments_are_omitted():
    contracts = [contract("A", "0", priority=1), contract("B", "10", priority=2)]
    assert distribute(eur("10"), contracts) == [Segment("B", eur("10"))]


def test_distribution_refuses_nonpositive_amounts_and_other_currencies():
    with pytest.raises(InvalidAmount):
        distribute(eur("0"), [contract("A", "10")])
    with pytest.raises(CurrencyMismatch):
        distribute(Money.parse("10", "PLN"), [contract("A", "10")])


def test_open_items_belong_to_their_contract():
    with pytest.raises(ValueError, match="belongs to"):
        contract("A", "10", items=[invoice("I", "B", date(2024, 1, 1), "10")])


def test_manual_distribution_sums_exactly_to_the_payment():
    segments = manual_distribution(eur("100"), {"A": eur("70"), "B": eur("30"), "C": eur("0")})
    assert segments == [Segment("A", eur("70")), Segment("B", eur("30"))]


def test_manual_distribution_not_summing_to_the_payment_is_refused():
    with pytest.raises(InvalidManualDistribution, match=r"sum to 99\.99 EUR"):
        manual_distribution(eur("100"), {"A": eur("70"), "B": eur("29.99")})


def test_manual_distribution_refuses_negative_amounts_and_other_currencies():
    with pytest.raises(InvalidManualDistribution, match="negative"):
        manual_distribution(eur("100"), {"A": eur("110"), "B": eur("-10")})
    with pytest.raises(InvalidManualDistribution, match="PLN"):
        manual_distribution(eur("100"), {"A": Money.parse("100", "PLN")})


def test_manual_distribution_refuses_contracts_not_of_the_account():
    with pytest.raises(InvalidManualDistribution, match="'Z'"):
        manual_distribution(eur("10"), {"Z": eur("10")}, contract_ids=["A", "B"])
