"""Payment slips: the slip of a code as PDF or HTML, e-mailing it, and the record of sendings."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import Field

from paydesk.api.deps import Call, reader, settings, writer
from paydesk.api.limits import ApiRoute
from paydesk.api.schemas import Out, Strict
from paydesk.auth.roles import ANYONE, DESK
from paydesk.codes import rf
from paydesk.db.engine import Database
from paydesk.settings import Settings
from paydesk.slips import service
from paydesk.slips.models import SlipSending
from paydesk.slips.outbox import SendingStatus
from paydesk.slips.render import SlipData, render_html, render_pdf

router = APIRouter(route_class=ApiRoute, tags=["payment slips"])

SlipLanguage = Literal["en", "el", "pl"]


class SendIn(Strict):
    to: str | None = Field(
        default=None,
        max_length=254,
        description="Recipient; default: the customer's e-mail address",
        examples=["maria@example.com"],
    )
    language: SlipLanguage | None = Field(
        default=None, description="Language of the e-mail and slip; default: the customer's"
    )


class SlipSendingOut(Out):
    id: int
    rf: str
    to_address: str
    language: str
    status: str = Field(description="queued, sending, sent or failed")
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None = Field(
        description="When it is tried (again); null once sent or given up"
    )
    sent_at: datetime | None
    message_id: str | None
    created_by: str
    created_at: datetime


def _slip(
    code: str,
    language: SlipLanguage | None = None,
    db: Database = Depends(reader(ANYONE)),
    config: Settings = Depends(settings),
) -> SlipData:
    """The code's payment slip, in ``language`` or the customer's."""
    with db.reading() as session:
        return service.slip_for(session, config, code, language=language)


@router.get(
    "/payment-codes/{code}/slip.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def slip_pdf(slip: SlipData = Depends(_slip)) -> Response:
    """The code's payment slip as an A4 PDF with the EPC QR code (customer's language)."""
    return Response(
        render_pdf(slip),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{slip.rf_code}.pdf"'},
    )


@router.get("/payment-codes/{code}/slip.html", response_class=HTMLResponse)
def slip_html(slip: SlipData = Depends(_slip)) -> HTMLResponse:
    """The code's payment slip as a self-contained HTML page (QR code inline)."""
    return HTMLResponse(render_html(slip))


@router.get("/payment-codes/{code}/sendings", response_model=list[SlipSendingOut])
def list_sendings(code: str, db: Database = Depends(reader(ANYONE))) -> list[SlipSendingOut]:
    """Every e-mail of the code's slip, newest first: when, to whom, the result."""
    with db.reading() as session:
        found, rows = service.sendings(session, code)
        return [SlipSendingOut.of_row(s, rf=found.rf) for s in rows]


def _answer(sending: SlipSending, rf_code: str, **headers: str) -> JSONResponse:
    status = 201 if sending.status == SendingStatus.SENT else 202
    body = jsonable_encoder(SlipSendingOut.of_row(sending, rf=rf_code))
    return JSONResponse(body, status_code=status, headers=headers)


@router.post(
    "/payment-codes/{code}/send",
    status_code=201,
    response_model=SlipSendingOut,
    responses={
        202: {"description": "Recorded; the attempt is still under way (a replayed request)"},
        502: {"description": "The mail server failed; the sending is recorded and retried"},
        503: {"description": "E-mail is not configured (correctly)"},
    },
)
def send(code: str, body: SendIn | None = None, call: Call = Depends(writer(DESK))):
    """E-mail the code's payment slip (PDF attached) now, in the customer's language.

    The sending is recorded first; when the mail server fails, the answer is a 502 problem
    naming the recorded sending (``sending_id``), which is tried again later
    (``next_attempt_at``). A retry with the same ``Idempotency-Key`` sends nothing twice.
    """
    body = body or SendIn()
    rf_code = rf.validate(code)

    def record(session):
        sending = service.start_sending(
            session,
            call.settings,
            code,
            actor=call.actor,
            to=body.to,
            language=body.language,
        )
        return SlipSendingOut.of_row(sending, rf=rf_code)

    recorded = call.run(record, 201)
    sending_id = json.loads(recorded.body)["id"]
    if recorded.headers.get("Idempotent-Replayed"):
        with call.db.reading() as session:
            current = service.sending(session, sending_id)
        if current.status == SendingStatus.FAILED:
            raise service.failure_of(current)
        return _answer(current, rf_code, **{"Idempotent-Replayed": "true"})
    delivery = service.deliver(call.db, call.settings, sending_id, actor=call.actor)
    if delivery.error is not None:
        raise delivery.error
    return _answer(delivery.sending, rf_code)
