import pytest

from paydesk.cashier.balance import check_balance, require_balanced
from paydesk.cashier.errors import UnbalancedEvent
from paydesk.cashier.tenders import CASH, CHEQUE, TenderDraft
from paydesk.money import Money


def eur(value: str) -> Money:
    return Money.parse(value, "EUR", allow_negative=True)


def pln(value: str) -> Money:
    return Money.parse(value, "PLN")


def test_event_balances_when_tenders_sum_to_payments():
    tenders = [
        TenderDraft(CHEQUE, eur("120"), cheque_number="7"),
        TenderDraft(CASH, eur("-20"), is_cash_back=True),
    ]
    balance = require_balanced(tenders, [eur("60"), eur("40")])
    assert balance.balanced
    assert balance.by_currency[0].paid == eur("100")


def test_unbalanced_event_is_refused_with_the_difference():
    with pytest.raises(UnbalancedEvent, match=r"difference 20\.00 EUR"):
        require_balanced([eur("120")], [eur("100")])


def test_event_balances_in_every_currency_separately():
    balance = check_balance([eur("10"), pln("10")], [eur("10"), pln("9")])
    assert not balance.balanced
    assert [b.currency for b in balance.by_currency] == ["EUR", "PLN"]
    assert balance.by_currency[1].difference == pln("1")
    # Ten euro do not pay ten zloty.
    assert not check_balance([eur("10")], [pln("10")]).balanced


def test_event_needs_a_tender_and_a_payment():
    with pytest.raises(UnbalancedEvent, match="at least one"):
        require_balanced([], [])
    with pytest.raises(UnbalancedEvent):
        require_balanced([eur("10")], [])
