"""An account's wallet (stored methods, auto-pay), its cash-only points, its amount default.

- A stored method is a checking or savings account (IBAN checked by schwifty) kept in full so
  it can be collected from; lists show it masked. Removing one keeps the row (``removed``).
- One auto-pay registration per account is current; registering another ends the previous.
- Cash-only points change only through :func:`change_cash_only_points` (supervisors, and the
  cancel of a bounced cheque), each change an entry of the account's **credit rating** kept
  with who, why and the last day it counts; :func:`cancel_point_entry` cancels one (a new row:
  the history is append-only). The current total (:func:`points_in_force`) is the sum of the
  entries not cancelled and not ended; it is what the cash-only warning compares.
- The amount default (the settings' algorithm, or what a match has open) and the
  installation's tender types; :mod:`paydesk.cashier.options` lays them out as an account's
  payment options.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paydesk.accounts.models import Account
from paydesk.accounts.service import get_account
from paydesk.audit import trail
from paydesk.cashier.defaults import AccountPosition, get_amount_default
from paydesk.cashier.models import AutopayRegistration, CashOnlyPointChange, StoredPaymentMethod
from paydesk.cashier.tenders import TenderTypes, iban_fingerprint, mask_iban
from paydesk.cashier.tenders import normalize_iban as _normalize_iban
from paydesk.db.lookup import fetch, rows_of
from paydesk.errors import Conflict, InvalidInput
from paydesk.money import Money
from paydesk.payments import limits
from paydesk.payments.debts import AccountDebts
from paydesk.payments.distribution import Match, resolve_invoice_match
from paydesk.payments.errors import InvalidMatch
from paydesk.payments.reading import load_debts
from paydesk.settings import CashierSettings, Settings

__all__ = [
    "CreditRating",
    "RatingEntry",
    "add_stored_method",
    "amount_default",
    "cancel_point_entry",
    "change_cash_only_points",
    "credit_rating",
    "current_autopay",
    "end_autopay",
    "find_stored_method",
    "point_history",
    "points_end",
    "points_in_force",
    "register_autopay",
    "remove_stored_method",
    "stored_methods",
    "tender_types",
]

METHOD_KINDS = ("checking", "savings")


def tender_types(settings: CashierSettings) -> TenderTypes:
    """The installation's tender types from the settings, by code."""
    return TenderTypes.of(settings.tender_types)


def add_stored_method(
    session: Session,
    settings: Settings,
    *,
    account_id: int,
    iban: str,
    holder_name: str,
    kind: str = "checking",
    label: str = "",
    actor: str,
) -> StoredPaymentMethod:
    account = get_account(session, account_id)
    if kind not in METHOD_KINDS:
        raise InvalidInput(f"a stored bank account is one of {METHOD_KINDS}, not {kind!r}")
    holder_name = (holder_name or "").strip()
    if not holder_name:
        raise InvalidInput("a stored bank account needs its holder's name")
    compact = _normalize_iban(iban)
    fingerprint = iban_fingerprint(compact, settings.secret)
    existing = find_stored_method(session, account.id, fingerprint)
    if existing is not None:
        return existing
    method = StoredPaymentMethod(
        account_id=account.id,
        kind=kind,
        holder_name=holder_name[: limits.NAME],
        label=label[:80],
        iban=compact,
        iban_masked=mask_iban(compact),
        iban_fingerprint=fingerprint,
        status="active",
        created_by=actor,
    )
    return trail.add_created(
        session, method, actor=actor, entity_type="stored_method", status="active"
    )


def find_stored_method(
    session: Session, account_id: int, fingerprint: str
) -> StoredPaymentMethod | None:
    return session.scalar(
        select(StoredPaymentMethod).where(
            StoredPaymentMethod.account_id == account_id,
            StoredPaymentMethod.iban_fingerprint == fingerprint,
            StoredPaymentMethod.status == "active",
        )
    )


def get_stored_method(session: Session, method_id: int) -> StoredPaymentMethod:
    return fetch(session, StoredPaymentMethod, method_id, what="stored payment method")


def stored_methods(session: Session, account_id: int) -> list[StoredPaymentMethod]:
    return list(
        session.scalars(
            select(StoredPaymentMethod)
            .where(
                StoredPaymentMethod.account_id == account_id,
                StoredPaymentMethod.status == "active",
            )
            .order_by(StoredPaymentMethod.id)
        )
    )


