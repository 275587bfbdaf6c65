"""Issue, find, list, expire and cancel payment codes (storage around the pure rules)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any, Protocol

from sqlalchemy import Select, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from paydesk.accounts.models import Account
from paydesk.audit import trail
from paydesk.codes import layouts, rf
from paydesk.codes.models import LIVE_STATUSES, CodePayment, CodeSerial, PaymentCode
from paydesk.codes.status import CodeState, CodeStatus, check_cancel
from paydesk.db.base import utcnow
from paydesk.db.bulk import among_param
from paydesk.db.listing import Sorts, fetch_page, within
from paydesk.db.lookup import rows_of
from paydesk.errors import Conflict, InvalidInput, NotFound
from paydesk.settings import AmountType, IssueMode, Settings


class Billed(Protocol):
    """A document as codes see it (``paydesk.documents.models.Document``; the documents
    package sits above this one and fires the issuing rules)."""

    id: int
    account_id: int
    kind: str
    number: str
    status: str
    amount_minor: int
    currency: str
    issue_payment_code: bool

    @property
    def receivable(self) -> bool: ...


#: Sentinel: "use the default ceiling" (the document's amount for open codes).
DEFAULT = object()
#: How the audit trail names a code (by its RF).
ENTITY = "payment_code"

#: Called as ``hook(session, settings, code, actor=...)`` inside the transaction that issued a
#: document's code. Higher floors react to an issue through it without codes importing them:
#: ``paydesk.slips`` registers the queueing of the slip e-mail (``slips.outbox.queue_on_issue``)
#: when it is imported, which ``paydesk.db.models`` and every entry point do.
IssuedHook = Callable[..., object]
_issued_hooks: list[IssuedHook] = []


def on_issued(hook: IssuedHook) -> IssuedHook:
    """Register ``hook`` to run after each newly issued document code (once per hook)."""
    if hook not in _issued_hooks:
        _issued_hooks.append(hook)
    return hook


def issued_hooks() -> tuple[IssuedHook, ...]:
    """The registered hooks, in registration order."""
    return tuple(_issued_hooks)


@dataclass(frozen=True)
class Issued:
    code: PaymentCode
    created: bool


def next_serial(session: Session, scope: str) -> int:
    """Allocate the next serial of ``scope`` (row-locked; no gaps are promised)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(CodeSerial)
        .values(scope=scope, next_value=1)
        .on_conflict_do_nothing(index_elements=["scope"])
    )
    value = session.scalar(
        update(CodeSerial)
        .where(CodeSerial.scope == scope)
        .values(next_value=CodeSerial.next_value + 1)
        .returning(CodeSerial.next_value - 1)
    )
    assert value is not None
    return int(value)


def live_code(session: Session, document_id: int) -> PaymentCode | None:
    return session.scalar(
        select(PaymentCode).where(
            PaymentCode.document_id == document_id, PaymentCode.status.in_(LIVE_STATUSES)
        )
    )


def _record(session: Session, rf_code: str, to: str, *, actor: str, **change: Any) -> None:
    """Record that the code ``rf_code`` went ``to`` a status (``change``: its ``from_status``,
    ``detail``) in the audit trail, which names codes by their RF."""
    trail.record(
        session, actor=actor, entity_type=ENTITY, entity_id=rf_code, to_status=to, **change
    )


def _new_rf(session: Session, settings: Settings, kind: str, number: str) -> str:
    if settings.rf_layout == "dias":
        scope = f"dias:{settings.organisation_code}:{kind}"
        serial = next_serial(session, scope)
        return rf.create(layouts.dias_reference(settings.organisation_code, kind, serial))

    # iso: the document number, with a version when the same reference was issued before.
    def code_of(version: int) -> str:
        return rf.create(layouts.iso_reference(settings.rf_prefix, kind, number, version))

    def taken(version: int) -> bool:
        found = session.scalar(select(PaymentCode.id).where(PaymentCode.rf == code_of(version)))
        return found is not None

    # Versions are issued in turn from 1, so the taken ones are 1..n: find n + 1 by doubling,
    # then halving (about 2·log2 n reads, not n: an account's own code is issued again and
    # again on the same number).
    if not taken(1):
        return code_of(1)
    free = 2
    while taken(free):
        free *= 2
    used = free // 2  # taken; every version between used and free is unknown
    while free - used > 1:
        middle = (used + free) // 2
        if taken(middle):
            used = middle
        else:
            free = middle
    return code_of(free)


def _expiry(settings: Settings, kind: str, today: date, expires_on: date | None) -> date | None:
    if expires_on is not None:
        if expires_on < today:
            raise InvalidInput(f"expiry {expires_on} is in the past")
        return expires_on
    days = settings.rule_for(kind).valid_days if kind in settings.issuing else None
    return today + timedelta(days=days) if days else None


