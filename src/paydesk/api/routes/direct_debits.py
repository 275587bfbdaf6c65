"""Direct debits: export the due collections as pain.008, download a file, list collections
(the returned ones are the follow-up list), apply a bank's pain.002 status report."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from paydesk.api import problems
from paydesk.api.deps import Call, reader, writer
from paydesk.api.limits import ApiRoute
from paydesk.api.schemas import Amount, Out, Strict
from paydesk.auth.roles import ANYONE, CASHIER_DESK, INTEGRATIONS, SUPERVISORS
from paydesk.cashier.mandates import mandates_of
from paydesk.db.engine import Database
from paydesk.directdebits import pain002
from paydesk.directdebits import service as dd
from paydesk.directdebits.models import DirectDebitFile
from paydesk.errors import InvalidInput

router = APIRouter(route_class=ApiRoute, tags=["direct debits"])


class ExportIn(Strict):
    #: The collections due on or before this day go into the file.
    due_on: date


class FileOut(Out):
    file_id: int
    message_id: str
    due_on: date
    collections: int
    total: Amount
    currency: str
    sha256: str
    created_by: str
    created_at: datetime
    #: False: the file was made before for this day; it is given again, unchanged.
    created: bool = False

    @classmethod
    def of(cls, file: DirectDebitFile, created: bool = False) -> FileOut:
        return cls.of_row(file, file_id=file.id, created=created)


class CollectionOut(Out):
    id: int
    tender_id: int
    event_id: int
    account_id: int
    amount: Amount
    currency: str
    end_to_end_id: str
    status: str
    due_on: date
    sequence: str | None
    collection_date: date | None
    file_id: int | None
    return_code: str | None
    return_reason: str | None
    returned_by: str | None


class MandateOut(Out):
    id: int
    reference: str
    account_id: int
    stored_method_id: int | None
    iban_masked: str
    holder_name: str
    signed_on: date
    signed_at: str
    kind: str
    sequence: str
    status: str


class SettledOut(BaseModel):
    outcome: str
    reason: str | None
    collection_id: int | None


@router.post("/direct-debits/exports", status_code=201, response_model=FileOut)
def export_file(body: ExportIn, call: Call = Depends(writer(SUPERVISORS))):
    """Write the pain.008.001.08 file of the collections due by ``due_on`` (validated against
    the official schema). One file per day: asking again answers the same file (200)."""
    with call.db.reading() as session:
        made = dd.file_for(session, body.due_on) is not None

    def work(session):
        exported = dd.export(session, call.settings, due_on=body.due_on, actor=call.actor)
        return FileOut.of(exported.file, exported.created)

    return call.run(work, 200 if made else 201)


@router.get("/direct-debits/files", response_model=list[FileOut])
def list_files(
    limit: int = Query(50, ge=1, le=500),
    db: Database = Depends(reader(ANYONE)),
) -> list[FileOut]:
    with db.reading() as session:
        return [FileOut.of(f) for f in dd.files(session, limit=limit)]


@router.get(
    "/direct-debits/files/{file_id}/xml",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}},
)
def download_file(file_id: int, db: Database = Depends(reader(SUPERVISORS))) -> Response:
    """The pain.008 file as it was made (the same bytes every time)."""
    with db.reading() as session:
        file = dd.get_file(session, file_id)
        return Response(
            file.content.encode("utf-8"),
            media_type="application/xml",
            headers={"Content-Disposition": f'attachment; filename="{file.message_id}.xml"'},
        )


@router.get("/direct-debits", response_model=list[CollectionOut])
def list_collections(
    status: str | None = Query(None, max_length=12),
    limit: int = Query(200, ge=1, le=1000),
    db: Database = Depends(reader(ANYONE)),
) -> list[CollectionOut]:
    """Direct-debit collections, newest first; ``?status=returned`` is the follow-up list."""
    with db.reading() as session:
        return [
            CollectionOut.of_row(c) for c in dd.collections(session, status=status, limit=limit)
        ]


@router.get("/accounts/{account_id}/mandates", response_model=list[MandateOut])
def list_mandates(
    account_id: int, db: Database = Depends(reader(CASHIER_DESK))
) -> list[MandateOut]:
    """The account's direct-debit mandates (the IBAN masked), oldest first."""
    with db.reading() as session:
        return [MandateOut.model_validate(m) for m in mandates_of(session, account_id)]


@router.post(
    "/direct-debits/status-reports",
    response_model=list[SettledOut],
    responses=problems.responses(),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/xml": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def status_report(request: Request, call: Call = Depends(writer(SUPERVISORS | INTEGRATIONS))):
    """Apply a bank's pain.002 status report: each rejected collection is returned with its
    reason code. A report applied before changes nothing."""
    data = await request.body()
    if len(data) > pain002.MAX_BYTES:
        raise InvalidInput(f"the status report is larger than {pain002.MAX_BYTES} bytes")
    returns = dd.ReturnRules.of(call.settings)
    return call.run(
        lambda s: [
            SettledOut(outcome=r.outcome, reason=r.reason, collection_id=r.collection_id)
            for r in dd.apply_status_report(s, data, actor=call.actor, returns=returns)
        ]
    )