def remove_stored_method(
    session: Session, method_id: int, *, actor: str, reason: str | None = None
) -> StoredPaymentMethod:
    method = get_stored_method(session, method_id)
    if method.status == "removed":
        return method
    autopay = current_autopay(session, method.account_id)
    if autopay is not None and autopay.stored_method_id == method.id:
        end_autopay(session, method.account_id, actor=actor)
    trail.change(
        session, method, "removed", actor=actor, entity_type="stored_method", reason=reason
    )
    return method


def current_autopay(session: Session, account_id: int) -> AutopayRegistration | None:
    return session.scalar(
        select(AutopayRegistration).where(
            AutopayRegistration.account_id == account_id, AutopayRegistration.status == "active"
        )
    )


def register_autopay(
    session: Session,
    *,
    account_id: int,
    stored_method_id: int,
    actor: str,
    start_date: date | None = None,
) -> AutopayRegistration:
    """Register auto-pay on a stored method of the account; the previous one ends."""
    method = get_stored_method(session, stored_method_id)
    if method.account_id != account_id or method.status != "active":
        raise InvalidInput(
            f"stored method {stored_method_id} is not an active method of the account"
        )
    end_autopay(session, account_id, actor=actor)
    registration = AutopayRegistration(
        account_id=account_id,
        stored_method_id=method.id,
        status="active",
        start_date=start_date or date.today(),
        created_by=actor,
    )
    return trail.add_created(
        session, registration, actor=actor, entity_type="autopay", status="active"
    )


def end_autopay(session: Session, account_id: int, *, actor: str) -> AutopayRegistration | None:
    registration = current_autopay(session, account_id)
    if registration is None:
        return None
    registration.end_date = date.today()
    trail.change(session, registration, "ended", actor=actor, entity_type="autopay")
    return registration


def points_end(months: int, today: date | None = None) -> date | None:
    """The last day a new entry counts: ``months`` from today (``0``: it never ends)."""
    if months <= 0:
        return None
    day = today or date.today()
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def change_cash_only_points(
    session: Session,
    account_id: int,
    change: int,
    *,
    reason: str,
    actor: str,
    tender_id: int | None = None,
    ends_on: date | None = None,
) -> Account:
    """Add (or take away) cash-only points: a credit-rating entry with who, why and the last
    day it counts (``ends_on``; ``None``: always); audited."""
    if not reason or not reason.strip():
        raise InvalidInput("a change of cash-only points needs a reason")
    if change == 0:
        raise InvalidInput("a change of cash-only points is not zero")
    account = get_account(session, account_id, lock=True)
    after = account.cash_only_points + change
    if after < 0:
        raise Conflict(
            f"account {account.number} has {account.cash_only_points} cash-only points; "
            f"cannot take away {-change}",
            points=account.cash_only_points,
            change=change,
        )
    account.cash_only_points = after
    entry = CashOnlyPointChange(
        account_id=account.id,
        change=change,
        points_after=after,
        reason=reason.strip(),
        actor=actor,
        tender_id=tender_id,
        ends_on=ends_on,
    )
    trail.add_created(
        session,
        entry,
        actor=actor,
        entity_type="cash_only_points",
        status="added",
        reason=entry.reason,
        detail={"account_id": account.id, "change": change, "ends_on": _iso(ends_on)},
    )
    return account


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def cancel_point_entry(
    session: Session, entry_id: int, *, reason: str, actor: str
) -> CashOnlyPointChange:
    """Cancel a credit-rating entry with a reason: a new row with the opposite change names
    it (the history is append-only); audited. Returns the cancelling row."""
    if not reason or not reason.strip():
        raise InvalidInput("cancelling a cash-only point entry needs a reason")
    entry = fetch(session, CashOnlyPointChange, entry_id, what="cash-only point entry")
    account = get_account(session, entry.account_id, lock=True)
    if entry.cancels_id is not None:
        raise Conflict(
            f"entry {entry.id} cancels entry {entry.cancels_id}; it cannot be cancelled",
            entry_id=entry.id,
        )
    done = session.scalar(
        select(CashOnlyPointChange.id).where(CashOnlyPointChange.cancels_id == entry.id)
    )
    if done is not None:
        raise Conflict(f"entry {entry.id} is already cancelled", entry_id=entry.id)
    account.cash_only_points = max(account.cash_only_points - entry.change, 0)
    row = CashOnlyPointChange(
        account_id=account.id,
        change=-entry.change,
        points_after=account.cash_only_points,
        reason=reason.strip(),
        actor=actor,
        cancels_id=entry.id,
    )
    session.add(row)
    session.flush()
    trail.record(
        session,
        actor=actor,
        entity_type="cash_only_points",
        entity_id=entry.id,
        from_status="added",
        to_status="cancelled",
        reason=row.reason,
        detail={"account_id": account.id, "cancelled_by": row.id},
    )
    return row


