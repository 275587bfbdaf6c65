"""Customers, accounts, contracts and their ledger."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends
from pydantic import Field
from sqlalchemy import select

from paydesk.accounts import service
from paydesk.accounts.service import ContractSpec
from paydesk.api.deps import Call, Paging, reader, writer
from paydesk.api.limits import ApiRoute
from paydesk.api.schemas import AccountOut, Amount, CustomerOut, Out, Strict
from paydesk.auth.roles import ANYONE, BACK_OFFICE
from paydesk.cashier.wallet import points_in_force
from paydesk.db.engine import Database
from paydesk.errors import InvalidInput
from paydesk.ledger.models import LedgerEntry

router = APIRouter(route_class=ApiRoute, tags=["accounts"])


class CustomerIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    kind: str = "person"
    email: str | None = Field(default=None, max_length=254)
    language: str = "en"
    address: str | None = None
    tax_id: str | None = None


class ContractIn(Strict):
    contract_type: str = Field(min_length=1, max_length=40)
    payment_priority: int = 50
    is_overpayment: bool = False
    description: str = ""


class AccountIn(Strict):
    customer_id: int | None = None
    customer: CustomerIn | None = None
    number: str = Field(min_length=1, max_length=40)
    currency: str = Field(min_length=3, max_length=3)
    customer_class: str = "balance_forward"
    contracts: list[ContractIn] = Field(min_length=1)


def _account_out(session, account_id: int) -> AccountOut:
    account = service.get_account(session, account_id)
    customer = service.get_customer(session, account.customer_id)
    points = points_in_force(session, account.id)
    return AccountOut.of(account, customer, service.balances(session, account.id), points)


@router.post("/customers", status_code=201, response_model=CustomerOut)
def create_customer(body: CustomerIn, call: Call = Depends(writer(BACK_OFFICE))):
    return call.run(
        lambda s: CustomerOut.model_validate(service.create_customer(s, **body.model_dump())), 201
    )


@router.post("/accounts", status_code=201, response_model=AccountOut)
def create_account(body: AccountIn, call: Call = Depends(writer(BACK_OFFICE))):
    """Create an account with its contracts, for an existing or a new customer."""

    def work(session):
        if (body.customer_id is None) == (body.customer is None):
            raise InvalidInput("give either customer_id or customer")
        customer = (
            service.get_customer(session, body.customer_id)
            if body.customer_id is not None
            else service.create_customer(session, **body.customer.model_dump())  # type: ignore[union-attr]
        )
        account = service.create_account(
            session,
            customer=customer,
            number=body.number,
            currency=body.currency,
            customer_class=body.customer_class,
            contracts=[ContractSpec(**c.model_dump()) for c in body.contracts],
        )
        return _account_out(session, account.id)

    return call.run(work, 201)


@router.get("/accounts", response_model=list[AccountOut])
def list_accounts(
    q: str | None = None,
    paging: Paging = Depends(),
    db: Database = Depends(reader(ANYONE)),
) -> list[AccountOut]:
    with db.reading() as session:
        return [
            AccountOut.of(a, c, service.balances(session, a.id), points_in_force(session, a.id))
            for a, c in service.search_accounts(
                session, query=q, limit=paging.limit, offset=paging.offset
            )
        ]


@router.get("/accounts/{account_id}", response_model=AccountOut)
def get_account(account_id: int, db: Database = Depends(reader(ANYONE))) -> AccountOut:
    with db.reading() as session:
        return _account_out(session, account_id)


@router.post("/accounts/{account_id}/contracts", status_code=201, response_model=AccountOut)
def add_contract(account_id: int, body: ContractIn, call: Call = Depends(writer(BACK_OFFICE))):
    def work(session):
        account = service.get_account(session, account_id, lock=True)
        service.add_contract(session, account, ContractSpec(**body.model_dump()))
        return _account_out(session, account_id)

    return call.run(work, 201)


class CustomerPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: str | None = None
    email: str | None = Field(default=None, max_length=254)
    language: str | None = None
    address: str | None = None
    tax_id: str | None = Field(default=None, max_length=40)


class AccountPatch(Strict):
    number: str | None = Field(default=None, min_length=1, max_length=40)
    customer_class: str | None = None


class ContractPatch(Strict):
    contract_type: str | None = Field(default=None, min_length=1, max_length=40)
    payment_priority: int | None = None
    is_overpayment: bool | None = None
    description: str | None = Field(default=None, max_length=200)


@router.patch("/customers/{customer_id}", response_model=CustomerOut)
def update_customer(
    customer_id: int, body: CustomerPatch, call: Call = Depends(writer(BACK_OFFICE))
):
    """Change the fields given (``null`` e-mail, address or tax id: clear it)."""
    changes = body.model_dump(exclude_unset=True)
    return call.run(
        lambda s: CustomerOut.model_validate(service.update_customer(s, customer_id, **changes))
    )


@router.patch("/accounts/{account_id}", response_model=AccountOut)
def update_account(account_id: int, body: AccountPatch, call: Call = Depends(writer(BACK_OFFICE))):
    """Change the account number or customer class (the currency stays)."""

    def work(session):
        service.update_account(session, account_id, **body.model_dump(exclude_unset=True))
        return _account_out(session, account_id)

    return call.run(work)


@router.patch("/contracts/{contract_id}", response_model=AccountOut)
def update_contract(
    contract_id: int, body: ContractPatch, call: Call = Depends(writer(BACK_OFFICE))
):
    """Change a contract's type, payment priority, description or overpayment flag; answers
    its account."""

    def work(session):
        contract = service.update_contract(
            session, contract_id, **body.model_dump(exclude_unset=True)
        )
        return _account_out(session, contract.account_id)

    return call.run(work)


class LedgerEntryOut(Out):
    id: int
    contract_id: int
    kind: str
    amount: Amount
    currency: str
    effective_date: date
    document_id: int | None
    payment_id: int | None
    reverses_id: int | None
    description: str


@router.get("/accounts/{account_id}/ledger", response_model=list[LedgerEntryOut])
def ledger(account_id: int, db: Database = Depends(reader(ANYONE))) -> list[LedgerEntryOut]:
    """The account's ledger entries, oldest first (append-only)."""
    with db.reading() as session:
        service.get_account(session, account_id)
        rows = session.scalars(
            select(LedgerEntry).where(LedgerEntry.account_id == account_id).order_by(LedgerEntry.id)
        )
        return [LedgerEntryOut.of_row(e) for e in rows]
