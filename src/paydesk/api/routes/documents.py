"""Documents: create, move through statuses, issue a payment code on request."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends
from pydantic import Field

from paydesk.accounts import service as accounts
from paydesk.api.deps import Call, Paging, reader, writer
from paydesk.api.limits import ApiRoute
from paydesk.api.schemas import AmountText, DocumentOut, Strict
from paydesk.auth.roles import ANYONE, DESK
from paydesk.codes import service as codes
from paydesk.db.engine import Database
from paydesk.documents import service
from paydesk.documents.service import DocumentChange, SecuritySpec
from paydesk.money import Money

router = APIRouter(route_class=ApiRoute, tags=["documents"])


class SecurityIn(Strict):
    instrument: str
    number: str = Field(min_length=1, max_length=40)
    maturity_date: date
    amount: AmountText


class DocumentIn(Strict):
    account_id: int
    kind: str
    number: str = Field(min_length=1, max_length=40)
    amount: AmountText | None = None
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    issue_date: date | None = None
    due_date: date | None = None
    contract_id: int | None = None
    status: str | None = None
    issue_payment_code: bool = False
    securities: list[SecurityIn] = Field(default_factory=list)


class StatusIn(Strict):
    status: str = Field(min_length=1, max_length=30)
    reason: str | None = Field(default=None, max_length=500)


class CodeRequestIn(Strict):
    amount_type: str | None = Field(default=None, description="fixed or open; default per kind")
    ceiling: AmountText | None = Field(default=None, description="Open codes: most accepted")
    expires_on: date | None = None


def _out(session, change: DocumentChange) -> DocumentOut:
    document = change.document
    code = change.code or codes.live_code(session, document.id)
    return DocumentOut.of(document, code, service.securities_of(session, document.id))


@router.post("/documents", status_code=201, response_model=DocumentOut)
def create_document(body: DocumentIn, call: Call = Depends(writer(DESK))):
    """Create a document; a rule may issue its payment code at once (see settings)."""

    def work(session):
        account = accounts.get_account(session, body.account_id)
        currency = body.currency or account.currency
        change = service.create(
            session,
            call.settings,
            account=account,
            kind=body.kind,
            number=body.number,
            amount=None if body.amount is None else Money.parse(body.amount, currency),
            issue_date=body.issue_date or date.today(),
            due_date=body.due_date,
            contract_id=body.contract_id,
            status=body.status,
            issue_payment_code=body.issue_payment_code,
            securities=[
                SecuritySpec(
                    s.instrument, s.number, s.maturity_date, Money.parse(s.amount, currency)
                )
                for s in body.securities
            ],
            actor=call.actor,
        )
        return _out(session, change)

    return call.run(work, 201)


@router.get("/documents", response_model=list[DocumentOut])
def list_documents(
    kind: str | None = None,
    status: str | None = None,
    account_id: int | None = None,
    paging: Paging = Depends(),
    db: Database = Depends(reader(ANYONE)),
) -> list[DocumentOut]:
    with db.reading() as session:
        found = service.search(
            session,
            kind=kind,
            status=status,
            account_id=account_id,
            limit=paging.limit,
            offset=paging.offset,
        )
        return [_out(session, DocumentChange(d)) for d in found]


@router.get("/documents/{document_id}", response_model=DocumentOut)
def get_document(document_id: int, db: Database = Depends(reader(ANYONE))) -> DocumentOut:
    with db.reading() as session:
        return _out(session, DocumentChange(service.get(session, document_id)))


@router.post("/documents/{document_id}/status", response_model=DocumentOut)
def change_status(document_id: int, body: StatusIn, call: Call = Depends(writer(DESK))):
    """Move the document, e.g. a repair order to ``ready_for_invoicing``."""
    return call.run(
        lambda s: _out(
            s,
            service.change_status(
                s, call.settings, document_id, body.status, actor=call.actor, reason=body.reason
            ),
        )
    )


@router.post("/documents/{document_id}/payment-code", status_code=201, response_model=DocumentOut)
def issue_code(
    document_id: int, body: CodeRequestIn | None = None, call: Call = Depends(writer(DESK))
):
    """Issue the document's payment code on request (e.g. a vehicle order); at most one lives."""
    body = body or CodeRequestIn()

    def work(session):
        document = service.get(session, document_id, lock=True)
        kwargs = {}
        if body.ceiling is not None:
            kwargs["ceiling_minor"] = Money.parse(
                body.ceiling, document.currency, allow_zero=False
            ).minor
        issued = codes.issue_for_document(
            session,
            call.settings,
            document,
            actor=call.actor,
            amount_type=body.amount_type,
            expires_on=body.expires_on,
            **kwargs,
        )
        return _out(session, DocumentChange(document, issued.code, issued.created))

    return call.run(work, 201)
