"""The payment planner: money + debts + policy → an immutable plan of every row to write.

Every way money arrives — the desk, a camt file, the bank feed or push, a held bank entry
assigned by hand — describes it as an :class:`Intake` (the tenders and their source, the
payments, the code a payment pays) and asks a :class:`Planner` for a :class:`Plan`. Later steps
on a payment (distribute again, distribute by hand, freeze, cancel) are planned here too. The
planner does no I/O: it works on the debts (:mod:`paydesk.payments.debts`) and code states it
was given, moves them in memory as it plans (so a batch of credits to one account or one code
is planned in order), and returns plans that :mod:`paydesk.payments.writer` stores.

The rules it applies, and only here:

- **Distribution** (:func:`paydesk.payments.distribution.distribute`): the payment's match
  (an invoice or a contract; a credit that pays a document's code matches that document), else
  payment priority, then oldest debt first; the excess per ``excess_policy``. A payment whose
  distribution fails is planned in status ``error`` with the reason: money received is never
  refused (a person redistributes it).
- **Freeze**: one negative ``payment`` ledger line per segment, split at the document the
  payment names (up to the document's open amount; the rest on the contract alone).
- **Code**: a payment on a payment code adds to the code's paid amount, takes the status that
  amount gives, and is listed on the code (date, bank or desk, amount, payer, reference).
- **Cancel**: a ``payment_reversal`` line per posted line; a payment that came from the bank
  also takes its amount off the code (the listed payment marked ``reversed``), cancels its
  tender, and puts its bank entry back among the held entries — or, when the bank itself took
  the money back, marks the entry ``reversed``.
- **Audit**: every status change of a payment, tender, code and bank entry is an audit row
  (who, when, from, to, why); a row created in its status has ``from`` empty.
- **Webhooks**: the events each change raises, shaped by :mod:`paydesk.payments.events`.

Ids of new events, tenders and payments are reserved by the writer before planning and given
in :class:`Ids`, so a plan is complete and the same inputs give the same plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, NamedTuple

from paydesk.codes.status import CodeState
from paydesk.money import Money
from paydesk.payments import events
from paydesk.payments.debts import AccountDebts
from paydesk.payments.distribution import (
    ExcessPolicy,
    Match,
    distribute_minor,
    manual_distribution,
    resolve_invoice_match,
)
from paydesk.payments.errors import DistributionError, InvalidMatch
from paydesk.payments.states import (
    PaymentAction,
    PaymentStatus,
    TenderStatus,
    require_action,
    transition,
)

__all__ = [
    "AuditRow",
    "BankCredit",
    "Cancellation",
    "CodePaymentRow",
    "EventRow",
    "Ids",
    "Intake",
    "LedgerRow",
    "PaymentIn",
    "PaymentRow",
    "PaymentState",
    "Plan",
    "Planner",
    "Policy",
    "SegmentRow",
    "TenderIn",
    "TenderRow",
]

Source = Literal["desk", "bank"]
DistributionAction = Literal["distribute_and_freeze", "manual"]

# --- the rows a plan writes (field order = column order) ---------------------------------


class EventRow(NamedTuple):
    id: int
    event_date: date
    source: str
    created_by: str
    created_at: datetime


class TenderRow(NamedTuple):
    id: int
    event_id: int
    tender_type: str
    amount_minor: int
    currency: str
    payer_account_id: int | None
    non_cis_name: str | None
    cheque_number: str | None
    iban_masked: str | None
    iban_fingerprint: str | None
    stored_method_id: int | None
    external_reference: str | None
    status: str
    cancel_reason: str | None
    drawer_session_id: int | None
    bank_entry_id: int | None
    created_at: datetime


class PaymentRow(NamedTuple):
    id: int
    event_id: int
    account_id: int
    amount_minor: int
    currency: str
    status: str
    match_type: str | None
    match_value: str | None
    non_cis_name: str | None
    non_cis_reference: str | None
    non_cis_comments: str | None
    error_message: str | None
    cancel_reason: str | None
    payment_code_id: int | None
    document_id: int | None
    created_at: datetime
    updated_at: datetime
    frozen_at: datetime | None


class SegmentRow(NamedTuple):
    payment_id: int
    contract_id: int
    amount_minor: int
    currency: str


class LedgerRow(NamedTuple):
    account_id: int
    contract_id: int
    kind: str
    amount_minor: int
    currency: str
    effective_date: date
    document_id: int | None
    payment_id: int
    reverses_id: int | None
    description: str
    created_at: datetime


class CodePaymentRow(NamedTuple):
    code_id: int
    paid_on: date
    bank_bic: str | None
    bank_name: str | None
    amount_minor: int
    currency: str
    payer_name: str | None
    bank_reference: str | None
    bank_entry_id: int | None
    payment_id: int
    status: str
    created_at: datetime


class AuditRow(NamedTuple):
    at: datetime
    actor: str
    entity_type: str
    entity_id: str
    from_status: str | None
    to_status: str
    reason: str | None
    detail: dict[str, object] | None


class PaymentUpdate(NamedTuple):
    """New values of an existing payment (the last field is its id)."""

    status: str
    error_message: str | None
    cancel_reason: str | None
    document_id: int | None
    frozen_at: datetime | None
    updated_at: datetime
    id: int


class CodeUpdate(NamedTuple):
    paid_minor: int
    status: str
    updated_at: datetime
    id: int


class StatusUpdate(NamedTuple):
    """A tender's or code payment's new status (with a reason where the table keeps one)."""

    status: str
    reason: str | None
    id: int


class BankEntryUpdate(NamedTuple):
    status: str
    reason: str | None
    code_id: int | None
    id: int


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything one intake or one step on a payment writes; see :mod:`.writer`."""

    events: tuple[EventRow, ...] = ()
    tenders: tuple[TenderRow, ...] = ()
    payments: tuple[PaymentRow, ...] = ()
    payment_updates: tuple[PaymentUpdate, ...] = ()
    #: Payments whose stored segments are replaced by ``segments``.
    resegmented: tuple[int, ...] = ()
    segments: tuple[SegmentRow, ...] = ()
    ledger: tuple[LedgerRow, ...] = ()
    code_payments: tuple[CodePaymentRow, ...] = ()
    code_payment_updates: tuple[StatusUpdate, ...] = ()
    code_updates: tuple[CodeUpdate, ...] = ()
    tender_updates: tuple[StatusUpdate, ...] = ()
    bank_entry_updates: tuple[BankEntryUpdate, ...] = ()
    audit: tuple[AuditRow, ...] = ()
    webhooks: tuple[tuple[str, dict[str, object]], ...] = ()


