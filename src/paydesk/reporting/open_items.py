"""An account's open invoices with what is still open on each, as the payment planner counts
it (:mod:`paydesk.payments.debts`: charges less the payments on the document, less the
contract's payments that named none, oldest first) — for the desk's invoice picker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from paydesk.accounts.models import Account
from paydesk.payments.reading import load_debts


@dataclass(frozen=True)
class OpenInvoice:
    number: str  # the match value of an ``invoice`` match
    issue_date: date
    due_date: date | None
    open_minor: int
    currency: str


@dataclass(frozen=True)
class Pickable:
    """What the desk's match picker offers: the open invoices, and the contracts (a
    ``contract`` match names the contract's id)."""

    invoices: list[OpenInvoice]
    contracts: list[tuple[str, str]]  # (contract id, contract type)


def pickable(session: Session, account: Account) -> Pickable:
    """The account's charged documents with money still open (oldest debt first) and its
    contracts."""
    head = (account.id, account.currency, account.customer_class)
    debts = load_debts(session, [head])[account.id]
    found = [
        OpenInvoice(
            debts.documents[int(item.document_id)].number,
            item.issue_date,
            debts.documents[int(item.document_id)].due_date,
            item.open_minor,
            debts.currency,
        )
        for view in debts.contract_views()
        for item in view.open_items
    ]
    found.sort(key=lambda i: (i.due_date or i.issue_date, i.number))
    return Pickable(found, [(str(c.id), c.contract_type) for c in debts.contracts])
