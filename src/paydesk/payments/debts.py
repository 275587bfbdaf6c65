"""What accounts owe, as the payment planner sees it (pure values; no I/O).

:class:`AccountDebts` is a value: an account's contracts, its charged documents and the sums of
its ledger per (contract, document). :func:`paydesk.payments.reading.load_debts` reads it for
many accounts at once, in two set-based statements, so a bank file of thousands of credits
costs no query per credit.

From the sums (the ledger is the only truth):

- a contract's open debt is its balance (charges less payments, all documents together);
- a document's open amount is what was charged on it less the payments posted against it
  (ledger lines carrying its id), less the contract's payments that named no document, applied
  oldest debt first (balance forward). Every charged document counts as an invoice for the
  ``invoice`` match; its match value is the document number (or id).

:meth:`AccountDebts.after` gives the debts once a plan's ledger lines are posted, which lets the
planner take many payments of one account in one batch without reading the ledger again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from paydesk.money import Money
from paydesk.payments.distribution import ContractDebt, ContractView, ItemView, OpenItem

__all__ = ["AccountDebts", "ChargedDocument", "ContractTerms"]


@dataclass(frozen=True, slots=True)
class ContractTerms:
    """A contract as distribution needs it."""

    id: int
    contract_type: str
    payment_priority: int
    is_overpayment: bool


@dataclass(frozen=True, slots=True)
class ChargedDocument:
    """A document whose charge is on the ledger."""

    id: int
    number: str
    contract_id: int
    issue_date: date
    due_date: date | None


@dataclass(frozen=True, slots=True)
class AccountDebts:
    """One account's contracts, charged documents and ledger sums per (contract, document)."""

    account_id: int
    currency: str
    customer_class: str
    contracts: tuple[ContractTerms, ...]
    documents: Mapping[int, ChargedDocument]
    #: Ledger sum in minor units per (contract id, document id or ``None``).
    sums: Mapping[tuple[int, int | None], int]

    def contract_views(self) -> list[ContractView]:
        """The contracts with what they may receive and their open items, in minor units, as
        the distribution core takes them (see the module docstring)."""
        balance: dict[int, int] = {}
        unassigned: dict[int, int] = {}
        doc_net: dict[int, int] = {}
        for (contract_id, document_id), total in self.sums.items():
            balance[contract_id] = balance.get(contract_id, 0) + total
            if document_id is None:
                unassigned[contract_id] = unassigned.get(contract_id, 0) + total
            else:
                doc_net[document_id] = doc_net.get(document_id, 0) + total
        by_contract: dict[int, list[ChargedDocument]] = {}
        for document in self.documents.values():
            by_contract.setdefault(document.contract_id, []).append(document)
        views = []
        for contract in self.contracts:
            credit = max(0, -unassigned.get(contract.id, 0))
            items: list[ItemView] = []
            oldest = None
            charged = by_contract.get(contract.id)
            if charged:
                charged.sort(key=lambda d: (d.due_date or d.issue_date, d.id))
                for document in charged:
                    net = doc_net.get(document.id, 0)
                    used = min(credit, max(net, 0))
                    credit -= used
                    if net - used > 0:
                        items.append(
                            ItemView(
                                str(document.id), str(contract.id), document.issue_date, net - used
                            )
                        )
                        debt_date = document.due_date or document.issue_date
                        oldest = debt_date if oldest is None else min(oldest, debt_date)
            views.append(
                ContractView(
                    str(contract.id),
                    contract.payment_priority,
                    oldest,
                    max(balance.get(contract.id, 0), 0),
                    contract.is_overpayment,
                    tuple(items),
                )
            )
        return views

    def contract_debts(self) -> list[ContractDebt]:
        """:meth:`contract_views` as :class:`ContractDebt` values (amounts as ``Money``)."""
        currency = self.currency
        documents = self.documents
        balances: dict[int, int] = {}
        for (contract_id, _), total in self.sums.items():
            balances[contract_id] = balances.get(contract_id, 0) + total
        terms = {str(c.id): c for c in self.contracts}
        return [
            ContractDebt(
                contract_id=view.contract_id,
                contract_type=terms[view.contract_id].contract_type,
                payment_priority=view.payment_priority,
                open_debt=Money.from_minor(balances.get(int(view.contract_id), 0), currency),
                oldest_debt_date=view.oldest_debt_date,
                is_overpayment_contract=view.is_overpayment_contract,
                open_items=tuple(
                    OpenItem(
                        document_id=item.document_id,
                        contract_id=item.contract_id,
                        issue_date=item.issue_date,
                        open_amount=Money.from_minor(item.open_minor, currency),
                        due_date=documents[int(item.document_id)].due_date,
                    )
                    for item in view.open_items
                ),
            )
            for view in self.contract_views()
        ]

    def document_open_minor(self, document_id: int) -> int:
        """What is still open on the document itself: its charge less what was posted on it."""
        total = sum(v for (_, d), v in self.sums.items() if d == document_id)
        return max(total, 0)

    def document_by_value(self, value: str) -> ChargedDocument | None:
        """The charged document a match value names: its number, else its id."""
        by_number = [d for d in self.documents.values() if d.number == value]
        if len(by_number) == 1:
            return by_number[0]
        if value.isdigit():
            return self.documents.get(int(value))
        return None

    def after(self, lines: Iterable[tuple[int, int | None, int]]) -> AccountDebts:
        """The debts once ``(contract id, document id, minor units)`` ledger lines are posted."""
        sums = dict(self.sums)
        for contract_id, document_id, amount in lines:
            key = (contract_id, document_id)
            sums[key] = sums.get(key, 0) + amount
        return AccountDebts(
            self.account_id,
            self.currency,
            self.customer_class,
            self.contracts,
            self.documents,
            sums,
        )
