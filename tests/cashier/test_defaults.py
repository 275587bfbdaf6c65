from datetime import date

import pytest

from paydesk.cashier.defaults import (
    AMOUNT_DEFAULTS,
    AccountPosition,
    get_amount_default,
    latest_invoice,
    payoff_balance,
    register_amount_default,
)
from paydesk.cashier.errors import UnknownAmountDefault
from paydesk.errors import CurrencyMismatch
from paydesk.money import Money
from paydesk.payments.distribution import OpenItem


def eur(value: str) -> Money:
    return Money.parse(value, "EUR", allow_negative=True)


def test_payoff_balance_sums_positive_contract_balances():
    position = AccountPosition("EUR", {"A": eur("30.50"), "B": eur("-10"), "C": eur("19.50")})
    assert payoff_balance(position) == eur("50")


def test_payoff_balance_of_an_account_in_credit_is_zero():
    assert payoff_balance(AccountPosition("EUR", {"A": eur("-5")})) == eur("0")


def test_latest_invoice_default_is_its_open_amount():
    invoices = [
        OpenItem("INV-1", "A", date(2024, 1, 1), eur("40")),
        OpenItem("INV-2", "A", date(2024, 2, 1), eur("25.10")),
    ]
    assert latest_invoice(AccountPosition("EUR", {}, invoices)) == eur("25.10")
    assert latest_invoice(AccountPosition("EUR")) == eur("0")


def test_defaults_are_found_by_name():
    assert get_amount_default("payoff_balance") is payoff_balance
    assert get_amount_default("latest_invoice") is latest_invoice
    with pytest.raises(UnknownAmountDefault, match="latest_invoice, payoff_balance"):
        get_amount_default("nothing")


def test_an_installation_can_plug_in_its_own_default():
    def fixed_fee(position: AccountPosition) -> Money:
        return Money.parse("15", position.currency)

    register_amount_default("fixed_fee", fixed_fee)
    try:
        assert get_amount_default("fixed_fee")(AccountPosition("EUR")) == eur("15")
        with pytest.raises(ValueError, match="already"):
            register_amount_default("fixed_fee", fixed_fee)
    finally:
        del AMOUNT_DEFAULTS["fixed_fee"]


def test_position_amounts_are_in_the_account_currency():
    with pytest.raises(CurrencyMismatch):
        AccountPosition("EUR", {"A": Money.parse("1", "PLN")})
