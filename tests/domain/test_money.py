"""Money is exact: Decimal with a currency, over-precise input is an error, never rounded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paydesk.errors import CurrencyMismatch, InvalidAmount, InvalidCurrency
from paydesk.money import Money


def test_amounts_keep_their_currency_and_minor_units() -> None:
    assert Money.parse("12.5", "EUR") == Money(Decimal("12.50"), "EUR")
    assert Money.parse("12.50", "EUR").minor == 1250
    assert Money.parse("100", "JPY").minor == 100
    assert Money.from_minor(1250, "PLN").amount == Decimal("12.50")


@pytest.mark.parametrize("value", ["12.345", "0.001", "1e-3"])
def test_over_precise_amounts_are_refused_not_rounded(value: str) -> None:
    with pytest.raises(InvalidAmount):
        Money.parse(value, "EUR")


@pytest.mark.parametrize("value", [12.5, "abc", "NaN", "Infinity", None, True, "1e20"])
def test_floats_and_non_numbers_are_refused(value: object) -> None:
    with pytest.raises(InvalidAmount):
        Money.parse(value, "EUR")


def test_negative_amounts_need_permission() -> None:
    with pytest.raises(InvalidAmount):
        Money.parse("-1.00", "EUR")
    assert Money.parse("-1.00", "EUR", allow_negative=True).minor == -100


@pytest.mark.parametrize("currency", ["EURO", "eur", "XYZ", ""])
def test_unknown_currencies_are_refused(currency: str) -> None:
    with pytest.raises(InvalidCurrency):
        Money.parse("1", currency)


def test_money_in_different_currencies_does_not_mix() -> None:
    with pytest.raises(CurrencyMismatch):
        Money.parse("1", "EUR") + Money.parse("1", "PLN")
