"""The cashier desk's refusals in the person's language, shared by the payment form and quick
add: decided by the error's class and fields, never by its text."""

from __future__ import annotations

from typing import Literal

from paydesk.cashier.errors import (
    CashBackRefused,
    InvalidTender,
    NoOpenDrawer,
    UnbalancedEvent,
    UnknownTenderType,
)
from paydesk.errors import PaydeskError
from paydesk.web.pages import Web

#: What a refusal concerns; each page shows it next to its own field.
Concern = Literal["cash_back", "balance", "drawer", "tender"]


def desk_refusal(web: Web, error: PaydeskError) -> tuple[Concern, str] | None:
    """What the refusal concerns and its message, for the refusals both desk pages show alike;
    ``None`` for any other error."""
    if isinstance(error, CashBackRefused):
        if error.extra.get("reason") == CashBackRefused.CASH_EXCEEDS_PAYMENT:
            return "cash_back", web._(
                "The cash is more than the payment: give the change from the drawer and "
                "enter the payment amount as the cash tender."
            )
        return "cash_back", web._(
            "The tenders exceed the payment, and only a tender type that allows cash back "
            "(a cheque) may exceed it."
        )
    if isinstance(error, UnbalancedEvent):
        return "balance", web._("The tenders do not add up to the payment amount.")
    if isinstance(error, NoOpenDrawer):
        return "drawer", web._("Open your cash drawer before taking payments.")
    if isinstance(error, UnknownTenderType):
        return "tender", web._("Choose one of the tender types.")
    if isinstance(error, InvalidTender):
        return "tender", _tender_message(web, error)
    return None


def _tender_message(web: Web, error: InvalidTender) -> str:
    field = error.extra.get("field")
    if field == "cheque_number":
        return web._("Enter the cheque number.")
    if field == "stored_method_id":
        return web._("The stored method is not an active method of the payer.")
    if field == "save_as_stored_method":
        return web._("Only a new bank account can be saved for future payments.")
    return error.detail
