"""Service tasks: read, complete or reject a bank-account validation."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from paydesk.api.deps import Call, reader, writer
from paydesk.api.limits import ApiRoute
from paydesk.api.routes.cashier.schemas import (
    TaskCompleteIn,
    TaskOut,
    TaskRejectIn,
)
from paydesk.auth.roles import CASHIER_DESK, SUPERVISORS
from paydesk.cashier import service as desk
from paydesk.db.engine import Database

router = APIRouter(route_class=ApiRoute, tags=["cashier desk"])


@router.get("/service-tasks/{task_id}", response_model=TaskOut)
def get_task(task_id: int, db: Database = Depends(reader(CASHIER_DESK))):
    with db.reading() as session:
        return TaskOut.of(desk.get_task(session, task_id))


@router.post("/service-tasks/{task_id}/complete", response_model=TaskOut)
def complete_task(
    task_id: int, body: TaskCompleteIn | None = None, call: Call = Depends(writer(SUPERVISORS))
):
    """The bank account is confirmed: the event's payments are distributed and frozen."""
    return call.run(
        lambda s: TaskOut.of(
            desk.complete_task(
                s, call.settings, task_id, actor=call.actor, message=body.note if body else None
            )
        )
    )


@router.post("/service-tasks/{task_id}/reject", response_model=TaskOut)
def reject_task(task_id: int, body: TaskRejectIn, call: Call = Depends(writer(SUPERVISORS))):
    """The bank account is not the payer's: the payment event is cancelled."""
    return call.run(
        lambda s: TaskOut.of(desk.reject_task(s, task_id, actor=call.actor, reason=body.reason))
    )
