"""Errors of the cashier desk rules, all part of :mod:`paydesk.errors`' hierarchy."""

from __future__ import annotations

from paydesk.errors import Conflict, Forbidden, InvalidInput


class UnknownTenderType(InvalidInput):
    slug = "unknown-tender-type"
    title = "Unknown tender type"


class CardTenderRefused(InvalidInput):
    """Card payments are not taken at the desk; they go to the external card processor."""

    slug = "card-tender-refused"
    title = "Card tenders are not taken at the cashier desk"


class InvalidTender(InvalidInput):
    """A tender's amount or details do not fit its tender type.

    ``field`` (in ``extra``) names the tender detail at fault when there is one
    (``cheque_number``, ``stored_method_id``, ``iban``, ``external_reference``, ``amount`` …).
    """

    slug = "invalid-tender"
    title = "Invalid tender"


class CashBackRefused(InvalidInput):
    """The tenders exceed the payment in a way no cash back may settle.

    ``reason`` (in ``extra``) is :data:`CASH_EXCEEDS_PAYMENT` when the cash alone is more than
    the payment (the change is given at the drawer), else :data:`NO_CASH_BACK_TYPE` (the excess
    comes from tender types that do not allow cash back).
    """

    slug = "cash-back-refused"
    title = "Cash back not allowed"

    CASH_EXCEEDS_PAYMENT = "cash_exceeds_payment"
    NO_CASH_BACK_TYPE = "no_cash_back_type"


class UnbalancedEvent(InvalidInput):
    """A payment event's tenders do not sum to its payments."""

    slug = "unbalanced-payment-event"
    title = "Tenders and payments do not balance"


class UnknownAmountDefault(InvalidInput):
    slug = "unknown-amount-default"
    title = "Unknown payment amount default algorithm"


class UnknownDistributionRule(InvalidInput):
    """Quick add names a distribution rule the installation does not have."""

    slug = "unknown-distribution-rule"
    title = "Unknown distribution rule"


class QuickValueNotFound(InvalidInput):
    """The value typed for a distribution rule finds no code, document, account or contract."""

    slug = "quick-value-not-found"
    title = "Nothing found for the value"


class UnpayableCode(InvalidInput):
    """The payment code takes no payment (cancelled, expired, paid, another amount)."""

    slug = "unpayable-code"
    title = "The payment code takes no payment"


class TenderNotAccepted(InvalidTender):
    """The distribution rule does not accept the tender type."""

    slug = "tender-not-accepted-by-rule"
    title = "Tender type not accepted by the distribution rule"


class NoOpenDrawer(Conflict):
    """The installation requires an open cash-drawer session to take payments."""

    slug = "no-open-drawer"
    title = "No open cash-drawer session"

    def __init__(self, cashier: str, currency: str) -> None:
        super().__init__(
            f"{cashier} has no open {currency} cash-drawer session",
            cashier=cashier,
            currency=currency,
        )


class DrawerNotYours(Forbidden):
    """Only the drawer session's cashier, or a supervisor, may close it."""

    slug = "drawer-not-yours"
    title = "Another cashier's drawer"

    def __init__(self, drawer_id: int, cashier: str) -> None:
        super().__init__(
            f"drawer session {drawer_id} is {cashier}'s", drawer_id=drawer_id, cashier=cashier
        )
