"""An account at the desk: payment options, stored methods, autopay, cash-only points."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from paydesk.api.deps import Call, reader, writer
from paydesk.api.deps import settings as app_settings
from paydesk.api.limits import ApiRoute
from paydesk.api.routes.cashier.schemas import (
    AutopayIn,
    CancelIn,
    OptionOut,
    PaymentOptionsOut,
    PointChangeOut,
    PointsIn,
    PointsOut,
    RatingEntryOut,
    StoredMethodIn,
    StoredMethodOut,
)
from paydesk.auth.roles import CASHIER_DESK, SUPERVISORS
from paydesk.cashier import options, wallet
from paydesk.db.engine import Database
from paydesk.settings import Settings

router = APIRouter(route_class=ApiRoute, tags=["cashier desk"])


@router.get("/accounts/{account_id}/payment-options", response_model=PaymentOptionsOut)
def payment_options(
    account_id: int,
    db: Database = Depends(reader(CASHIER_DESK)),
    settings: Settings = Depends(app_settings),
) -> PaymentOptionsOut:
    """Amount default, cash-only warning, stored methods and auto-pay (each with a tender
    amount), new options, tender types with their cash and cash-back switches."""
    with db.reading() as session:
        opts = options.payment_options(session, settings, account_id)
        amount = str(opts.amount_default.amount)
        return PaymentOptionsOut(
            account_id=opts.account.id,
            currency=opts.account.currency,
            amount_default=amount,
            amount_default_algorithm=opts.algorithm,
            cash_only_points=opts.points,
            cash_only_threshold=opts.threshold,
            cash_only_warning=None if opts.warning is None else opts.warning.detail,
            existing=[
                OptionOut(
                    kind=o.kind,
                    stored_method=StoredMethodOut.of(o.method),
                    tender_type=o.tender_type.code,
                    tender_amount=amount,
                )
                for o in opts.existing
                if o.method is not None
            ],
            new=[o.kind for o in opts.new],
            tender_types=opts.desk_types,
            cash_back=opts.cash_back_rule,
        )


@router.get("/accounts/{account_id}/stored-methods", response_model=list[StoredMethodOut])
def list_methods(account_id: int, db: Database = Depends(reader(CASHIER_DESK))):
    with db.reading() as session:
        return [StoredMethodOut.of(m) for m in wallet.stored_methods(session, account_id)]


@router.post(
    "/accounts/{account_id}/stored-methods", status_code=201, response_model=StoredMethodOut
)
def add_method(account_id: int, body: StoredMethodIn, call: Call = Depends(writer(CASHIER_DESK))):
    return call.run(
        lambda s: StoredMethodOut.of(
            wallet.add_stored_method(
                s,
                call.settings,
                account_id=account_id,
                iban=body.iban,
                holder_name=body.holder_name,
                kind=body.kind,
                label=body.label,
                actor=call.actor,
            )
        ),
        201,
    )


@router.delete("/stored-methods/{method_id}", response_model=StoredMethodOut)
def remove_method(method_id: int, call: Call = Depends(writer(CASHIER_DESK))):
    return call.run(
        lambda s: StoredMethodOut.of(wallet.remove_stored_method(s, method_id, actor=call.actor))
    )


@router.post("/accounts/{account_id}/autopay", status_code=201, response_model=StoredMethodOut)
def register_autopay(account_id: int, body: AutopayIn, call: Call = Depends(writer(CASHIER_DESK))):
    """Register auto-pay on a stored method (the previous registration ends)."""

    def work(session):
        registration = wallet.register_autopay(
            session, account_id=account_id, stored_method_id=body.stored_method_id, actor=call.actor
        )
        return StoredMethodOut.of(wallet.get_stored_method(session, registration.stored_method_id))

    return call.run(work, 201)


@router.delete("/accounts/{account_id}/autopay", status_code=200)
def end_autopay(account_id: int, call: Call = Depends(writer(CASHIER_DESK))):
    def work(session):
        ended = wallet.end_autopay(session, account_id, actor=call.actor)
        return {"ended": ended is not None}

    return call.run(work)


def _points(session, settings: Settings, account_id: int) -> PointsOut:
    rating = wallet.credit_rating(session, settings.cashier, account_id)
    return PointsOut(
        account_id=account_id,
        cash_only_points=rating.total,
        cash_only_threshold=rating.threshold,
        cash_only=rating.cash_only,
        entries=[
            RatingEntryOut(
                id=e.entry.id,
                points=e.entry.change,
                reason=e.entry.reason,
                actor=e.entry.actor,
                at=e.entry.at,
                ends_on=e.entry.ends_on,
                tender_id=e.entry.tender_id,
                status=e.status,
                cancelled_by=e.cancelled_by.actor if e.cancelled_by else None,
                cancelled_at=e.cancelled_by.at if e.cancelled_by else None,
                cancel_reason=e.cancelled_by.reason if e.cancelled_by else None,
            )
            for e in rating.entries
        ],
        history=[
            PointChangeOut.model_validate(c) for c in wallet.point_history(session, account_id)
        ],
    )


@router.get("/accounts/{account_id}/cash-only-points", response_model=PointsOut)
def points(
    account_id: int,
    db: Database = Depends(reader(CASHIER_DESK)),
    settings: Settings = Depends(app_settings),
):
    """The account's credit rating: each cash-only point entry (points, reason, who, when, the
    last day it counts, cancelled or not) and the total of the entries in force."""
    with db.reading() as session:
        return _points(session, settings, account_id)


@router.post("/accounts/{account_id}/cash-only-points", response_model=PointsOut)
def change_points(account_id: int, body: PointsIn, call: Call = Depends(writer(SUPERVISORS))):
    """Supervisors add (or take away) cash-only points with a reason: a credit-rating entry
    counting until `ends_on` (default: `cash_only_points_months` from today); audited."""

    def work(session):
        ends_on = body.ends_on or wallet.points_end(call.settings.cashier.cash_only_points_months)
        wallet.change_cash_only_points(
            session, account_id, body.change, reason=body.reason, actor=call.actor, ends_on=ends_on
        )
        session.flush()
        return _points(session, call.settings, account_id)

    return call.run(work)


@router.post("/cash-only-points/{entry_id}/cancel", response_model=PointsOut)
def cancel_points(entry_id: int, body: CancelIn, call: Call = Depends(writer(SUPERVISORS))):
    """Supervisors cancel a credit-rating entry with a reason (audited; the entry stays in the
    history, marked cancelled, and no longer counts)."""

    def work(session):
        row = wallet.cancel_point_entry(session, entry_id, reason=body.reason, actor=call.actor)
        session.flush()
        return _points(session, call.settings, row.account_id)

    return call.run(work)
