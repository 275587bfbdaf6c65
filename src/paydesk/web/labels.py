"""Words for the codes paydesk stores (document kinds, statuses, roles), marked for translation."""

from __future__ import annotations

from paydesk.web.i18n import N_

KINDS: dict[str, str] = {
    "invoice": N_("Invoice"),
    "repair_order": N_("Repair order"),
    "counter_invoice": N_("Counter invoice"),
    "vehicle_order": N_("Vehicle order"),
    "securities_batch": N_("Securities batch"),
    "account": N_("Account"),
}

STATUSES: dict[str, str] = {
    # documents
    "draft": N_("Draft"),
    "issued": N_("Issued"),
    "open": N_("Open"),
    "ready_for_invoicing": N_("Ready for invoicing"),
    "invoiced": N_("Invoiced"),
    "delivered": N_("Delivered"),
    "registered": N_("Registered"),
    "settled": N_("Settled"),
    "cancelled": N_("Cancelled"),
    # payment codes
    "active": N_("Active"),
    "partially_paid": N_("Partially paid"),
    "paid": N_("Paid"),
    "overpaid": N_("Overpaid"),
    "expired": N_("Expired"),
    # payments received
    "received": N_("Received"),
    "reversed": N_("Reversed"),
    # desk payments
    "incomplete": N_("Incomplete"),
    "freezable": N_("Ready to freeze"),
    "error": N_("Error"),
    "frozen": N_("Frozen"),
}

#: The action that moves a document into a status (button text).
ACTIONS: dict[str, str] = {
    "issued": N_("Issue"),
    "ready_for_invoicing": N_("Mark ready for invoicing"),
    "invoiced": N_("Mark invoiced"),
    "delivered": N_("Mark delivered"),
    "settled": N_("Mark settled"),
    "cancelled": N_("Cancel document"),
}

ROLES: dict[str, str] = {
    "cashier": N_("Cashier"),
    "supervisor": N_("Supervisor"),
    "integration": N_("Integration"),
    "admin": N_("Administrator"),
}

CLASSES: dict[str, str] = {
    "balance_forward": N_("Balance forward"),
    "open_item": N_("Open item"),
    "non_cis": N_("Non-customer"),
}

INSTRUMENTS: dict[str, str] = {
    "cheque": N_("Cheque"),
    "promissory_note": N_("Promissory note"),
}


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)


def status_label(status: str) -> str:
    return STATUSES.get(status, status)
