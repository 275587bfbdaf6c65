"""Cash-drawer sessions: open with a float, read, close by counting."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from paydesk.api.deps import Call, reader, writer
from paydesk.api.limits import ApiRoute
from paydesk.api.routes.cashier.schemas import (
    DrawerCloseIn,
    DrawerLineOut,
    DrawerOpenIn,
    DrawerOut,
)
from paydesk.auth.roles import CASHIER_DESK
from paydesk.cashier import drawers
from paydesk.db.engine import Database
from paydesk.money import Money, format_minor

router = APIRouter(route_class=ApiRoute, tags=["cashier desk"])


def _lines(result) -> list[DrawerLineOut]:
    return [
        DrawerLineOut(
            tender_type=line.type_code,
            expected=str(line.expected.amount),
            counted=str(line.counted.amount),
            difference=str(line.difference.amount),
        )
        for line in result.lines
    ]


@router.post("/drawer-sessions", status_code=201, response_model=DrawerOut)
def open_drawer(body: DrawerOpenIn, call: Call = Depends(writer(CASHIER_DESK))):
    """Open the caller's cash-drawer session with a cash float."""
    amount = Money.parse(body.float_amount, body.currency.upper())
    return call.run(
        lambda s: DrawerOut.of(drawers.open_drawer(s, cashier=call.actor, float_amount=amount)),
        201,
    )


@router.get("/drawer-sessions/{drawer_id}", response_model=DrawerOut)
def get_drawer(drawer_id: int, db: Database = Depends(reader(CASHIER_DESK))):
    """A session; an open one shows what is expected so far (counted as zero)."""
    with db.reading() as session:
        drawer = drawers.get_drawer(session, drawer_id)
        if drawer.status == "open":
            return DrawerOut.of(drawer, _lines(drawers.reconciliation(session, drawer, {})))
        lines = [
            DrawerLineOut(
                tender_type=code,
                expected=format_minor(drawer.expected[code], drawer.currency),
                counted=format_minor(drawer.counted[code], drawer.currency),
                difference=format_minor(drawer.difference[code], drawer.currency),
            )
            for code in sorted(drawer.expected or {})
        ]
        return DrawerOut.of(drawer, lines)


@router.post("/drawer-sessions/{drawer_id}/close", response_model=DrawerOut)
def close_drawer(drawer_id: int, body: DrawerCloseIn, call: Call = Depends(writer(CASHIER_DESK))):
    """Close by counting each tender type; expected, counted and difference are kept."""

    def work(session):
        drawer = drawers.get_drawer(session, drawer_id)
        counted = {k: Money.parse(v, drawer.currency) for k, v in body.counted.items()}
        drawer, result = drawers.close_drawer(
            session,
            drawer_id,
            counted=counted,
            actor=call.actor,
            role=call.principal.role,
            note=body.note,
        )
        return DrawerOut.of(drawer, _lines(result))

    return call.run(work)
