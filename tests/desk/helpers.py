"""Builders for cashier-desk storage tests: accounts with contracts and invoices owed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from itertools import count

from paydesk.accounts import service as accounts
from paydesk.accounts.service import ContractSpec
from paydesk.cashier import service as desk
from paydesk.db.engine import Database
from paydesk.documents import service as documents
from paydesk.ledger.posting import account_balance, contract_balances
from paydesk.money import Money
from paydesk.settings import Settings

_numbers = count(1)


@dataclass
class Built:
    account_id: int
    contracts: dict[str, int]
    invoices: dict[str, int] = field(default_factory=dict)


def build_account(
    db: Database,
    settings: Settings,
    *,
    contracts: list[tuple[str, int]] = (("service", 10), ("parts", 20)),
    invoices: list[tuple[str, str, str, date]] = (),
    overpayment: bool = True,
    customer_class: str = "balance_forward",
    name: str = "Maria Nikolaou",
) -> Built:
    """``contracts``: (type, priority); ``invoices``: (contract type, number, amount, issued)."""
    n = next(_numbers)
    specs = [ContractSpec(t, p) for t, p in contracts]
    if overpayment:
        specs.append(ContractSpec("excess", 99, is_overpayment=True))
    with db.transaction() as session:
        customer = accounts.create_customer(session, name=name)
        account = accounts.create_account(
            session,
            customer=customer,
            number=f"ACC-{n}-{id(db) % 10000}",
            currency="EUR",
            customer_class=customer_class,
            contracts=specs,
        )
        ids = {c.contract_type: c.id for c in accounts.contracts_of(session, account.id)}
        built = Built(account.id, ids)
        for contract_type, number, amount, issued in invoices:
            change = documents.create(
                session,
                settings,
                account=account,
                kind="invoice",
                number=f"{number}-{n}",
                amount=Money.parse(amount, "EUR"),
                issue_date=issued,
                actor="test",
                contract_id=ids[contract_type],
                status="issued",
            )
            built.invoices[number] = change.document.id
    return built


def pay(db: Database, settings: Settings, request: desk.EventRequest, actor: str = "anna"):
    with db.transaction() as session:
        view = desk.add_one_time_payment(session, settings, request, actor=actor)
        event_id = view.event.id
    with db.reading() as session:
        return desk.event_view(session, event_id)


def one(
    account_id: int, amount: str | None, *tenders: desk.TenderRequest, **payment
) -> desk.EventRequest:
    return desk.EventRequest(
        payments=[desk.PaymentRequest(account_id, amount, **payment)], tenders=list(tenders)
    )


def balance(db: Database, account_id: int) -> str:
    with db.reading() as session:
        return str(Money.from_minor(account_balance(session, account_id), "EUR").amount)


def balances(db: Database, account_id: int) -> dict[int, int]:
    with db.reading() as session:
        return contract_balances(session, account_id)


def euros(text: str) -> Money:
    return Money.parse(text, "EUR", allow_negative=True)
