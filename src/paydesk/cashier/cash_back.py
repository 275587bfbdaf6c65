"""Cash back: change handed back in cash when a non-cash tender exceeds the payment.

The rule, in full:

- The proposed cash back is what was tendered minus the payment amount, when that is positive.
- Cash back is given only out of tenders whose type allows it (a cheque, by default). It is
  recorded as one more tender: a **negative cash tender** for the difference, so the payment
  event still balances (cheque +120, cash −20, payment 100).
- The tenders that do not allow cash back must not exceed the payment on their own. If they do,
  :class:`CashBackRefused` names them.
- **Cash never creates cash back.** When the cash tendered exceeds the payment, the change is
  given at the drawer, outside the system, and the cashier enters the payment amount as the
  cash tender; a cash tender over the payment is refused with that advice. This keeps the
  drawer's expected cash equal to the cash that stays in it.

>>> from paydesk.cashier.tenders import CHEQUE, TenderDraft
>>> [str(t.amount) for t in apply_cash_back(
...     [TenderDraft(CHEQUE, Money.parse("120", "EUR"), cheque_number="1001")],
...     Money.parse("100", "EUR"))]
['120.00 EUR', '-20.00 EUR']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from paydesk.cashier.errors import CashBackRefused
from paydesk.cashier.tenders import CASH, TenderDraft, TenderType
from paydesk.errors import InvalidAmount
from paydesk.money import Money

__all__ = [
    "TenderAmount",
    "apply_cash_back",
    "cash_back_due",
    "propose_cash_back",
    "tendered_total",
]


@dataclass(frozen=True, slots=True)
class TenderAmount:
    """A tender's type and amount, enough to tell the cash back (a form not yet complete)."""

    type: TenderType
    amount: Money
    is_cash_back: bool = False


def tendered_total(tenders: Iterable[TenderDraft | TenderAmount], currency: str) -> Money:
    """Sum of the tenders' amounts (cash back included, so negative ones count)."""
    total = Money.zero(currency)
    for tender in tenders:
        total += tender.amount
    return total


def propose_cash_back(tenders: Iterable[TenderDraft | TenderAmount], payment_total: Money) -> Money:
    """Tendered minus the payment amount when positive, else zero (in the payment currency)."""
    excess = tendered_total(tenders, payment_total.currency) - payment_total
    return excess if excess > Money.zero(payment_total.currency) else Money.zero(excess.currency)


def _gives_cash_back(tender: TenderDraft | TenderAmount) -> bool:
    return tender.type.allows_cash_back and not tender.type.like_cash and not tender.is_cash_back


def cash_back_due(tenders: Sequence[TenderDraft | TenderAmount], payment_total: Money) -> Money:
    """The cash back the tenders call for (zero when they do not exceed the payment).

    Raises :class:`CashBackRefused` when the excess comes from cash or from tender types that
    do not allow cash back.
    """
    if payment_total.is_negative() or payment_total.is_zero():
        raise InvalidAmount(f"payment amount must be greater than zero, got {payment_total}")
    currency = payment_total.currency
    cash_back = propose_cash_back(tenders, payment_total)
    if cash_back.is_zero():
        return cash_back
    others = [t for t in tenders if not _gives_cash_back(t)]
    if tendered_total(others, currency) > payment_total:
        cash = tendered_total((t for t in others if t.type.like_cash), currency)
        if cash > payment_total:
            raise CashBackRefused(
                f"cash tendered ({cash}) exceeds the payment ({payment_total}): give the change "
                "at the drawer and enter the payment amount as the cash tender",
                reason=CashBackRefused.CASH_EXCEEDS_PAYMENT,
                cash_back=str(cash_back.amount),
            )
        names = ", ".join(sorted({t.type.code for t in others if not t.is_cash_back}))
        raise CashBackRefused(
            f"tenders exceed the payment ({payment_total}) by {cash_back} and tender type(s) "
            f"{names} do not allow cash back",
            reason=CashBackRefused.NO_CASH_BACK_TYPE,
            tender_types=names,
            cash_back=str(cash_back.amount),
        )
    return cash_back


def apply_cash_back(
    tenders: Sequence[TenderDraft], payment_total: Money, *, cash_type: TenderType = CASH
) -> list[TenderDraft]:
    """Return the tenders with a negative ``cash_type`` tender added for any cash back.

    Tenders that do not exceed the payment are returned unchanged (so applying twice adds
    nothing the second time). Raises :class:`CashBackRefused` when the excess comes from cash
    or from tender types that do not allow cash back (:func:`cash_back_due`).
    """
    result = list(tenders)
    cash_back = cash_back_due(result, payment_total)
    if cash_back.is_zero():
        return result
    giver = next(t for t in result if _gives_cash_back(t))
    result.append(
        TenderDraft(
            cash_type,
            -cash_back,
            payer_account_id=giver.payer_account_id,
            non_cis_payer=giver.non_cis_payer,
            is_cash_back=True,
        )
    )
    return result
