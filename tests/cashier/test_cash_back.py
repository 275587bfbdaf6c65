import pytest

from paydesk.cashier.balance import require_balanced
from paydesk.cashier.cash_back import apply_cash_back, propose_cash_back
from paydesk.cashier.errors import CashBackRefused
from paydesk.cashier.tenders import BANK_TRANSFER, CASH, CHEQUE, TenderDraft
from paydesk.errors import CurrencyMismatch, InvalidAmount
from paydesk.money import Money


def eur(value: str) -> Money:
    return Money.parse(value, "EUR", allow_negative=True)


def cheque(amount: str) -> TenderDraft:
    return TenderDraft(CHEQUE, eur(amount), cheque_number="1001", payer_account_id="ACC-1")


def cash(amount: str) -> TenderDraft:
    return TenderDraft(CASH, eur(amount))


def test_cash_back_proposed_is_tendered_minus_payment():
    assert propose_cash_back([cheque("120")], eur("100")) == eur("20")
    assert propose_cash_back([cheque("60"), cash("50")], eur("100")) == eur("10")


def test_no_cash_back_proposed_when_tenders_do_not_exceed_payment():
    assert propose_cash_back([cheque("100")], eur("100")) == eur("0")
    assert propose_cash_back([cheque("80")], eur("100")) == eur("0")
    assert propose_cash_back([], eur("100")) == eur("0")


def test_cash_back_is_a_negative_cash_tender():
    tenders = apply_cash_back([cheque("120")], eur("100"))
    assert [(t.type.code, t.amount) for t in tenders] == [
        ("cheque", eur("120")),
        ("cash", eur("-20")),
    ]
    assert tenders[1].is_cash_back
    assert tenders[1].payer_account_id == "ACC-1"


def test_cheque_120_for_payment_100_balances_at_100():
    tenders = apply_cash_back([cheque("120")], eur("100"))
    balance = require_balanced(tenders, [eur("100")])
    assert balance.by_currency[0].tendered == eur("100")


def test_applying_cash_back_twice_adds_it_once():
    once = apply_cash_back([cheque("120")], eur("100"))
    assert apply_cash_back(once, eur("100")) == once


def test_exact_tenders_are_left_unchanged():
    tenders = [cheque("60"), cash("40")]
    assert apply_cash_back(tenders, eur("100")) == tenders


def test_underpaying_tenders_are_left_unchanged():
    assert apply_cash_back([cheque("60")], eur("100")) == [cheque("60")]


def test_cash_over_the_payment_is_refused_change_is_given_at_the_drawer():
    with pytest.raises(CashBackRefused, match="enter the payment amount as the cash tender") as no:
        apply_cash_back([cash("150")], eur("100"))
    assert no.value.extra["reason"] == CashBackRefused.CASH_EXCEEDS_PAYMENT


def test_overpaying_tender_type_without_cash_back_is_refused():
    with pytest.raises(CashBackRefused, match="bank_transfer") as no:
        apply_cash_back([TenderDraft(BANK_TRANSFER, eur("120"))], eur("100"))
    assert no.value.extra == {
        "reason": CashBackRefused.NO_CASH_BACK_TYPE,
        "tender_types": "bank_transfer",
        "cash_back": "20.00",
    }


def test_cash_back_comes_only_from_tenders_that_allow_it():
    # Cash 50 + cheque 70 for 100: the cheque's excess is given back.
    tenders = apply_cash_back([cash("50"), cheque("70")], eur("100"))
    assert tenders[-1].amount == eur("-20")
    # Bank transfer 110 + cheque 10 for 100: the transfer alone exceeds the payment.
    with pytest.raises(CashBackRefused):
        apply_cash_back([TenderDraft(BANK_TRANSFER, eur("110")), cheque("10")], eur("100"))


def test_cash_back_needs_a_positive_payment_in_the_tenders_currency():
    with pytest.raises(InvalidAmount):
        apply_cash_back([cheque("10")], eur("0"))
    with pytest.raises(CurrencyMismatch):
        apply_cash_back([cheque("120")], Money.parse("100", "PLN"))
