"""Payments and tenders: read, distribute (again or by hand), freeze, cancel, delete."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from paydesk.api.deps import Call, reader, writer
from paydesk.api.limits import ApiRoute
from paydesk.api.routes.cashier.schemas import (
    CancelIn,
    DistributeIn,
    EventOut,
    ManualIn,
    PaymentOut,
    TenderCancelIn,
    TenderOut,
)
from paydesk.auth.roles import CASHIER_DESK, SUPERVISORS
from paydesk.cashier import service as desk
from paydesk.cashier import wallet
from paydesk.db.engine import Database
from paydesk.payments.errors import InvalidManualDistribution
from paydesk.payments.models import Payment
from paydesk.payments.service import get_payment as load_payment
from paydesk.payments.service import segments_of

router = APIRouter(route_class=ApiRoute, tags=["cashier desk"])


def _payment_out(session, payment: Payment) -> PaymentOut:
    session.flush()
    return PaymentOut.of(payment, segments_of(session, payment.id))


@router.get("/payments/{payment_id}", response_model=PaymentOut)
def get_payment(payment_id: int, db: Database = Depends(reader(CASHIER_DESK))):
    with db.reading() as session:
        return _payment_out(session, load_payment(session, payment_id))


@router.post("/payments/{payment_id}/distribute", response_model=PaymentOut)
def distribute(
    payment_id: int, body: DistributeIn | None = None, call: Call = Depends(writer(CASHIER_DESK))
):
    """Redistribute by the standard rules (optionally with a new match) → freezable | error."""

    def work(session):
        payment = desk.distribute_payment(
            session,
            call.settings,
            payment_id,
            actor=call.actor,
            match_type=body.match_type if body else None,
            match_value=body.match_value if body else None,
            change_match=body is not None,
        )
        return _payment_out(session, payment)

    return call.run(work)


@router.post("/payments/{payment_id}/freeze", response_model=PaymentOut)
def freeze(payment_id: int, call: Call = Depends(writer(CASHIER_DESK))):
    return call.run(lambda s: _payment_out(s, desk.freeze_payment(s, payment_id, actor=call.actor)))


@router.post("/payments/{payment_id}/manual-distribution", response_model=PaymentOut)
def manual(payment_id: int, body: ManualIn, call: Call = Depends(writer(CASHIER_DESK))):
    """Per-contract amounts (must sum to the payment), then freeze unless `freeze` is false."""
    shares: dict[int, str] = {}
    for share in body.segments:
        if share.contract_id in shares:
            raise InvalidManualDistribution(f"contract {share.contract_id} is given twice")
        shares[share.contract_id] = share.amount

    def work(session):
        payment = desk.manual_distribution(
            session, payment_id, shares, actor=call.actor, freeze=body.freeze
        )
        return _payment_out(session, payment)

    return call.run(work)


@router.post("/payments/{payment_id}/cancel", response_model=PaymentOut)
def cancel(payment_id: int, body: CancelIn, call: Call = Depends(writer(CASHIER_DESK))):
    """Cancel with a reason; a frozen payment is reversed in the ledger."""
    return call.run(
        lambda s: _payment_out(
            s, desk.cancel_payment(s, payment_id, reason=body.reason, actor=call.actor)
        )
    )


@router.delete("/payments/{payment_id}", response_model=EventOut)
def delete(payment_id: int, call: Call = Depends(writer(CASHIER_DESK))):
    """Delete a payment never posted (incomplete, error, freezable); answers its event."""

    def work(session):
        event_id = desk.delete_payment(session, payment_id, actor=call.actor)
        return EventOut.of(desk.event_view(session, event_id))

    return call.run(work)


@router.post("/tenders/{tender_id}/cancel", response_model=TenderOut)
def cancel_tender(tender_id: int, body: TenderCancelIn, call: Call = Depends(writer(SUPERVISORS))):
    """Cancel a tender (bounced cheque): the event's payments are cancelled, frozen ones by
    reversal; `cash_only_points` are added to the payer."""
    return call.run(
        lambda s: TenderOut.of(
            desk.cancel_tender(
                s,
                tender_id,
                reason=body.reason,
                actor=call.actor,
                cash_only_points=body.cash_only_points,
                points_end=wallet.points_end(call.settings.cashier.cash_only_points_months),
            )
        )
    )