# --- what the planner is given -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Policy:
    """The settings distribution follows."""

    excess_policy: ExcessPolicy = "overpayment_contract"


class TenderIn(NamedTuple):
    """One tender of an intake: what was handed over, by whom, in what form."""

    type: str
    amount_minor: int
    currency: str
    payer_account_id: int | None = None
    non_cis_name: str | None = None
    cheque_number: str | None = None
    iban_masked: str | None = None
    iban_fingerprint: str | None = None
    stored_method_id: int | None = None
    external_reference: str | None = None
    drawer_session_id: int | None = None
    bank_entry_id: int | None = None


class PaymentIn(NamedTuple):
    """One payment of an intake: which account it pays, how much, and where to."""

    account_id: int
    amount_minor: int
    currency: str
    match: Match | None = None
    #: The payment code it pays (its document then is the payment's match).
    code_id: int | None = None
    non_cis_name: str | None = None
    non_cis_reference: str | None = None
    non_cis_comments: str | None = None
    #: Taken but not placed: the payment is planned in ``error`` with this reason (money a
    #: person follows up, say a desk payment on a code that takes no payment).
    error: str | None = None


class BankCredit(NamedTuple):
    """Where money from the bank came from: its bank entry and how the code lists it."""

    bank_entry_id: int
    #: The entry's status before: ``None`` for an entry stored with this plan (an import),
    #: ``"unmatched"`` for a held entry assigned by a person.
    entry_status: str | None
    bank_bic: str | None = None
    bank_name: str | None = None
    payer_name: str | None = None
    reference: str | None = None


