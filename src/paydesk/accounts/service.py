"""Create, change and read customers, accounts and contracts. The checks live here once, for
the API and the pages alike."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from paydesk.accounts import search
from paydesk.accounts.models import Account, Contract, Customer
from paydesk.db.bulk import among
from paydesk.db.lookup import fetch, rows_of
from paydesk.db.unique import flush_unique
from paydesk.errors import Conflict, InvalidInput, NotFound
from paydesk.ledger.posting import contract_balances
from paydesk.money import check_currency


class CustomerClass(StrEnum):
    BALANCE_FORWARD = "balance_forward"
    OPEN_ITEM = "open_item"
    NON_CIS = "non_cis"


LANGUAGES = ("en", "el", "pl")


@dataclass(frozen=True)
class ContractSpec:
    contract_type: str
    payment_priority: int = 50
    is_overpayment: bool = False
    description: str = ""


def create_customer(
    session: Session,
    *,
    name: str,
    kind: str = "person",
    email: str | None = None,
    language: str = "en",
    address: str | None = None,
    tax_id: str | None = None,
) -> Customer:
    name = _check_customer(name, kind, language)
    customer = Customer(
        name=name, kind=kind, email=email, language=language, address=address, tax_id=tax_id
    )
    session.add(customer)
    session.flush()
    search.index_customer(session, customer)
    return customer


def _check_customer(name: str, kind: str, language: str) -> str:
    """The customer's name, stripped; refuses no name, another kind or language."""
    name = name.strip()
    if not name:
        raise InvalidInput("a customer needs a name")
    if kind not in ("person", "company"):
        raise InvalidInput(f"customer kind {kind!r} is neither 'person' nor 'company'")
    if language not in LANGUAGES:
        raise InvalidInput(f"language {language!r} is not one of {LANGUAGES}")
    return name


def update_customer(session: Session, customer_id: int, **changes: str | None) -> Customer:
    """Change a customer's ``name``, ``kind``, ``email``, ``language``, ``address`` or
    ``tax_id`` (those given), with the checks of :func:`create_customer`; a new name is
    indexed for the search at once."""
    customer = get_customer(session, customer_id)
    unknown = set(changes) - {"name", "kind", "email", "language", "address", "tax_id"}
    if unknown:
        raise InvalidInput(f"a customer has no field {sorted(unknown)[0]!r}")
    required = ("name", "kind", "language")  # None: kept as they are
    changes = {k: v for k, v in changes.items() if v is not None or k not in required}
    merged = {k: changes.get(k, getattr(customer, k)) for k in required}
    name = _check_customer(str(merged["name"]), str(merged["kind"]), str(merged["language"]))
    for field, value in {**changes, "name": name}.items():
        setattr(customer, field, value)
    session.flush()
    search.index_customer(session, customer)
    return customer


def _check_class(customer_class: str) -> None:
    if customer_class not in set(CustomerClass):
        raise InvalidInput(
            f"customer class {customer_class!r} is not one of {[c.value for c in CustomerClass]}"
        )


def _check_number(number: str) -> str:
    number = number.strip()
    if not number:
        raise InvalidInput("an account needs a number")
    return number


def create_account(
    session: Session,
    *,
    customer: Customer,
    number: str,
    currency: str,
    customer_class: str,
    contracts: list[ContractSpec],
) -> Account:
    """An account with its contracts; at most one contract takes overpayments."""
    check_currency(currency)
    _check_class(customer_class)
    number = _check_number(number)
    if not contracts:
        raise InvalidInput("an account needs at least one contract")
    if sum(1 for c in contracts if c.is_overpayment) > 1:
        raise InvalidInput("at most one contract of an account takes overpayments")
    account = Account(
        customer_id=customer.id,
        number=number,
        currency=currency,
        customer_class=customer_class,
        cash_only_points=0,
    )
    if not flush_unique(session, account):
        raise Conflict(f"account number {number} is already taken")
    for spec in contracts:
        add_contract(session, account, spec)
    return account


def update_account(
    session: Session, account_id: int, *, number: str | None = None,
    customer_class: str | None = None,
) -> Account:  # fmt: skip
    """Change an account's number or customer class (its currency stays: its ledger is in
    it), with the checks of :func:`create_account`."""
    account = get_account(session, account_id, lock=True)
    if customer_class is not None:
        _check_class(customer_class)
        account.customer_class = customer_class
    if number is not None and (number := _check_number(number)) != account.number:
        account.number = number
        if not flush_unique(session):
            raise Conflict(f"account number {number} is already taken")
    session.flush()
    return account