def issue_for_document(
    session: Session,
    settings: Settings,
    document: Billed,
    *,
    actor: str,
    amount_type: str | None = None,
    ceiling_minor: int | object | None = DEFAULT,
    expires_on: date | None = None,
    today: date | None = None,
) -> Issued:
    """Issue the document's code, or return the live one: a document has at most one."""
    existing = live_code(session, document.id)
    if existing is not None:
        return Issued(existing, created=False)
    if document.status == "cancelled":
        raise Conflict(f"{document.kind} {document.number} is cancelled; no code can be issued")
    if not document.receivable:
        raise Conflict(
            f"{document.kind} {document.number} is {document.status!r}: not yet receivable, "
            "so no payment code can be issued"
        )
    today = today or date.today()
    kind_type = amount_type or settings.rule_for(document.kind).amount_type
    if kind_type not in (AmountType.FIXED, AmountType.OPEN):
        raise InvalidInput(f"amount type {kind_type!r} is neither 'fixed' nor 'open'")
    if kind_type == AmountType.FIXED:
        if ceiling_minor not in (DEFAULT, None, document.amount_minor):
            raise InvalidInput("a fixed-amount code is for the document's amount; no ceiling")
        amount = document.amount_minor
    else:
        amount = document.amount_minor if ceiling_minor is DEFAULT else ceiling_minor  # type: ignore[assignment]
    code = PaymentCode(
        rf=_new_rf(session, settings, document.kind, document.number),
        document_id=document.id,
        account_id=document.account_id,
        kind=document.kind,
        amount_type=str(kind_type),
        amount_minor=amount,
        currency=document.currency,
        paid_minor=0,
        status=CodeStatus.ACTIVE,
        expires_on=_expiry(settings, document.kind, today, expires_on),
        issued_by=actor,
    )
    try:
        with session.begin_nested():
            session.add(code)
            session.flush()
    except IntegrityError:
        # Another transaction issued the document's code first: that one stands.
        existing = live_code(session, document.id)
        if existing is None:
            raise
        return Issued(existing, created=False)
    _record(session, code.rf, CodeStatus.ACTIVE, actor=actor, detail={"document_id": document.id})
    # E.g. the rule may e-mail the slip: queued here, delivered later outside this transaction.
    for hook in _issued_hooks:
        hook(session, settings, code, actor=actor)
    return Issued(code, created=True)


def issue_for_account(
    session: Session,
    settings: Settings,
    account: Account,
    *,
    actor: str,
    ceiling_minor: int | None = None,
    expires_on: date | None = None,
    today: date | None = None,
) -> PaymentCode:
    """An account-level open code: any payment on it goes to the account's debt."""
    today = today or date.today()
    code = PaymentCode(
        rf=_new_rf(session, settings, "account", account.number),
        document_id=None,
        account_id=account.id,
        kind="account",
        amount_type=AmountType.OPEN,
        amount_minor=ceiling_minor,
        currency=account.currency,
        paid_minor=0,
        status=CodeStatus.ACTIVE,
        expires_on=_expiry(settings, "account", today, expires_on),
        issued_by=actor,
    )
    return trail.add_created(
        session,
        code,
        actor=actor,
        entity_type=ENTITY,
        entity_id=code.rf,
        status=CodeStatus.ACTIVE,
        detail={"account_id": account.id},
    )


def fire_rules(
    session: Session, settings: Settings, document: Billed, *, actor: str, created: bool
) -> Issued | None:
    """Apply the kind's issuing rule after a document was created or changed status."""
    rule = settings.rule_for(document.kind)
    if rule.mode == IssueMode.ON_STATUS and document.status == rule.trigger_status:
        return issue_for_document(session, settings, document, actor=actor)
    if rule.mode == IssueMode.ON_CREATE_IF_REQUESTED and created and document.issue_payment_code:
        return issue_for_document(session, settings, document, actor=actor)
    return None


def get(session: Session, text: str, *, lock: bool = False) -> PaymentCode:
    """The code for an RF given in any spelling; a malformed RF is an input error."""
    code_text = rf.validate(text)
    query = select(PaymentCode).where(PaymentCode.rf == code_text)
    if lock:
        query = query.with_for_update()
    code = session.scalar(query)
    if code is None:
        raise NotFound(f"no payment code {code_text}")
    return code


def cancel(session: Session, text: str, *, reason: str, actor: str) -> PaymentCode:
    reason = trail.required_reason(reason, "a reason is required to cancel a payment code")
    code = get(session, text, lock=True)
    if code.status == CodeStatus.CANCELLED:
        return code  # cancelling twice changes nothing
    check_cancel(code.status)
    code.cancel_reason = reason
    trail.change(
        session,
        code,
        CodeStatus.CANCELLED,
        actor=actor,
        entity_type=ENTITY,
        entity_id=code.rf,
        reason=reason,
    )
    return code


