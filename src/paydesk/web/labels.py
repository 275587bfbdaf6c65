"""Words for the codes paydesk stores (document kinds, statuses, roles), marked for translation."""

from __future__ import annotations

import re
from collections.abc import Callable

from paydesk.errors import PaydeskError
from paydesk.money import Money
from paydesk.web.i18n import N_, format_money

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
    # bank files and entries
    "imported": N_("Imported"),
    "importing": N_("Importing"),
    "failed": N_("Failed"),
    "matched": N_("Matched"),
    "unmatched": N_("Unmatched"),
    "reversal": N_("Reversal"),
    "rejected": N_("Rejected"),
    "returned": N_("Returned"),
    # direct debits: bank entries and collections
    "collected": N_("Direct debit booked"),
    "dd_return": N_("Direct debit returned"),
    "due": N_("Due"),
    "sent": N_("Sent to the bank"),
    "confirmed": N_("Confirmed by the bank"),
    # tenders, payment events, service tasks, cash drawers
    "valid": N_("Valid"),
    "ok": N_("Balanced"),
    "unbalanced": N_("Unbalanced"),
    "pending_validation": N_("Waiting for bank-account validation"),
    "needs_attention": N_("Needs attention"),
    "pending": N_("Pending"),
    "completed": N_("Completed"),
    "closed": N_("Closed"),
}

#: What the ISO 20022 reason codes of returned direct debits mean (the usual ones).
RETURN_REASONS: dict[str, str] = {
    "AC01": N_("incorrect account number"),
    "AC04": N_("closed account"),
    "AC06": N_("blocked account"),
    "AG01": N_("transaction forbidden on this account"),
    "AM04": N_("insufficient funds"),
    "MD01": N_("no mandate"),
    "MD06": N_("refund requested by the debtor"),
    "MD07": N_("the debtor is deceased"),
    "MS02": N_("refused by the debtor"),
    "MS03": N_("reason not specified"),
    "SL01": N_("specific service of the debtor's bank"),
}

#: Tender types of the default settings; an installation's own types show their configured name.
TENDER_TYPES: dict[str, str] = {
    "cash": N_("Cash"),
    "cheque": N_("Cheque"),
    "direct_debit": N_("Direct debit"),
    "stored_method": N_("Stored payment method"),
    "bank_transfer": N_("Bank transfer"),
    "card": N_("Payment card"),
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

#: The contract types paydesk and its demo use; a type a business names itself shows as typed.
CONTRACT_TYPES: dict[str, str] = {
    "service": N_("Service"),
    "parts": N_("Parts"),
    "counter": N_("Counter sales"),
    "fleet": N_("Fleet"),
    "vehicle": N_("Vehicle"),
    "excess": N_("Excess credit"),
    "excess_credit": N_("Excess credit"),
}

INSTRUMENTS: dict[str, str] = {
    "cheque": N_("Cheque"),
    "promissory_note": N_("Promissory note"),
}


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)


def status_label(status: str) -> str:
    return STATUSES.get(status, status)


#: Why the importer held a bank entry: the sentences of :mod:`paydesk.bank.matching` and the
#: importer, as patterns, each with its translatable wording (values kept as written).
REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^invalid RF (?P<candidate>.+) \(check digits do not match\)$"),
        N_("Invalid RF %(candidate)s (check digits do not match)"),
    ),
    (
        re.compile(r"^no RF payment code in the remittance information$"),
        N_("No RF payment code in the remittance information"),
    ),
    (re.compile(r"^unknown RF (?P<rf>\S+)$"), N_("Unknown RF %(rf)s")),
    (
        re.compile(r"^payment code (?P<rf>\S+) is cancelled$"),
        N_("Payment code %(rf)s is cancelled"),
    ),
    (
        re.compile(r"^payment code (?P<rf>\S+) expired on (?P<date>\S+)$"),
        N_("Payment code %(rf)s expired on %(date)s"),
    ),
    (
        re.compile(
            r"^paid in (?P<currency>\w+), payment code (?P<rf>\S+) is in (?P<code_currency>\w+)$"
        ),
        N_("Paid in %(currency)s, payment code %(rf)s is in %(code_currency)s"),
    ),
    (
        re.compile(r"^fixed-amount code (?P<rf>\S+) is already paid$"),
        N_("Fixed-amount code %(rf)s is already paid"),
    ),
    (
        re.compile(
            r"^fixed-amount code (?P<rf>\S+) asks for (?P<due>\S+) (?P<currency>\w+), "
            r"(?P<paid>\S+) paid$"
        ),
        N_("Fixed-amount code %(rf)s asks for %(due)s, %(paid)s paid"),
    ),
    (
        re.compile(r"^reversal of a credit paydesk has not posted$"),
        N_("Reversal of a credit paydesk has not posted"),
    ),
)


def reason_label(reason: str | None, gettext: Callable[[str], str], lang: str = "en") -> str:
    """A held entry's reason in the page's language, its amounts in the local format; a
    sentence not known here as it is."""
    if not reason:
        return ""
    for pattern, wording in REASONS:
        found = pattern.match(reason)
        if found:
            values = found.groupdict()
            currency = values.get("currency")
            for name in ("due", "paid"):
                if name in values and currency:
                    values[name] = _local_amount(values[name], currency, lang)
            return gettext(wording) % values
    return reason


def _local_amount(text: str, currency: str, lang: str) -> str:
    """``12.50`` ``EUR`` → ``12,50 €`` in Greek; the text as written when it is no amount."""
    try:
        return format_money(Money.parse(text, currency).minor, currency, lang)
    except PaydeskError:
        return f"{text} {currency}"
