"""The cashier desk API's request bodies and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from paydesk.api.schemas import Amount, AmountText, Minor, Out, PageOf, Reason, Strict
from paydesk.cashier import service as desk
from paydesk.cashier.models import CashDrawerSession, ServiceTask, StoredPaymentMethod
from paydesk.money import Money
from paydesk.payments import limits
from paydesk.payments.models import Payment, PaymentSegment, Tender
from paydesk.payments.states import PaymentStatus, allowed_actions
from paydesk.tender_type import TenderType

# --- bodies --------------------------------------------------------------------------------


class PaymentIn(Strict):
    account_id: int
    amount: AmountText | None = Field(
        default=None, description="Omitted: the amount default (settings' algorithm)."
    )
    match_type: Literal["invoice", "contract"] | None = None
    match_value: str | None = Field(default=None, max_length=limits.REFERENCE)
    non_cis_name: str | None = Field(default=None, max_length=limits.NAME)
    non_cis_reference: str | None = Field(default=None, max_length=limits.REFERENCE)
    non_cis_comments: str | None = Field(default=None, max_length=limits.COMMENTS)


class TenderIn(Strict):
    type: str = Field(max_length=30, examples=["cash", "cheque", "direct_debit"])
    amount: AmountText | None = Field(
        default=None, description="Omitted with a single tender: the payments' total."
    )
    payer_account_id: int | None = None
    non_cis_payer: str | None = Field(default=None, max_length=limits.NAME)
    cheque_number: str | None = None
    iban: str | None = Field(default=None, max_length=50)
    holder_name: str | None = Field(default=None, max_length=limits.NAME)
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
    match_value: str | None = Field(default=None, max_length=limits.REFERENCE)


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
    holder_name: str = Field(min_length=1, max_length=limits.NAME)
    kind: Literal["checking", "savings"] = "checking"
    label: str = Field(default="", max_length=80)


class AutopayIn(Strict):
    stored_method_id: int


class PointsIn(Strict):
    change: int = Field(ge=-1000, le=1000)
    reason: Reason
    ends_on: date | None = Field(
        default=None,
        description="Last day the entry counts; omitted: `cash_only_points_months` from today",
    )


class QuickIn(Strict):
    rule: str = Field(max_length=30, examples=["rf", "document", "account", "contract"])
    value: str = Field(max_length=64, examples=["RF18539007547034"])
    amount: AmountText | None = Field(
        default=None,
        description="Omitted: a fixed code's amount due, else the amount default.",
    )
    tenders: list[TenderIn] = Field(min_length=1)
    event_date: date | None = None


class DrawerOpenIn(Strict):
    float_amount: AmountText = "0.00"
    currency: str = Field(default="EUR", min_length=3, max_length=3)


class DrawerCloseIn(Strict):
    counted: dict[str, AmountText]
    note: str | None = Field(default=None, max_length=500)


# --- answers --------------------------------------------------------------------------------


class SegmentOut(Out):
    contract_id: int
    amount: Amount


class PaymentOut(Out):
    id: int
    event_id: int
    account_id: int
    amount: Amount
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
        return cls.of_row(
            p,
            allowed_actions=sorted(allowed_actions(PaymentStatus(p.status))),
            segments=None if segments is None else [SegmentOut.of_row(s) for s in segments],
        )


class TenderOut(Out):
    id: int
    type: str
    amount: Amount
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
        return cls.of_row(t, type=t.tender_type, non_cis_payer=t.non_cis_name, iban=t.iban_masked)


class TaskOut(Out):
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
        return cls.of_row(t, iban=t.iban_masked)


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


class EventListOut(PageOf[EventOut]):
    pass


class StoredMethodOut(Out):
    id: int
    account_id: int
    kind: str
    holder_name: str
    label: str
    iban: str = Field(description="Masked")
    status: str

    @classmethod
    def of(cls, m: StoredPaymentMethod) -> StoredMethodOut:
        return cls.of_row(m, iban=m.iban_masked)


class OptionOut(BaseModel):
    kind: str = Field(description="stored_method | autopay")
    stored_method: StoredMethodOut
    tender_type: str
    tender_amount: str


class PaymentOptionsOut(BaseModel):
    account_id: int
    currency: str
    amount_default: str
    amount_default_algorithm: str
    cash_only_points: int
    cash_only_threshold: int
    cash_only_warning: str | None
    existing: list[OptionOut]
    new: list[str] = Field(
        description="New payment options the tender types allow: cash, cheque, bank_account"
    )
    tender_types: list[TenderType] = Field(
        description="The tender types the desk takes (card types go to the card processor)"
    )
    cash_back: str = Field(description="The cash-back rule in one sentence")


class PointChangeOut(Out):
    id: int
    change: int
    points_after: int
    reason: str
    actor: str
    tender_id: int | None
    at: datetime
    ends_on: date | None
    cancels_id: int | None


class RatingEntryOut(BaseModel):
    id: int
    points: int
    reason: str
    actor: str
    at: datetime
    ends_on: date | None
    tender_id: int | None
    status: str = Field(description="in_force | ended | cancelled")
    cancelled_by: str | None
    cancelled_at: datetime | None
    cancel_reason: str | None


class PointsOut(BaseModel):
    account_id: int
    cash_only_points: int = Field(description="The credit-rating total: entries in force")
    cash_only_threshold: int
    cash_only: bool
    entries: list[RatingEntryOut] = Field(description="The credit rating, newest first")
    history: list[PointChangeOut] = Field(description="Every row, cancellations included")


class DrawerLineOut(BaseModel):
    tender_type: str
    expected: str
    counted: str
    difference: str


class DrawerOut(Out):
    id: int
    cashier: str
    currency: str
    status: str
    float_amount: Annotated[str, Minor("float_minor")]
    opened_at: datetime
    closed_at: datetime | None
    lines: list[DrawerLineOut] | None = None
    note: str | None = None

    @classmethod
    def of(cls, d: CashDrawerSession, lines: list[DrawerLineOut] | None = None) -> DrawerOut:
        return cls.of_row(d, lines=lines)