class Intake(NamedTuple):
    """Money arriving: one payment event with its tenders and payments."""

    source: Source
    event_date: date
    actor: str
    tenders: tuple[TenderIn, ...]
    payments: tuple[PaymentIn, ...]
    distribution: DistributionAction = "distribute_and_freeze"
    #: Payments wait (``incomplete``) for a bank account to be validated.
    hold: bool = False
    bank: BankCredit | None = None
    #: Whose words the code lists for a desk payment (the cashier).
    desk_label: str | None = None


class Ids(NamedTuple):
    """Ids reserved for an intake's new rows."""

    event_id: int
    tender_ids: tuple[int, ...]
    payment_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class PaymentState:
    """A stored payment, as later steps need it."""

    id: int
    event_id: int
    account_id: int
    amount_minor: int
    currency: str
    status: str
    match_type: str | None
    match_value: str | None
    payment_code_id: int | None
    document_id: int | None
    source: str
    event_date: date
    frozen_at: datetime | None = None

    @property
    def match(self) -> Match | None:
        return Match(self.match_type, self.match_value) if self.match_type else None  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class PostedLine:
    """A ledger line of a payment not yet reversed."""

    id: int
    contract_id: int
    document_id: int | None
    amount_minor: int


@dataclass(frozen=True, slots=True)
class Cancellation:
    """A payment to cancel, with what it touched."""

    payment: PaymentState
    reason: str
    actor: str
    on: date
    lines: tuple[PostedLine, ...] = ()
    #: ``(tender id, status)`` of the bank tender that recorded the payment's bank entry.
    bank_tender: tuple[int, str] | None = None
    #: ``(code payment id, code id, amount, status)`` of the payment's listing on its code.
    code_payment: tuple[int, int, int, str] | None = None
    #: ``(bank entry id, status)`` of the entry the payment came from.
    bank_entry: tuple[int, str] | None = None
    #: The bank took the money back (the entry is ``reversed``), rather than a person cancelling
    #: (the entry goes back among the held entries).
    by_bank: bool = False


# --- the planner ------------------------------------------------------------------------


@dataclass(slots=True)
class _Rows:
    """Rows gathered while one plan is made."""

    payment_updates: list[PaymentUpdate] = field(default_factory=list)
    resegmented: list[int] = field(default_factory=list)
    segments: list[SegmentRow] = field(default_factory=list)
    ledger: list[LedgerRow] = field(default_factory=list)
    code_payments: list[CodePaymentRow] = field(default_factory=list)
    code_payment_updates: list[StatusUpdate] = field(default_factory=list)
    code_updates: list[CodeUpdate] = field(default_factory=list)
    tender_updates: list[StatusUpdate] = field(default_factory=list)
    bank_entry_updates: list[BankEntryUpdate] = field(default_factory=list)
    audit: list[AuditRow] = field(default_factory=list)
    webhooks: list[tuple[str, dict[str, object]]] = field(default_factory=list)

    def plan(self, **new: tuple) -> Plan:
        return Plan(
            payment_updates=tuple(self.payment_updates),
            resegmented=tuple(self.resegmented),
            segments=tuple(self.segments),
            ledger=tuple(self.ledger),
            code_payments=tuple(self.code_payments),
            code_payment_updates=tuple(self.code_payment_updates),
            code_updates=tuple(self.code_updates),
            tender_updates=tuple(self.tender_updates),
            bank_entry_updates=tuple(self.bank_entry_updates),
            audit=tuple(self.audit),
            webhooks=tuple(self.webhooks),
            **new,
        )


