"""Errors of the cashier desk rules, all part of :mod:`paydesk.errors`' hierarchy."""

from __future__ import annotations

from paydesk.errors import InvalidInput


class UnknownTenderType(InvalidInput):
    slug = "unknown-tender-type"
    title = "Unknown tender type"


class CardTenderRefused(InvalidInput):
    """Card payments are not taken at the desk; they go to the external card processor."""

    slug = "card-tender-refused"
    title = "Card tenders are not taken at the cashier desk"


class InvalidTender(InvalidInput):
    """A tender's amount or details do not fit its tender type."""

    slug = "invalid-tender"
    title = "Invalid tender"


class CashBackRefused(InvalidInput):
    """The tenders exceed the payment in a way no cash back may settle."""

    slug = "cash-back-refused"
    title = "Cash back not allowed"


class UnbalancedEvent(InvalidInput):
    """A payment event's tenders do not sum to its payments."""

    slug = "unbalanced-payment-event"
    title = "Tenders and payments do not balance"


class UnknownAmountDefault(InvalidInput):
    slug = "unknown-amount-default"
    title = "Unknown payment amount default algorithm"
