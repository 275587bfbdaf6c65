"""Cashier desk: one-time payments, payment actions, tenders, wallet, service tasks, drawer."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Depends, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from paydesk.api.deps import Call, database, require, writer
from paydesk.api.deps import settings as app_settings
from paydesk.api.limits import ApiRoute
from paydesk.api.schemas import AmountText, Reason, Strict
from paydesk.auth.roles import CASHIER_DESK, SUPERVISORS
from paydesk.cashier import drawers, wallet
from paydesk.cashier import service as desk
from paydesk.cashier.models import CashDrawerSession, ServiceTask, StoredPaymentMethod
from paydesk.db.engine import Database
from paydesk.errors import Forbidden
from paydesk.money import Money, format_minor
from paydesk.payments.errors import InvalidManualDistribution
from paydesk.payments.models import Payment, PaymentSegment, Tender
from paydesk.payments.service import get_payment as load_payment
from paydesk.payments.service import segments_of
from paydesk.payments.states import PaymentStatus, allowed_actions
from paydesk.settings import Settings

router = APIRouter(route_class=ApiRoute, tags=["cashier desk"])


def response_event_id(response: JSONResponse) -> int:
    return json.loads(response.body)["id"]


# --- bodies -------------------------------------------------------------------------------


class PaymentIn(Strict):
    account_id: int
    amount: AmountText | None = Field(
        default=None, description="Omitted: the amount default (settings' algorithm)."
    )
    match_type: Literal["invoice", "contract"] | None = None
    match_value: str | None = Field(default=None, max_length=64)
    non_cis_name: str | None = Field(default=None, max_length=140)
    non_cis_reference: str | None = Field(default=None, max_length=64)
    non_cis_comments: str | None = Field(default=None, max_length=2000)


class TenderIn(Strict):
    type: str = Field(max_length=30, examples=["cash", "cheque", "direct_debit"])
    amount: AmountText | None = Field(
        default=None, description="Omitted with a single tender: the payments' total."
    )
    payer_account_id: int | None = None
    non_cis_payer: str | None = Field(default=None, max_length=140)
    cheque_number: str | None = None
    iban: str | None = Field(default=None, max_length=50)
    holder_name: str | None = Field(default=None, max_length=140)
    account_kind: Literal["checking", "savings"] = "checking"
    save_as_stored_method: bool = False
    stored_method_id: int | None = None
    external_reference: str | None = None


class EventIn(Strict):
    event_date: date | None = None
    distribution: Literal["distribute_and_freeze", "manual"] = "distribute_and_freeze"
    payments: list[PaymentIn] = Field(min_length=1)
    tenders: list[TenderIn] = Field(min_length=1)


class DistributeIn(Strict):
    match_type: Literal["invoice", "contract"] | None = None
    match_value: str | None = Field(default=None, max_length=64)


class ShareIn(Strict):
    contract_id: int
    amount: AmountText


class ManualIn(Strict):
    segments: list[ShareIn] = Field(min_length=1)
    freeze: bool = True


class CancelIn(Strict):
    reason: Reason


class TenderCancelIn(Strict):
    reason: Reason
    cash_only_points: int = Field(default=0, ge=0, le=100)


class TaskRejectIn(Strict):
    reason: Reason


class TaskCompleteIn(Strict):
    note: str | None = Field(default=None, max_length=500)


class StoredMethodIn(Strict):
    iban: str = Field(max_length=50)
    holder_name: str = Field(min_length=1, max_length=140)
    kind: Literal["checking", "savings"] = "checking"
    label: str = Field(default="", max_length=80)


class AutopayIn(Strict):
    stored_method_id: int


class PointsIn(Strict):
    change: int = Field(ge=-1000, le=1000)
    reason: Reason


class DrawerOpenIn(Strict):
    float_amount: AmountText = "0.00"
    currency: str = Field(default="EUR", min_length=3, max_length=3)


class DrawerCloseIn(Strict):
    counted: dict[str, AmountText]
    note: str | None = Field(default=None, max_length=500)


# --- answers ------------------------------------------------------------------------------


class SegmentOut(BaseModel):
    contract_id: int
    amount: str

    @classmethod
    def of(cls, s: PaymentSegment) -> SegmentOut:
        return cls(contract_id=s.contract_id, amount=format_minor(s.amount_minor, s.currency))


class PaymentOut(BaseModel):
    id: int
    event_id: int
    account_id: int
    amount: str
    currency: str
    status: str
    allowed_actions: list[str]
    match_type: str | None
    match_value: str | None
    document_id: int | None
    non_cis_name: str | None
    non_cis_reference: str | None
    non_cis_comments: str | None
    error_message: str | None
    cancel_reason: str | None
    frozen_at: datetime | None
    segments: list[SegmentOut] | None = None

    @classmethod
    def of(cls, p: Payment, segments: list[PaymentSegment] | None = None) -> PaymentOut:
        return cls(
            id=p.id,
            event_id=p.event_id,
            account_id=p.account_id,
            amount=format_minor(p.amount_minor, p.currency),
            currency=p.currency,
            status=p.status,
            allowed_actions=sorted(allowed_actions(PaymentStatus(p.status))),
            match_type=p.match_type,
            match_value=p.match_value,
            document_id=p.document_id,
            non_cis_name=p.non_cis_name,
            non_cis_reference=p.non_cis_reference,
            non_cis_comments=p.non_cis_comments,
            error_message=p.error_message,
            cancel_reason=p.cancel_reason,
            frozen_at=p.frozen_at,
            segments=None if segments is None else [SegmentOut.of(s) for s in segments],
        )


class TenderOut(BaseModel):
    id: int
    type: str
    amount: str
    currency: str
    status: str
    payer_account_id: int | None
    non_cis_payer: str | None
    cheque_number: str | None
    iban: str | None = Field(description="Masked")
    stored_method_id: int | None
    external_reference: str | None
    cancel_reason: str | None
    drawer_session_id: int | None

    @classmethod
    def of(cls, t: Tender) -> TenderOut:
        return cls(
            id=t.id,
            type=t.tender_type,
            amount=format_minor(t.amount_minor, t.currency),
            currency=t.currency,
            status=t.status,
            payer_account_id=t.payer_account_id,
            non_cis_payer=t.non_cis_name,
            cheque_number=t.cheque_number,
            iban=t.iban_masked,
            stored_method_id=t.stored_method_id,
            external_reference=t.external_reference,
            cancel_reason=t.cancel_reason,
            drawer_session_id=t.drawer_session_id,
        )


class TaskOut(BaseModel):
    id: int
    kind: str
    status: str
    event_id: int
    account_id: int
    holder_name: str
    iban: str
    validator: str | None
    result: str | None
    message: str | None
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, t: ServiceTask) -> TaskOut:
        return cls(
            id=t.id,
            kind=t.kind,
            status=t.status,
            event_id=t.event_id,
            account_id=t.account_id,
            holder_name=t.holder_name,
            iban=t.iban_masked,
            validator=t.validator,
            result=t.result,
            message=t.message,
            created_at=t.created_at,
            finished_at=t.finished_at,
        )


class EventOut(BaseModel):
    id: int
    event_date: date
    source: str
    created_by: str
    status: str = Field(description="ok | unbalanced | pending_validation | cancelled")
    balanced: bool
    tendered: str
    paid: str
    difference: str
    currency: str
    tenders: list[TenderOut]
    payments: list[PaymentOut]
    service_tasks: list[TaskOut]

    @classmethod
    def of(cls, view: desk.EventView) -> EventOut:
        currency = (
            (view.payments or view.tenders)[0].currency
            if (view.payments or view.tenders)
            else "EUR"
        )
        line = next((b for b in view.balance.by_currency if b.currency == currency), None)
        zero = Money.zero(currency)
        tendered, paid = (line.tendered, line.paid) if line else (zero, zero)
        return cls(
            id=view.event.id,
            event_date=view.event.event_date,
            source=view.event.source,
            created_by=view.event.created_by,
            status=view.status,
            balanced=view.balance.balanced,
            tendered=str(tendered.amount),
            paid=str(paid.amount),
            difference=str((tendered - paid).amount),
            currency=currency,
            tenders=[TenderOut.of(t) for t in view.tenders],
            payments=[PaymentOut.of(p, view.segments.get(p.id, [])) for p in view.payments],
            service_tasks=[TaskOut.of(t) for t in view.tasks],
        )


class StoredMethodOut(BaseModel):
    id: int
    account_id: int
    kind: str
    holder_name: str
    label: str
    iban: str = Field(description="Masked")
    status: str

    @classmethod
    def of(cls, m: StoredPaymentMethod) -> StoredMethodOut:
        return cls(
            id=m.id,
            account_id=m.account_id,
            kind=m.kind,
            holder_name=m.holder_name,
            label=m.label,
            iban=m.iban_masked,
            status=m.status,
        )


class OptionOut(BaseModel):
    kind: str = Field(description="stored_method | autopay")
    stored_method: StoredMethodOut
    tender_type: str
    tender_amount: str


class TenderTypeOut(BaseModel):
    code: str
    name: str
    like_cash: bool
    allows_cash_back: bool
    requires_cheque_number: bool
    requires_bank_account: bool
    requires_stored_method: bool


class PaymentOptionsOut(BaseModel):
    account_id: int
    currency: str
    amount_default: str
    amount_default_algorithm: str
    cash_only_points: int
    cash_only_threshold: int
    cash_only_warning: str | None
    existing: list[OptionOut]
    new: list[str] = Field(description="New payment options: bank_account, cash, cheque")
    tender_types: list[TenderTypeOut]
    cash_back: str = Field(description="The cash-back rule in one sentence")


class PointChangeOut(BaseModel):
    change: int
    points_after: int
    reason: str
    actor: str
    tender_id: int | None
    at: datetime


class PointsOut(BaseModel):
    account_id: int
    cash_only_points: int
    history: list[PointChangeOut]


class DrawerLineOut(BaseModel):
    tender_type: str
    expected: str
    counted: str
    difference: str


class DrawerOut(BaseModel):
    id: int
    cashier: str
    currency: str
    status: str
    float_amount: str
    opened_at: datetime
    closed_at: datetime | None
    lines: list[DrawerLineOut] | None = None
    note: str | None = None

    @classmethod
    def of(cls, d: CashDrawerSession, lines: list[DrawerLineOut] | None = None) -> DrawerOut:
        return cls(
            id=d.id,
            cashier=d.cashier,
            currency=d.currency,
            status=d.status,
            float_amount=format_minor(d.float_minor, d.currency),
            opened_at=d.opened_at,
            closed_at=d.closed_at,
            lines=lines,
            note=d.note,
        )


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


# --- payment events -----------------------------------------------------------------------


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


def _payment_out(session, payment: Payment) -> PaymentOut:
    session.flush()
    return PaymentOut.of(payment, segments_of(session, payment.id))


@router.get("/payments/{payment_id}", response_model=PaymentOut)
def get_payment(
    payment_id: int, db: Database = Depends(database), _c=Depends(require(CASHIER_DESK))
):
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
            )
        )
    )


# --- service tasks ------------------------------------------------------------------------


@router.get("/service-tasks/{task_id}", response_model=TaskOut)
def get_task(task_id: int, db: Database = Depends(database), _c=Depends(require(CASHIER_DESK))):
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


# --- accounts: options, wallet, points ----------------------------------------------------


@router.get("/accounts/{account_id}/payment-options", response_model=PaymentOptionsOut)
def payment_options(
    account_id: int,
    db: Database = Depends(database),
    settings: Settings = Depends(app_settings),
    _c=Depends(require(CASHIER_DESK)),
) -> PaymentOptionsOut:
    """Amount default, cash-only warning, stored methods and auto-pay (each with a tender
    amount), new options, tender types with their cash and cash-back switches."""
    with db.reading() as session:
        opts = wallet.payment_options(session, settings, account_id)
        amount = str(opts.amount_default.amount)
        types = [t for t in opts.types if not t.is_card]
        by_code = {t.code: t for t in types}
        existing = [
            OptionOut(
                kind="stored_method",
                stored_method=StoredMethodOut.of(m),
                tender_type="stored_method",
                tender_amount=amount,
            )
            for m in opts.methods
        ]
        if opts.autopay is not None:
            method = next((m for m in opts.methods if m.id == opts.autopay.stored_method_id), None)
            if method is not None:
                existing.insert(
                    0,
                    OptionOut(
                        kind="autopay",
                        stored_method=StoredMethodOut.of(method),
                        tender_type="stored_method",
                        tender_amount=amount,
                    ),
                )
        backs = ", ".join(t.code for t in types if t.allows_cash_back) or "none"
        return PaymentOptionsOut(
            account_id=opts.account.id,
            currency=opts.account.currency,
            amount_default=amount,
            amount_default_algorithm=opts.algorithm,
            cash_only_points=opts.account.cash_only_points,
            cash_only_threshold=opts.threshold,
            cash_only_warning=(
                f"cash only: {opts.account.cash_only_points} points exceed the threshold "
                f"{opts.threshold}"
                if opts.cash_only
                else None
            ),
            existing=existing,
            new=[
                c
                for c in ("bank_account", "cash", "cheque")
                if c != "bank_account" or "direct_debit" in by_code
            ],
            tender_types=[
                TenderTypeOut(
                    code=t.code,
                    name=t.name,
                    like_cash=t.like_cash,
                    allows_cash_back=t.allows_cash_back,
                    requires_cheque_number=t.requires_cheque_number,
                    requires_bank_account=t.requires_bank_account,
                    requires_stored_method=t.requires_stored_method,
                )
                for t in types
            ],
            cash_back=(
                f"a tender of type {backs} larger than the payment gives the difference back "
                "as a negative cash tender; cash never gives cash back"
            ),
        )


@router.get("/accounts/{account_id}/stored-methods", response_model=list[StoredMethodOut])
def list_methods(
    account_id: int, db: Database = Depends(database), _c=Depends(require(CASHIER_DESK))
):
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


@router.get("/accounts/{account_id}/cash-only-points", response_model=PointsOut)
def points(account_id: int, db: Database = Depends(database), _c=Depends(require(CASHIER_DESK))):
    from paydesk.accounts.service import get_account

    with db.reading() as session:
        account = get_account(session, account_id)
        return PointsOut(
            account_id=account.id,
            cash_only_points=account.cash_only_points,
            history=[
                PointChangeOut(
                    change=c.change,
                    points_after=c.points_after,
                    reason=c.reason,
                    actor=c.actor,
                    tender_id=c.tender_id,
                    at=c.at,
                )
                for c in wallet.point_history(session, account_id)
            ],
        )


@router.post("/accounts/{account_id}/cash-only-points", response_model=PointsOut)
def change_points(account_id: int, body: PointsIn, call: Call = Depends(writer(SUPERVISORS))):
    """Supervisors add or take away cash-only points, with a reason (kept in the history)."""

    def work(session):
        account = wallet.change_cash_only_points(
            session, account_id, body.change, reason=body.reason, actor=call.actor
        )
        return PointsOut(
            account_id=account.id,
            cash_only_points=account.cash_only_points,
            history=[
                PointChangeOut(
                    change=c.change,
                    points_after=c.points_after,
                    reason=c.reason,
                    actor=c.actor,
                    tender_id=c.tender_id,
                    at=c.at,
                )
                for c in (session.flush() or wallet.point_history(session, account_id))
            ],
        )

    return call.run(work)


# --- cash drawer --------------------------------------------------------------------------


@router.post("/drawer-sessions", status_code=201, response_model=DrawerOut)
def open_drawer(body: DrawerOpenIn, call: Call = Depends(writer(CASHIER_DESK))):
    """Open the caller's cash-drawer session with a cash float."""
    amount = Money.parse(body.float_amount, body.currency.upper())
    return call.run(
        lambda s: DrawerOut.of(drawers.open_drawer(s, cashier=call.actor, float_amount=amount)),
        201,
    )


@router.get("/drawer-sessions/{drawer_id}", response_model=DrawerOut)
def get_drawer(drawer_id: int, db: Database = Depends(database), _c=Depends(require(CASHIER_DESK))):
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
        if drawer.cashier != call.actor and call.principal.role not in SUPERVISORS:
            raise Forbidden(f"drawer session {drawer_id} is {drawer.cashier}'s")
        counted = {k: Money.parse(v, drawer.currency) for k, v in body.counted.items()}
        drawer, result = drawers.close_drawer(
            session, drawer_id, counted=counted, actor=call.actor, note=body.note
        )
        return DrawerOut.of(drawer, _lines(result))

    return call.run(work)