def expire_due(session: Session, *, today: date | None = None, actor: str = "system") -> int:
    """Move payable codes past their expiry date to ``expired``; returns how many."""
    today = today or date.today()
    due = session.execute(
        select(PaymentCode.id, PaymentCode.rf, PaymentCode.status)
        .where(
            PaymentCode.expires_on < today,
            PaymentCode.status.in_((CodeStatus.ACTIVE, CodeStatus.PARTIALLY_PAID)),
        )
        .with_for_update()
    ).all()
    if not due:
        return 0
    session.execute(
        update(PaymentCode)
        .where(PaymentCode.id.in_([row.id for row in due]))
        .values(status=CodeStatus.EXPIRED, updated_at=utcnow())
    )
    for row in due:
        _record(session, row.rf, CodeStatus.EXPIRED, actor=actor, from_status=row.status)
    return len(due)


@dataclass(frozen=True)
class CodeFilter:
    status: str | None = None
    kind: str | None = None
    account_id: int | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    #: Only payable codes (active, partially paid) that expire on or before this day.
    expiring_by: date | None = None


def still_payable_minor(code: PaymentCode) -> int | None:
    """What may still be paid on ``code``: a fixed code's amount still due, an open code's
    ceiling less what was paid (never below zero); ``None`` for an open code with no ceiling."""
    if code.amount_minor is None:
        return None
    return max(code.amount_minor - code.paid_minor, 0)


#: Columns a code list sorts by (``"-issued"``: newest first, the default).
SORTS = Sorts(
    {
        "rf": PaymentCode.rf,
        "kind": PaymentCode.kind,
        "status": PaymentCode.status,
        "amount": PaymentCode.amount_minor,
        "paid": PaymentCode.paid_minor,
        "issued": PaymentCode.issued_at,
        "expires": PaymentCode.expires_on,
    },
    default="-issued",
    tie=PaymentCode.id,
)


def search(
    session: Session, filters: CodeFilter, *, limit: int, offset: int, sort: str = "-issued"
) -> tuple[list[PaymentCode], int]:
    """Codes matching the filters in ``sort`` order, and how many match in all."""
    query = select(PaymentCode)
    if filters.status:
        query = query.where(PaymentCode.status == filters.status)
    if filters.kind:
        query = query.where(PaymentCode.kind == filters.kind)
    if filters.account_id is not None:
        query = query.where(PaymentCode.account_id == filters.account_id)
    query = within(
        query, PaymentCode.issued_at, filters.issued_from, filters.issued_to, moment=True
    )
    if filters.expiring_by:
        query = query.where(
            PaymentCode.status.in_(("active", "partially_paid")),
            PaymentCode.expires_on <= filters.expiring_by,
        )
    return fetch_page(session, query, SORTS, sort, limit=limit, offset=offset, entities=True)


def payments_of(session: Session, code_id: int) -> list[CodePayment]:
    """Every payment received on the code, oldest first."""
    return rows_of(
        session, CodePayment, CodePayment.code_id == code_id, order=[CodePayment.paid_on]
    )


_STATE_COLUMNS = (
    PaymentCode.id,
    PaymentCode.rf,
    PaymentCode.status,
    PaymentCode.amount_type,
    PaymentCode.amount_minor,
    PaymentCode.paid_minor,
    PaymentCode.currency,
    PaymentCode.account_id,
    PaymentCode.document_id,
    PaymentCode.expires_on,
)


@cache
def _states_query(dialect: str, by: str, lock: bool) -> Select:
    """The codes whose ``by`` (``id`` or ``rf``) is among ``:v`` (built once per shape)."""
    query = select(*_STATE_COLUMNS).where(among_param(dialect, PaymentCode.__table__.c[by], "v"))
    if lock:
        query = query.order_by(PaymentCode.id).with_for_update()
    return query


def code_states(
    session: Session, *, ids: Iterable[int] = (), rfs: Iterable[str] = (), lock: bool = True
) -> dict:
    """Codes as the matcher and the payment planner see them, by id (``ids``) or by RF
    (``rfs``); rows locked in id order unless ``lock`` is false."""
    dialect = session.get_bind().dialect.name
    ids, rfs = list(ids), list(rfs)
    if not ids and not rfs:
        return {}
    query = _states_query(dialect, "id" if ids else "rf", lock and dialect == "postgresql")
    session.flush()  # codes added in this session count too
    states = [CodeState(*row) for row in session.connection().execute(query, {"v": ids or rfs})]
    return {s.id: s for s in states} if ids else {s.rf: s for s in states}
