"""Payment events: add a one-time payment, read one, list them."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi import APIRouter, Depends, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from paydesk.api.deps import Call, Paging, reader, writer
from paydesk.api.limits import ApiRoute
from paydesk.api.routes.cashier.schemas import EventIn, EventListOut, EventOut, QuickIn
from paydesk.auth.roles import CASHIER_DESK
from paydesk.cashier import service as desk
from paydesk.db.engine import Database

router = APIRouter(route_class=ApiRoute, tags=["cashier desk"])


def response_event_id(response: JSONResponse) -> int:
    return json.loads(response.body)["id"]


@router.post("/payment-events", status_code=201, response_model=EventOut)
def add_one_time_payment(body: EventIn, call: Call = Depends(writer(CASHIER_DESK))):
    """Add a one-time payment: tenders and payments, distributed and frozen by default.

    A direct-debit IBAN new to the payer starts a bank-account validation task; the payments
    then stay `incomplete` until it ends (the configured validator is asked at once).
    """
    request = desk.EventRequest(
        payments=[desk.PaymentRequest(**p.model_dump()) for p in body.payments],
        tenders=[desk.TenderRequest(**t.model_dump()) for t in body.tenders],
        event_date=body.event_date,
        distribution=body.distribution,
    )
    return _taken(
        call,
        lambda session: desk.add_one_time_payment(
            session, call.settings, request, actor=call.actor
        ),
    )


def _taken(call: Call, take: Callable[[Session], desk.EventView]) -> JSONResponse:
    """Answer 201 with the event ``take`` stored; a new bank account is validated after the
    commit, and the event read again."""
    created: dict[str, object] = {}

    def work(session):
        view = take(session)
        created["tasks"] = [t.id for t in view.tasks]
        session.flush()
        return EventOut.of(view)

    response = call.run(work, 201)
    tasks = created.get("tasks")
    if not tasks:
        return response
    validated = desk.validate_and_reread(call.db, call.settings, response_event_id(response), tasks)
    return JSONResponse(jsonable_encoder(EventOut.of(validated.view)), status_code=201)


@router.post("/payment-events/quick", status_code=201, response_model=EventOut)
def quick_add(body: QuickIn, call: Call = Depends(writer(CASHIER_DESK))):
    """Quick add payment event: a distribution rule (`rf`, `document`, `account`, `contract`,
    or one the installation registered) reads `value` into the payee and the match; the
    tenders are checked and cash back given as for `POST /v1/payment-events`. An RF code pays
    the code, listed with `desk: <cashier>`. A value that finds nothing
    (`quick-value-not-found`) or a code that takes no payment (`unpayable-code`, with its
    `reason`) is refused and nothing is stored — unless `[cashier] unpayable_code = "hold"`:
    the payment is then stored in `error` for follow-up."""
    from paydesk.cashier import quick

    request = quick.QuickRequest(
        rule=body.rule,
        value=body.value,
        amount=body.amount,
        tenders=[desk.TenderRequest(**t.model_dump()) for t in body.tenders],
        event_date=body.event_date,
    )
    return _taken(
        call, lambda session: quick.quick_add(session, call.settings, request, actor=call.actor)
    )


@router.get("/payment-events/{event_id}", response_model=EventOut)
def get_event(event_id: int, db: Database = Depends(reader(CASHIER_DESK))):
    with db.reading() as session:
        return EventOut.of(desk.event_view(session, event_id))


@router.get("/payment-events", response_model=EventListOut)
def list_events(
    unbalanced: bool = Query(
        False, description="Only events whose valid tenders do not sum to their live payments"
    ),
    needs_attention: bool = Query(
        False,
        description="The follow-up list: events unbalanced or with a payment in error or "
        "incomplete (takes precedence over `unbalanced`)",
    ),
    paging: Paging = Depends(),
    db: Database = Depends(reader(CASHIER_DESK)),
) -> EventListOut:
    """Every payment event, newest first; filtered (`unbalanced`, `needs_attention`), the events
    waiting for follow-up, oldest first. `page.total` counts the whole list."""
    which: desk.EventList = (
        "needs_attention" if needs_attention else "unbalanced" if unbalanced else "all"
    )
    with db.reading() as session:
        ids = desk.event_ids(session, which, limit=paging.limit, offset=paging.offset)
        return EventListOut.of(
            [EventOut.of(desk.event_view(session, i)) for i in ids],
            desk.count_events(session, which),
            paging,
        )