class _Distribution(NamedTuple):
    status: PaymentStatus
    segments: tuple[tuple[int, int], ...] = ()
    error: str | None = None
    document_id: int | None = None


class Planner:
    """Plans intakes and payment steps over debts and code states it keeps up to date.

    ``debts`` must hold every account an intake or step names (:func:`.debts.load_debts`),
    ``codes`` every code a payment pays. No I/O: the same inputs give the same plans.
    """

    def __init__(
        self,
        debts: Mapping[int, AccountDebts],
        codes: Mapping[int, CodeState] | None = None,
        *,
        policy: Policy,
        now: datetime,
        tell: bool = True,
    ) -> None:
        self.debts = dict(debts)
        self.codes = dict(codes or {})
        self.policy = policy
        self.now = now
        #: Build webhook events (False when nobody listens: they would be thrown away).
        self.tell = tell

    # -- money arriving -------------------------------------------------------------------

    def intake(self, intake: Intake, ids: Ids) -> Plan:
        """The plan of a new payment event: tenders, payments distributed and frozen (or held
        for validation, or left for a manual distribution), the code paid, the bank entry."""
        return self.intakes([(intake, ids)])

    def intakes(self, batch: Sequence[tuple[Intake, Ids]]) -> Plan:
        """One plan for many intakes (a bank file's chunk), planned in order."""
        rows = _Rows()
        event_rows: list[EventRow] = []
        tenders: list[TenderRow] = []
        payments: list[PaymentRow] = []
        for intake, ids in batch:
            self._intake(intake, ids, rows, event_rows, tenders, payments)
        return rows.plan(events=tuple(event_rows), tenders=tuple(tenders), payments=tuple(payments))

    def _intake(
        self,
        intake: Intake,
        ids: Ids,
        rows: _Rows,
        event_rows: list[EventRow],
        tenders: list[TenderRow],
        payments: list[PaymentRow],
    ) -> None:
        now, actor = self.now, intake.actor
        event_id = ids.event_id
        event_rows.append(EventRow(event_id, intake.event_date, intake.source, actor, now))
        for tender_id, t in zip(ids.tender_ids, intake.tenders, strict=True):
            tenders.append(
                TenderRow(
                    tender_id,
                    event_id,
                    t.type,
                    t.amount_minor,
                    t.currency,
                    t.payer_account_id,
                    t.non_cis_name,
                    t.cheque_number,
                    t.iban_masked,
                    t.iban_fingerprint,
                    t.stored_method_id,
                    t.external_reference,
                    TenderStatus.VALID.value,
                    None,
                    t.drawer_session_id,
                    t.bank_entry_id,
                    now,
                )
            )
            rows.audit.append(
                AuditRow(now, actor, "tender", str(tender_id), None, "valid", None, None)
            )
        distribute_now = not intake.hold and intake.distribution == "distribute_and_freeze"
        for payment_id, p in zip(ids.payment_ids, intake.payments, strict=True):
            code = self.codes[p.code_id] if p.code_id is not None else None
            match = p.match
            if match is None and code is not None and code.document_id is not None:
                match = Match("invoice", str(code.document_id))
            document_id = code.document_id if code is not None else None
            status, error, frozen_at = PaymentStatus.INCOMPLETE, None, None
            if p.error is not None:
                status, error = PaymentStatus.ERROR, p.error
            elif distribute_now:
                outcome = self._distribute(p.account_id, p.amount_minor, match)
                status, error = outcome.status, outcome.error
                document_id = outcome.document_id if outcome.document_id else document_id
                if status is PaymentStatus.FREEZABLE:
                    self._post(
                        rows,
                        payment_id,
                        p.account_id,
                        p.currency,
                        outcome.segments,
                        document_id,
                        intake.event_date,
                    )
                    status, frozen_at = PaymentStatus.FROZEN, now
            payment = PaymentRow(
                payment_id,
                event_id,
                p.account_id,
                p.amount_minor,
                p.currency,
                status.value,
                p.match.type if p.match is not None else None,
                p.match.value if p.match is not None else None,
                p.non_cis_name,
                p.non_cis_reference,
                p.non_cis_comments,
                error,
                None,
                p.code_id,
                document_id,
                now,
                now,
                frozen_at,
            )
            payments.append(payment)
            rows.audit.append(
                AuditRow(
                    now,
                    actor,
                    "payment",
                    str(payment_id),
                    None,
                    status.value,
                    error,
                    {"event_id": event_id, "source": intake.source},
                )
            )
            if self.tell and status in (PaymentStatus.FROZEN, PaymentStatus.ERROR):
                rows.webhooks.append(
                    events.payment(
                        payment,
                        status.value,
                        source=intake.source,
                        rf=code.rf if code is not None else None,
                        document_id=document_id,
                        reason=error,
                    )
                )
            if code is not None:
                self._pay_code(rows, intake, code, payment)
        if intake.bank is not None and intake.bank.entry_status is not None:
            credit = intake.bank
            code_id = intake.payments[0].code_id if intake.payments else None
            rf = self.codes[code_id].rf if code_id is not None else None
            reason = f"assigned to {rf}" if rf else "assigned"
            rows.bank_entry_updates.append(
                BankEntryUpdate("matched", reason, code_id, credit.bank_entry_id)
            )
            rows.audit.append(
                AuditRow(
                    now,
                    actor,
                    "bank_entry",
                    str(credit.bank_entry_id),
                    credit.entry_status,
                    "matched",
                    reason,
                    None,
                )
            )

    def _pay_code(self, rows: _Rows, intake: Intake, code: CodeState, payment: PaymentRow) -> None:
        now = self.now
        paid = code.with_paid(code.paid_minor + payment.amount_minor)
        self.codes[code.id] = paid
        credit = intake.bank
        rows.code_payments.append(
            CodePaymentRow(
                code.id,
                intake.event_date,
                credit.bank_bic if credit else None,
                credit.bank_name if credit else intake.desk_label,
                payment.amount_minor,
                payment.currency,
                credit.payer_name if credit else payment.non_cis_name,
                credit.reference if credit else None,
                credit.bank_entry_id if credit else None,
                payment.id,
                "received",
                now,
            )
        )
        rows.code_updates.append(CodeUpdate(paid.paid_minor, paid.status, now, code.id))
        if paid.status != code.status:
            rows.audit.append(
                AuditRow(
                    now,
                    intake.actor,
                    "payment_code",
                    code.rf,
                    code.status,
                    paid.status,
                    f"payment {payment.id}",
                    None,
                )
            )
        if not self.tell:
            return
        event = events.code_paid(
            paid,
            code.status,
            amount_minor=payment.amount_minor,
            paid_on=intake.event_date,
            bank_bic=credit.bank_bic if credit else None,
            bank_name=credit.bank_name if credit else intake.desk_label,
            payer_name=credit.payer_name if credit else payment.non_cis_name,
        )
        if event is not None:
            rows.webhooks.append(event)

    # -- steps on a stored payment -----------------------------------------------------------

    def distribution(
        self, payment: PaymentState, *, actor: str, freeze: bool, match: Match | None = None
    ) -> Plan:
        """Distribute (again) by the standard rules → ``freezable`` or ``error``; and freeze
        when asked and distribution succeeded."""
        require_action(PaymentStatus(payment.status), PaymentAction.DISTRIBUTE)
        if match is None:
            match = payment.match
            if match is None and payment.payment_code_id is not None:
                code = self.codes.get(payment.payment_code_id)
                if code is not None and code.document_id is not None:
                    match = Match("invoice", str(code.document_id))
        outcome = self._distribute(payment.account_id, payment.amount_minor, match)
        document_id = outcome.document_id or payment.document_id
        rows = _Rows()
        rows.resegmented.append(payment.id)
        self._move(rows, payment, outcome.status, actor=actor, reason=outcome.error)
        status, frozen_at = outcome.status, None
        if outcome.status is PaymentStatus.FREEZABLE:
            segments = outcome.segments
            if freeze:
                self._post(
                    rows,
                    payment.id,
                    payment.account_id,
                    payment.currency,
                    segments,
                    document_id,
                    payment.event_date,
                    segments_too=True,
                )
                self._move(rows, payment, PaymentStatus.FROZEN, actor=actor, previous=status)
                status, frozen_at = PaymentStatus.FROZEN, self.now
            else:
                rows.segments.extend(
                    SegmentRow(payment.id, c, a, payment.currency) for c, a in segments
                )
        rows.payment_updates.append(
            PaymentUpdate(
                status.value, outcome.error, None, document_id, frozen_at, self.now, payment.id
            )
        )
        self._tell(rows, payment, status, document_id, error=outcome.error)
        return rows.plan()

    def manual(
        self, payment: PaymentState, shares: Mapping[int, Money], *, actor: str, freeze: bool
    ) -> Plan:
        """Segments set by hand (they must sum to the payment exactly) → ``freezable``, and
        ``frozen`` when asked."""
        require_action(PaymentStatus(payment.status), PaymentAction.DISTRIBUTE)
        debts = self.debts[payment.account_id]
        amount = Money.from_minor(payment.amount_minor, payment.currency)
        segments = tuple(
            (int(s.contract_id), s.amount.minor)
            for s in manual_distribution(
                amount,
                {str(k): v for k, v in shares.items()},
                [str(c.id) for c in debts.contracts],
            )
        )
        rows = _Rows()
        rows.resegmented.append(payment.id)
        self._move(rows, payment, PaymentStatus.FREEZABLE, actor=actor, detail={"manual": True})
        status, frozen_at = PaymentStatus.FREEZABLE, None
        if freeze:
            self._post(
                rows,
                payment.id,
                payment.account_id,
                payment.currency,
                segments,
                payment.document_id,
                payment.event_date,
            )
            self._move(rows, payment, PaymentStatus.FROZEN, actor=actor, previous=status)
            status, frozen_at = PaymentStatus.FROZEN, self.now
        else:
            rows.segments.extend(
                SegmentRow(payment.id, c, a, payment.currency) for c, a in segments
            )
        rows.payment_updates.append(
            PaymentUpdate(
                status.value, None, None, payment.document_id, frozen_at, self.now, payment.id
            )
        )
        self._tell(rows, payment, status, payment.document_id)
        return rows.plan()

    def freeze(
        self, payment: PaymentState, segments: Sequence[tuple[int, int]], *, actor: str
    ) -> Plan:
        """Post a freezable payment's stored segments → ``frozen``."""
        require_action(PaymentStatus(payment.status), PaymentAction.FREEZE)
        rows = _Rows()
        self._post(
            rows,
            payment.id,
            payment.account_id,
            payment.currency,
            tuple(segments),
            payment.document_id,
            payment.event_date,
            segments_too=False,
        )
        self._move(rows, payment, PaymentStatus.FROZEN, actor=actor)
        rows.payment_updates.append(
            PaymentUpdate(
                PaymentStatus.FROZEN.value,
                None,
                None,
                payment.document_id,
                self.now,
                self.now,
                payment.id,
            )
        )
        self._tell(rows, payment, PaymentStatus.FROZEN, payment.document_id)
        return rows.plan()

    def cancellation(self, cancel: Cancellation) -> Plan:
        """Cancel a payment with a reason (see the module docstring for what follows)."""
        payment, reason, actor, now = cancel.payment, cancel.reason, cancel.actor, self.now
        previous = PaymentStatus(payment.status)
        require_action(previous, PaymentAction.CANCEL)
        transition(previous, PaymentStatus.CANCELLED, reason=reason)
        rows = _Rows()
        back: list[tuple[int, int | None, int]] = []
        for line in cancel.lines:
            rows.ledger.append(
                LedgerRow(
                    payment.account_id,
                    line.contract_id,
                    "payment_reversal",
                    -line.amount_minor,
                    payment.currency,
                    cancel.on,
                    line.document_id,
                    payment.id,
                    line.id,
                    f"payment {payment.id} cancelled: {reason}"[:200],
                    now,
                )
            )
            back.append((line.contract_id, line.document_id, -line.amount_minor))
        if back:
            debts = self.debts.get(payment.account_id)
            if debts is not None:
                self.debts[payment.account_id] = debts.after(back)
        self._move(rows, payment, PaymentStatus.CANCELLED, actor=actor, reason=reason)
        rows.payment_updates.append(
            PaymentUpdate(
                PaymentStatus.CANCELLED.value,
                None,
                reason,
                payment.document_id,
                payment.frozen_at,
                now,
                payment.id,
            )
        )
        if cancel.bank_tender is not None and cancel.bank_tender[1] == TenderStatus.VALID:
            tender_id = cancel.bank_tender[0]
            rows.tender_updates.append(StatusUpdate("cancelled", reason, tender_id))
            rows.audit.append(
                AuditRow(now, actor, "tender", str(tender_id), "valid", "cancelled", reason, None)
            )
        if cancel.code_payment is not None and cancel.code_payment[3] == "received":
            self._unpay_code(rows, cancel)
        if cancel.bank_entry is not None:
            self._release_entry(rows, cancel)
        if previous in (PaymentStatus.FROZEN, PaymentStatus.ERROR):
            code = self.codes.get(payment.payment_code_id) if payment.payment_code_id else None
            rows.webhooks.append(
                events.payment(
                    payment,
                    "cancelled",
                    source=payment.source,
                    rf=code.rf if code is not None else None,
                    document_id=payment.document_id,
                    reason=reason,
                )
            )
        return rows.plan()

    def _unpay_code(self, rows: _Rows, cancel: Cancellation) -> None:
        assert cancel.code_payment is not None
        listed_id, code_id, amount, _ = cancel.code_payment
        now, actor, reason = self.now, cancel.actor, cancel.reason
        rows.code_payment_updates.append(StatusUpdate("reversed", None, listed_id))
        code = self.codes[code_id]
        unpaid = code.with_paid(code.paid_minor - amount)
        self.codes[code_id] = unpaid
        rows.code_updates.append(CodeUpdate(unpaid.paid_minor, unpaid.status, now, code_id))
        if unpaid.status != code.status:
            rows.audit.append(
                AuditRow(
                    now, actor, "payment_code", code.rf, code.status, unpaid.status, reason, None
                )
            )
            event = events.code_status(unpaid, code.status)
            if event is not None:
                rows.webhooks.append(event)

    def _release_entry(self, rows: _Rows, cancel: Cancellation) -> None:
        assert cancel.bank_entry is not None
        entry_id, status = cancel.bank_entry
        now, actor = self.now, cancel.actor
        if cancel.by_bank:
            target, why = "reversed", cancel.reason
        else:
            target = "unmatched"
            why = f"payment {cancel.payment.id} cancelled by {actor}: {cancel.reason}"
        if status == target:
            return
        rows.bank_entry_updates.append(BankEntryUpdate(target, why, None, entry_id))
        rows.audit.append(
            AuditRow(now, actor, "bank_entry", str(entry_id), status, target, why, None)
        )
        if target == "unmatched":
            rows.webhooks.append(
                events.bank_entry_held(
                    entry_id,
                    reason=why,
                    amount_minor=cancel.payment.amount_minor,
                    currency=cancel.payment.currency,
                )
            )

    # -- the rules ---------------------------------------------------------------------------

    def _distribute(self, account_id: int, amount_minor: int, match: Match | None) -> _Distribution:
        debts = self.debts[account_id]
        contracts = debts.contract_views()
        settled: frozenset[str] = frozenset()
        named: int | None = None  # the document an invoice match names, once known
        try:
            if match is not None and match.type == "invoice" and match.value is not None:
                document = debts.document_by_value(match.value)
                if document is None:
                    raise InvalidMatch(
                        f"invoice {match.value!r} is not among the account's invoices",
                        value=match.value,
                    )
                named = document.id
                match = Match("invoice", str(document.id))
                if debts.document_open_minor(document.id) == 0:
                    settled = frozenset({str(document.id)})
            segments = distribute_minor(
                amount_minor,
                debts.currency,
                contracts,
                match,
                self.policy.excess_policy,
                settled,
            )
            if match is not None and match.type == "invoice" and named is None:
                items = [i for c in contracts for i in c.open_items if i.open_minor > 0]
                named = int(resolve_invoice_match(match.value, items).document_id)
        except (DistributionError, InvalidMatch) as error:
            return _Distribution(PaymentStatus.ERROR, error=error.detail, document_id=named)
        return _Distribution(
            PaymentStatus.FREEZABLE, tuple([(int(c), m) for c, m in segments]), None, named
        )

    def _post(
        self,
        rows: _Rows,
        payment_id: int,
        account_id: int,
        currency: str,
        segments: tuple[tuple[int, int], ...],
        document_id: int | None,
        effective: date,
        *,
        segments_too: bool = True,
    ) -> None:
        """The segments (when new) and their ledger lines, split at the payment's document;
        the account's debts move by them."""
        debts = self.debts[account_id]
        document = debts.documents.get(document_id) if document_id is not None else None
        open_on_document = debts.document_open_minor(document_id) if document else 0
        moved: list[tuple[int, int | None, int]] = []
        now = self.now
        description = f"payment {payment_id}"
        for contract_id, share in segments:
            if segments_too:
                rows.segments.append(SegmentRow(payment_id, contract_id, share, currency))
            parts: tuple[tuple[int, int | None], ...] = ((share, None),)
            if document is not None and document.contract_id == contract_id:
                on_document = min(share, open_on_document)
                open_on_document -= on_document
                parts = ((on_document, document.id), (share - on_document, None))
            for minor, tagged in parts:
                if minor:
                    rows.ledger.append(
                        LedgerRow(
                            account_id,
                            contract_id,
                            "payment",
                            -minor,
                            currency,
                            effective,
                            tagged,
                            payment_id,
                            None,
                            description,
                            now,
                        )
                    )
                    moved.append((contract_id, tagged, -minor))
        self.debts[account_id] = debts.after(moved)

    def _move(
        self,
        rows: _Rows,
        payment: PaymentState,
        target: PaymentStatus,
        *,
        actor: str,
        reason: str | None = None,
        detail: dict[str, object] | None = None,
        previous: PaymentStatus | None = None,
    ) -> None:
        previous = previous or PaymentStatus(payment.status)
        transition(previous, target, reason=reason)
        rows.audit.append(
            AuditRow(
                self.now,
                actor,
                "payment",
                str(payment.id),
                previous.value,
                target.value,
                reason,
                detail,
            )
        )

    def _tell(
        self,
        rows: _Rows,
        payment: PaymentState,
        status: PaymentStatus,
        document_id: int | None,
        *,
        error: str | None = None,
    ) -> None:
        if status not in (PaymentStatus.FROZEN, PaymentStatus.ERROR):
            return
        code = self.codes.get(payment.payment_code_id) if payment.payment_code_id else None
        rows.webhooks.append(
            events.payment(
                payment,
                status.value,
                source=payment.source,
                rf=code.rf if code is not None else None,
                document_id=document_id,
                reason=error,
            )
        )
