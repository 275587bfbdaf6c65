"""Bank files and entries: upload a camt file, list, assign unmatched entries, return them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from paydesk.api import problems
from paydesk.api.deps import Call, Paging, reader, require, writer
from paydesk.api.limits import ApiRoute
from paydesk.api.schemas import Minor, Out, Reason, Strict
from paydesk.auth.roles import ANYONE, INTEGRATIONS, SUPERVISORS
from paydesk.bank import service, set_aside
from paydesk.bank.importer import entry_rules, import_file
from paydesk.bank.models import BankEntry
from paydesk.bank.uploads import spool
from paydesk.db.engine import Database
from paydesk.directdebits.service import ReturnRules
from paydesk.payments.service import policy_of
from paydesk.webhooks.delivery import deliver_soon

router = APIRouter(route_class=ApiRoute, tags=["bank"])


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


class EntryProblemOut(BaseModel):
    """Why an entry was rejected, as a code with its parameters (``reason`` says it in English)."""

    code: str
    params: dict[str, str | int]


class BankEntryOut(Out):
    id: int
    status: str
    reason: str | None
    problems: list[EntryProblemOut] = Field(default_factory=list)
    booking_date: date | None
    amount: Annotated[str | None, Minor()]
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
        return cls.of_row(
            e,
            problems=[EntryProblemOut(**p) for p in e.problems],
            bank_bic=e.debtor_bic,
            reference=e.account_servicer_ref or e.end_to_end_id,
        )


class FeedFailureOut(Out):
    id: int
    feed: str
    cursor: str
    status: str
    error_type: str
    error: str
    attempts: int
    sha256: str
    created_at: datetime
    retried_at: datetime | None
    retried_by: str | None
    file_id: int | None


class AssignIn(Strict):
    rf: str


class ReturnIn(Strict):
    reason: Reason


@router.post(
    "/bank/files",
    status_code=201,
    response_model=ImportOut,
    responses=problems.responses(s413="The file is larger than the size limit"),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/xml": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def upload_file(
    request: Request,
    name: str = Query("upload.xml", max_length=300),
    caller=Depends(require(INTEGRATIONS | SUPERVISORS)),
) -> ImportOut:
    """Import a camt.053/054 file sent as the request body (application/xml).

    The body is streamed to a temporary file (at most ``bank_upload_max_bytes``) and read from
    there, so a large file costs disk, not memory."""
    settings = request.app.state.settings
    with await spool(request, settings.bank_upload_max_bytes) as body:
        summary = await run_in_threadpool(
            import_file,
            request.app.state.db,
            body,
            name=name,
            origin="api",
            actor=caller.username,
            max_bytes=settings.bank_upload_max_bytes,
            policy=policy_of(settings),
            rules=entry_rules(settings),
            returns=ReturnRules.of(settings),
        )
    return ImportOut(
        file_id=summary.file_id, kind=summary.kind, version=summary.version, **summary.counts()
    )


@router.get("/bank/entries", response_model=list[BankEntryOut])
def list_entries(
    status: str | None = None,
    paging: Paging = Depends(),
    db: Database = Depends(reader(ANYONE)),
) -> list[BankEntryOut]:
    with db.reading() as session:
        return [
            BankEntryOut.of(e)
            for e in service.list_entries(
                session, status=status, limit=paging.limit, offset=paging.offset
            )
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


@router.get("/bank/feed-failures", response_model=list[FeedFailureOut])
def list_feed_failures(
    status: Literal["failed", "imported"] | None = "failed",
    paging: Paging = Depends(),
    db: Database = Depends(reader(ANYONE)),
) -> list[FeedFailureOut]:
    """Bank feed documents put aside because their import failed (newest first)."""
    with db.reading() as session:
        rows, _ = set_aside.list_failures(
            session, status=status, limit=paging.limit, offset=paging.offset
        )
        return [FeedFailureOut.model_validate(f) for f in rows]


@router.get(
    "/bank/feed-failures/{failure_id}/document",
    response_class=Response,
    responses={200: {"content": {"application/xml": {"schema": {"type": "string"}}}}},
)
def feed_failure_document(failure_id: int, db: Database = Depends(reader(ANYONE))) -> Response:
    """The document as the feed gave it."""
    with db.reading() as session:
        failure = set_aside.get_failure(session, failure_id)
    return Response(failure.document, media_type="application/xml")


@router.post("/bank/feed-failures/{failure_id}/retry", response_model=FeedFailureOut)
async def retry_feed_failure(
    failure_id: int,
    request: Request,
    background: BackgroundTasks,
    caller=Depends(require(INTEGRATIONS | SUPERVISORS)),
) -> FeedFailureOut:
    """Import a document put aside again: ``status`` says whether it is now ``imported`` or
    ``failed`` again (with the new error). Retrying an imported one is a 409."""
    state = request.app.state
    failure = await run_in_threadpool(
        set_aside.retry,
        state.db,
        state.settings,
        failure_id,
        actor=caller.username,
        handler=getattr(state, "bank_handler", None),
    )
    background.add_task(deliver_soon, state.db, state.settings)
    return FeedFailureOut.model_validate(failure)
