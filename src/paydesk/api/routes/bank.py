"""Bank files and entries: upload a camt file, list, assign unmatched entries, return them."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from paydesk.api import problems
from paydesk.api.deps import Call, database, require, writer
from paydesk.api.limits import ApiRoute
from paydesk.api.schemas import Reason, Strict
from paydesk.auth.roles import ANYONE, INTEGRATIONS, SUPERVISORS
from paydesk.bank import service
from paydesk.bank.camt import BankFileTooLarge
from paydesk.bank.importer import import_file
from paydesk.bank.models import BankEntry
from paydesk.db.engine import Database
from paydesk.money import format_minor
from paydesk.payments.service import policy_of

router = APIRouter(route_class=ApiRoute, tags=["bank"])

#: Largest camt file the API takes in one request; bigger files go through the inbox folder.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class ImportOut(BaseModel):
    file_id: int | None
    kind: str | None
    version: str | None
    entries: int
    matched: int
    unmatched: int
    duplicates: int
    reversed: int
    rejected: int
    ignored: int


class BankEntryOut(BaseModel):
    id: int
    status: str
    reason: str | None
    booking_date: date | None
    amount: str | None
    currency: str | None
    rf: str | None
    rf_candidate: str | None
    remittance_text: str | None
    debtor_name: str | None
    debtor_iban: str | None
    bank_bic: str | None
    bank_name: str | None
    reference: str | None

    @classmethod
    def of(cls, e: BankEntry) -> BankEntryOut:
        return cls(
            id=e.id,
            status=e.status,
            reason=e.reason,
            booking_date=e.booking_date,
            amount=None
            if e.amount_minor is None or e.currency is None
            else format_minor(e.amount_minor, e.currency),
            currency=e.currency,
            rf=e.rf,
            rf_candidate=e.rf_candidate,
            remittance_text=e.remittance_text,
            debtor_name=e.debtor_name,
            debtor_iban=e.debtor_iban,
            bank_bic=e.debtor_bic,
            bank_name=e.bank_name,
            reference=e.account_servicer_ref or e.end_to_end_id,
        )


class AssignIn(Strict):
    rf: str


class ReturnIn(Strict):
    reason: Reason


@router.post(
    "/bank/files",
    status_code=201,
    response_model=ImportOut,
    responses=problems.responses(s413="The file is larger than the size limit"),
)
async def upload_file(
    request: Request,
    name: str = Query("upload.xml", max_length=300),
    caller=Depends(require(INTEGRATIONS | SUPERVISORS)),
) -> ImportOut:
    """Import a camt.053/054 file sent as the request body (application/xml)."""
    body = bytearray()
    async for part in request.stream():
        body += part
        if len(body) > MAX_UPLOAD_BYTES:
            raise BankFileTooLarge(f"upload is larger than {MAX_UPLOAD_BYTES} bytes")
    summary = await run_in_threadpool(
        import_file,
        request.app.state.db,
        bytes(body),
        name=name,
        origin="api",
        actor=caller.username,
        policy=policy_of(request.app.state.settings),
    )
    return ImportOut(
        file_id=summary.file_id, kind=summary.kind, version=summary.version, **summary.counts()
    )


@router.get("/bank/entries", response_model=list[BankEntryOut])
def list_entries(
    status: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    db: Database = Depends(database),
    _caller=Depends(require(ANYONE)),
) -> list[BankEntryOut]:
    with db.reading() as session:
        return [
            BankEntryOut.of(e)
            for e in service.list_entries(session, status=status, limit=limit, offset=offset)
        ]


@router.post("/bank/entries/{entry_id}/assign", response_model=BankEntryOut)
def assign(entry_id: int, body: AssignIn, call: Call = Depends(writer(SUPERVISORS))):
    """Post an unmatched credit on a code a supervisor chose."""
    return call.run(
        lambda s: BankEntryOut.of(
            service.assign(s, entry_id, body.rf, actor=call.actor, settings=call.settings)
        )
    )


@router.post("/bank/entries/{entry_id}/return", response_model=BankEntryOut)
def mark_for_return(entry_id: int, body: ReturnIn, call: Call = Depends(writer(SUPERVISORS))):
    return call.run(
        lambda s: BankEntryOut.of(
            service.mark_for_return(s, entry_id, reason=body.reason, actor=call.actor)
        )
    )
