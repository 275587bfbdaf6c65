"""Bank gateway: code inquiry, pushed notifications, and "update status" of a code."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel

from paydesk.api import problems
from paydesk.api.deps import reader, require
from paydesk.api.limits import ApiRoute
from paydesk.api.schemas import PaymentCodeOut
from paydesk.auth.roles import DESK, INTEGRATIONS
from paydesk.auth.service import Principal
from paydesk.bank import connector, group_commit
from paydesk.bank.inquiry import inquire
from paydesk.codes import service as codes
from paydesk.db.engine import Database
from paydesk.errors import InvalidInput, PaydeskError
from paydesk.webhooks.delivery import deliver_soon

router = APIRouter(route_class=ApiRoute, tags=["bank gateway"])

XML_TYPES = ("application/xml", "text/xml")


class UnsupportedMediaType(PaydeskError):
    slug = "unsupported-media-type"
    status = 415
    title = "Unsupported media type"


class PayloadTooLarge(PaydeskError):
    slug = "payload-too-large"
    status = 413
    title = "Payload too large"


class InquiryOut(BaseModel):
    payable: bool
    reason: str | None
    rf: str
    amount_type: str | None
    amount_due: str | None
    currency: str | None
    expires_on: date | None
    status: str | None


class NotificationOut(BaseModel):
    accepted: bool
    bytes: int
    result: object | None = None


class RefreshOut(BaseModel):
    polled: bool
    documents: int
    #: Why no feed was read: ``no_feed`` (no ``bank_feed_url`` configured); null when read.
    reason: str | None = None
    code: PaymentCodeOut


def _deliver_after_commit(background: BackgroundTasks, request: Request) -> None:
    background.add_task(deliver_soon, request.app.state.db, request.app.state.settings)


def _expire_due(db: Database) -> None:
    with db.transaction() as session:
        codes.expire_due(session)


@router.get("/bank/inquiry/{code}", response_model=InquiryOut)
async def code_inquiry(
    code: str,
    amount: str | None = Query(None, description='Amount the payer will pay, e.g. "120.00"'),
    currency: str | None = Query(None, min_length=3, max_length=3),
    db: Database = Depends(reader(INTEGRATIONS)),
) -> InquiryOut:
    """May this code be paid (with this amount), how much is due, until when.

    Refused codes answer ``payable: false`` with the reason: ``unknown``, ``expired``,
    ``cancelled``, ``paid``, ``overpaid``, ``amount_mismatch`` (a fixed code takes exactly
    the amount due), ``exceeds_ceiling``, ``currency_mismatch``. A malformed RF or amount is a
    problem (422).
    """
    # One indexed read, done on the event loop: handing it to a worker thread and back costs
    # more than the read (a plain read takes no lock, so it waits for no writer; its
    # connection is the loop's own, so it waits for no thread either).
    with db.loop_read_connection() as connection:
        answer = inquire(connection, code, amount, currency)
    if answer.payable and answer.expires_on is not None and answer.expires_on < date.today():
        await run_in_threadpool(_expire_due, db)  # expire lazily, then answer anew
        with db.loop_read_connection() as connection:
            answer = inquire(connection, code, amount, currency)
    return InquiryOut(
        payable=answer.payable,
        reason=answer.reason,
        rf=answer.rf,
        amount_type=answer.amount_type,
        amount_due=None if answer.amount_due is None else str(answer.amount_due.amount),
        currency=answer.currency,
        expires_on=answer.expires_on,
        status=answer.status,
    )


async def _read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the document is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the document is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/bank/notifications",
    response_model=NotificationOut,
    responses=problems.responses(
        s413="The document is larger than `bank_push_max_bytes`",
        s415="The body is not `application/xml`",
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/xml": {"schema": {"type": "string"}}},
        }
    },
)
async def push_notification(
    request: Request,
    background: BackgroundTasks,
    caller: Principal = Depends(require(INTEGRATIONS)),
) -> NotificationOut:
    """A bank pushes one camt.054 (or camt.053) document; it is imported at once.

    Documents pushed while an import runs are imported together with it, in one transaction;
    the answer comes once the document's entries are committed. Importing the same entries
    again changes nothing, so a bank may retry freely.
    """
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in XML_TYPES:
        raise UnsupportedMediaType("send the camt document as application/xml")
    settings = request.app.state.settings
    data = await _read_limited(request, settings.bank_push_max_bytes)
    if not data.strip():
        raise InvalidInput("the notification body is empty")
    db = request.app.state.db
    handler = getattr(request.app.state, "bank_handler", None)
    if handler is None:  # grouped with what arrives meanwhile; webhooks woken by the commit
        result = await group_commit.submitted(
            db, settings, data, source="push", actor=caller.username
        )
    else:
        result = await run_in_threadpool(
            handler, db, settings, data, source="push", actor=caller.username
        )
        _deliver_after_commit(background, request)
    return NotificationOut(accepted=True, bytes=len(data), result=jsonable_encoder(result))


@router.post(
    "/payment-codes/{code}/refresh",
    response_model=RefreshOut,
    responses=problems.responses(
        s502="The bank feed answered with an error", s503="The bank feed cannot be reached"
    ),
)
def refresh_code(
    code: str,
    request: Request,
    background: BackgroundTasks,
    db: Database = Depends(reader(DESK)),
) -> RefreshOut:
    """ "Update status": read the bank feed now, then answer the code with its payments.

    Without a configured feed (``bank_feed_url``) nothing is read: ``polled`` is false and
    ``reason`` is ``no_feed``; the code is answered as paydesk knows it."""
    done = connector.refresh_code(
        db,
        request.app.state.settings,
        code,
        handler=getattr(request.app.state, "bank_handler", None),
    )
    if done.documents:
        _deliver_after_commit(background, request)
    with db.reading() as session:
        found = codes.get(session, code)
        return RefreshOut(
            polled=done.polled,
            documents=done.documents,
            reason=done.reason,
            code=PaymentCodeOut.of(found, codes.payments_of(session, found.id)),
        )
