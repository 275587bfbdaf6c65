"""Payment events: add a one-time payment, read one, list them."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from paydesk.api.deps import Call, database, require, writer
from paydesk.api.limits import ApiRoute
from paydesk.api.routes.cashier.schemas import (
    EventIn,
    EventOut,
    QuickIn,
)
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
    created: dict[str, object] = {}

    def work(session):
        view = desk.add_one_time_payment(session, call.settings, request, actor=call.actor)
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
    created: dict[str, object] = {}

    def work(session):
        view = quick.quick_add(session, call.settings, request, actor=call.actor)
        created["tasks"] = [t.id for t in view.tasks]
        session.flush()
        return EventOut.of(view)

    response = call.run(work, 201)
    tasks = created.get("tasks")
    if not tasks:
        return response
    desk.run_validations(call.db, call.settings, tasks)
    with call.db.reading() as session:
        out = EventOut.of(desk.event_view(session, response_event_id(response)))
    return JSONResponse(jsonable_encoder(out), status_code=201)


@router.get("/payment-events/{event_id}", response_model=EventOut)
def get_event(event_id: int, db: Database = Depends(database), _c=Depends(require(CASHIER_DESK))):
    with db.reading() as session:
        return EventOut.of(desk.event_view(session, event_id))


@router.get("/payment-events", response_model=list[EventOut])
def list_events(
    unbalanced: bool = Query(True, description="Events whose tenders do not sum to payments"),
    needs_attention: bool = Query(
        False,
        description="The follow-up list: events unbalanced or with a payment in error or "
        "incomplete (takes precedence over `unbalanced`)",
    ),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    db: Database = Depends(database),
    _c=Depends(require(CASHIER_DESK)),
):
    """Events listed for follow-up (valid tenders differ from live payments), oldest first;
    with `unbalanced=false`, every event, newest first."""
    with db.reading() as session:
        if needs_attention:
            ids = desk.events_needing_attention(session, limit=limit, offset=offset)
        elif unbalanced:
            ids = desk.unbalanced_events(session, limit=limit, offset=offset)
        else:
            ids = desk.recent_events(session, limit=limit, offset=offset)
        return [EventOut.of(desk.event_view(session, i)) for i in ids]