@dataclass(frozen=True)
class RatingEntry:
    """An entry of the credit rating as its page shows it."""

    entry: CashOnlyPointChange
    #: The row that cancelled it, if any.
    cancelled_by: CashOnlyPointChange | None
    in_force: bool

    @property
    def status(self) -> str:
        """``in_force``, ``ended`` or ``cancelled``."""
        if self.cancelled_by is not None:
            return "cancelled"
        return "in_force" if self.in_force else "ended"


@dataclass(frozen=True)
class CreditRating:
    account: Account
    #: Newest first; cancelling rows are shown on the entry they cancel.
    entries: list[RatingEntry]
    #: The sum of the entries in force (never below zero).
    total: int
    threshold: int

    @property
    def cash_only(self) -> bool:
        return self.total > self.threshold


def _in_force(entry: CashOnlyPointChange, cancelled: bool, today: date) -> bool:
    return not cancelled and (entry.ends_on is None or entry.ends_on >= today)


def credit_rating(
    session: Session, settings: CashierSettings, account_id: int, today: date | None = None
) -> CreditRating:
    """An account's credit-rating page: every entry, and the total of those in force."""
    account = get_account(session, account_id)
    today = today or date.today()
    rows = point_history(session, account_id)
    cancels = {r.cancels_id: r for r in rows if r.cancels_id is not None}
    entries = [
        RatingEntry(r, cancels.get(r.id), _in_force(r, r.id in cancels, today))
        for r in reversed(rows)
        if r.cancels_id is None
    ]
    total = max(sum(e.entry.change for e in entries if e.in_force), 0)
    return CreditRating(account, entries, total, settings.cash_only_threshold)


def points_in_force(session: Session, account_id: int, today: date | None = None) -> int:
    """The current credit-rating total: the entries not cancelled and not ended."""
    today = today or date.today()
    cancelled = select(CashOnlyPointChange.cancels_id).where(
        CashOnlyPointChange.account_id == account_id,
        CashOnlyPointChange.cancels_id.is_not(None),
    )
    total = session.scalar(
        select(func.coalesce(func.sum(CashOnlyPointChange.change), 0)).where(
            CashOnlyPointChange.account_id == account_id,
            CashOnlyPointChange.cancels_id.is_(None),
            CashOnlyPointChange.id.not_in(cancelled),
            (CashOnlyPointChange.ends_on.is_(None)) | (CashOnlyPointChange.ends_on >= today),
        )
    )
    return max(int(total or 0), 0)


def point_history(session: Session, account_id: int) -> list[CashOnlyPointChange]:
    return rows_of(session, CashOnlyPointChange, CashOnlyPointChange.account_id == account_id)


def amount_default(
    session: Session,
    settings: CashierSettings,
    account: Account,
    debts: AccountDebts | None = None,
    *,
    match: Match | None = None,
) -> Money:
    """What the account is proposed to pay: with a match, what the matched invoice (a blank
    value: the latest open invoice) or contract has open; else the settings' algorithm."""
    debts = debts or load_debts(session, [account])[account.id]
    contracts = debts.contract_debts()
    zero = Money.zero(account.currency)
    if match is not None and match.type == "contract":
        named = next((c for c in contracts if c.contract_id == match.value), None)
        return named.owed if named is not None else zero
    items = [i for c in contracts for i in c.open_items]
    if match is not None:
        value = match.value
        if value is not None:
            document = debts.document_by_value(value)
            value = str(document.id) if document is not None else None
            if value is None:
                return zero
        try:
            return resolve_invoice_match(value, items).open_amount
        except InvalidMatch:
            return zero
    position = AccountPosition(
        currency=account.currency,
        contract_balances={c.contract_id: c.open_debt for c in contracts},
        invoices=items,
    )
    return get_amount_default(settings.amount_default)(position)