def _check_contract(session: Session, account: Account, spec: ContractSpec, *, own: int | None):
    """A contract's type and priority; one overpayment contract an account (``own``: the
    contract being changed)."""
    if not spec.contract_type.strip():
        raise InvalidInput("a contract needs a type")
    if not 0 <= spec.payment_priority <= 999:
        raise InvalidInput("payment priority is between 0 (first) and 999")
    taker = overpayment_contract(session, account.id) if spec.is_overpayment else None
    if taker is not None and taker.id != own:
        raise Conflict(f"account {account.number} already has an overpayment contract")


def update_contract(
    session: Session, contract_id: int, *, contract_type: str | None = None,
    payment_priority: int | None = None, description: str | None = None,
    is_overpayment: bool | None = None,
) -> Contract:  # fmt: skip
    """Change a contract's type, payment priority, description or whether it takes
    overpayments (those given), with the checks of :func:`add_contract`."""
    contract = get_contract(session, contract_id)
    account = get_account(session, contract.account_id, lock=True)
    spec = ContractSpec(
        contract.contract_type if contract_type is None else contract_type,
        contract.payment_priority if payment_priority is None else payment_priority,
        contract.is_overpayment if is_overpayment is None else is_overpayment,
        contract.description if description is None else description,
    )
    _check_contract(session, account, spec, own=contract.id)
    contract.contract_type = spec.contract_type.strip()
    contract.payment_priority = spec.payment_priority
    contract.is_overpayment = spec.is_overpayment
    contract.description = spec.description
    session.flush()
    return contract


def add_contract(session: Session, account: Account, spec: ContractSpec) -> Contract:
    _check_contract(session, account, spec, own=None)
    contract = Contract(
        account_id=account.id,
        contract_type=spec.contract_type.strip(),
        payment_priority=spec.payment_priority,
        is_overpayment=spec.is_overpayment,
        description=spec.description,
        status="active",
    )
    session.add(contract)
    session.flush()
    return contract


def overpayment_contract(session: Session, account_id: int) -> Contract | None:
    return session.scalar(
        select(Contract).where(Contract.account_id == account_id, Contract.is_overpayment)
    )


_ACCOUNT = select(Account).where(Account.id == bindparam("account_id"))
_ACCOUNT_LOCKED = _ACCOUNT.with_for_update()


def get_account(session: Session, account_id: int, *, lock: bool = False) -> Account:
    account = session.scalar(_ACCOUNT_LOCKED if lock else _ACCOUNT, {"account_id": account_id})
    if account is None:
        raise NotFound(f"no account {account_id}", code="no-account", key=str(account_id))
    return account


def get_customer(session: Session, customer_id: int) -> Customer:
    return fetch(session, Customer, customer_id, what="customer")


def get_contract(session: Session, contract_id: int) -> Contract:
    return fetch(session, Contract, contract_id, what="contract")


def contracts_of(session: Session, account_id: int) -> list[Contract]:
    return rows_of(
        session, Contract, Contract.account_id == account_id, order=[Contract.payment_priority]
    )


@dataclass(frozen=True)
class ContractBalance:
    contract: Contract
    balance_minor: int


def balances(session: Session, account_id: int) -> list[ContractBalance]:
    """Every contract of the account with its ledger balance (minor units)."""
    totals = contract_balances(session, account_id)
    return [ContractBalance(c, totals.get(c.id, 0)) for c in contracts_of(session, account_id)]


def escape_like(text: str) -> str:
    """``text`` for a LIKE pattern, its ``%``, ``_`` and ``\\`` matched literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_accounts(
    session: Session, *, query: str | None, limit: int, offset: int
) -> list[tuple[Account, Customer]]:
    stmt = select(Account, Customer).join(Customer, Customer.id == Account.customer_id)
    if query:
        like = f"%{escape_like(query.strip())}%"  # % and _ typed are matched as themselves
        by_number = Account.number.ilike(like, escape="\\")
        by_name = search.matching(query)
        stmt = stmt.where(by_number if by_name is None else by_number | Customer.id.in_(by_name))
    return [
        (a, c)
        for a, c in session.execute(stmt.order_by(Account.id).limit(limit).offset(offset)).all()
    ]


def lock_accounts(session: Session, account_ids: Iterable[int]) -> None:
    """Lock account rows in id order (the first lock every posting takes; no-op on SQLite,
    whose writing transaction holds the database's one write lock)."""
    ids = sorted(set(account_ids))
    if ids and session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(Account.id)
            .where(among("postgresql", Account.id, ids))
            .order_by(Account.id)
            .with_for_update()
        ).all()
