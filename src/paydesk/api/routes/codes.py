"""Payment codes: list, detail with payments, check, cancel, account-level codes."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from paydesk.accounts import service as accounts
from paydesk.api.deps import Call, Paging, reader, require, writer
from paydesk.api.limits import ApiRoute
from paydesk.api.schemas import AmountText, PageOf, PaymentCodeOut, Reason, Strict
from paydesk.auth.roles import ANYONE, DESK, SUPERVISORS
from paydesk.codes import rf
from paydesk.codes import service as codes
from paydesk.codes.status import CodeStatus
from paydesk.db.engine import Database
from paydesk.money import Money

router = APIRouter(route_class=ApiRoute, tags=["payment codes"])


class CodeCheckOut(BaseModel):
    valid: bool
    code: str | None
    formatted: str | None
    reason: str | None


class CodeListOut(PageOf[PaymentCodeOut]):
    pass


class CancelIn(Strict):
    reason: Reason


class AccountCodeIn(Strict):
    ceiling: AmountText | None = None
    expires_on: date | None = None


@router.get("/payment-codes/check/{text}", response_model=CodeCheckOut)
def check_code(text: str, _caller=Depends(require(ANYONE))) -> CodeCheckOut:
    """Is this text a valid ISO 11649 RF code? Says why not."""
    try:
        code = rf.validate(text)
    except rf.InvalidPaymentCode as error:
        return CodeCheckOut(valid=False, code=None, formatted=None, reason=error.detail)
    return CodeCheckOut(valid=True, code=code, formatted=rf.format(code), reason=None)


def code_filter(
    status: CodeStatus | None = None,
    kind: str | None = None,
    account_id: int | None = None,
    issued_from: date | None = None,
    issued_to: date | None = None,
    expiring_by: date | None = Query(None, description="payable codes expiring by this day"),
) -> codes.CodeFilter:
    """The codes a list asks for (``GET /v1/payment-codes`` and its CSV)."""
    return codes.CodeFilter(status, kind, account_id, issued_from, issued_to, expiring_by)


@router.get("/payment-codes", response_model=CodeListOut)
def list_codes(
    filters: codes.CodeFilter = Depends(code_filter),
    sort: str = Query(codes.SORTS.default, description=codes.SORTS.help),
    paging: Paging = Depends(),
    db: Database = Depends(reader(ANYONE)),
) -> CodeListOut:
    with db.transaction() as session:
        codes.expire_due(session)
    with db.reading() as session:
        found, total = codes.search(
            session, filters, limit=paging.limit, offset=paging.offset, sort=sort
        )
        return CodeListOut.of([PaymentCodeOut.of(c) for c in found], total, paging)


@router.get("/payment-codes/{code}", response_model=PaymentCodeOut)
def get_code(code: str, db: Database = Depends(reader(ANYONE))) -> PaymentCodeOut:
    """A code with every payment received on it (date, bank, amount, payer, reference)."""
    with db.transaction() as session:
        codes.expire_due(session)
    with db.reading() as session:
        found = codes.get(session, code)
        return PaymentCodeOut.of(found, codes.payments_of(session, found.id))


@router.post("/payment-codes/{code}/cancel", response_model=PaymentCodeOut)
def cancel_code(code: str, body: CancelIn, call: Call = Depends(writer(SUPERVISORS))):
    return call.run(
        lambda s: PaymentCodeOut.of(codes.cancel(s, code, reason=body.reason, actor=call.actor))
    )


@router.post("/accounts/{account_id}/payment-codes", status_code=201, response_model=PaymentCodeOut)
def issue_account_code(
    account_id: int, body: AccountCodeIn | None = None, call: Call = Depends(writer(DESK))
):
    """An open code for the account itself: any payment on it goes to the account's debt."""
    body = body or AccountCodeIn()

    def work(session):
        account = accounts.get_account(session, account_id)
        ceiling = (
            None
            if body.ceiling is None
            else Money.parse(body.ceiling, account.currency, allow_zero=False).minor
        )
        return PaymentCodeOut.of(
            codes.issue_for_account(
                session,
                call.settings,
                account,
                actor=call.actor,
                ceiling_minor=ceiling,
                expires_on=body.expires_on,
            )
        )

    return call.run(work, 201)
