import pytest

from paydesk.cashier.drawer import DrawerEntry, reconcile_drawer
from paydesk.errors import CurrencyMismatch
from paydesk.money import Money


def eur(value: str) -> Money:
    return Money.parse(value, "EUR", allow_negative=True)


def test_drawer_expects_float_plus_tenders_per_type():
    result = reconcile_drawer(
        "EUR",
        floats={"cash": eur("100")},
        tenders=[
            DrawerEntry("cash", eur("50")),
            DrawerEntry("cheque", eur("120")),
            DrawerEntry("cash", eur("-20")),  # cash back
        ],
        counted={"cash": eur("130"), "cheque": eur("120")},
    )
    assert result.balanced
    assert {line.type_code: line.expected for line in result.lines} == {
        "cash": eur("130"),
        "cheque": eur("120"),
    }


def test_drawer_difference_is_counted_minus_expected():
    result = reconcile_drawer(
        "EUR",
        floats={"cash": eur("100")},
        tenders=[DrawerEntry("cash", eur("50"))],
        counted={"cash": eur("145.50")},
    )
    assert not result.balanced
    assert result.differences == {"cash": eur("-4.50")}


def test_cancelled_tenders_are_not_expected_in_the_drawer():
    result = reconcile_drawer(
        "EUR", {}, [DrawerEntry("cash", eur("50"), cancelled=True)], {"cash": eur("0")}
    )
    assert result.balanced


def test_uncounted_type_counts_as_zero_and_unexpected_count_is_an_overage():
    result = reconcile_drawer("EUR", {}, [DrawerEntry("cheque", eur("80"))], {"cash": eur("5")})
    assert result.differences == {"cash": eur("5"), "cheque": eur("-80")}


def test_drawer_is_kept_in_one_currency():
    with pytest.raises(CurrencyMismatch):
        reconcile_drawer("EUR", {"cash": Money.parse("1", "PLN")}, [], {})
    with pytest.raises(CurrencyMismatch):
        reconcile_drawer("EUR", {}, [], {"cash": Money.parse("1", "PLN")})
