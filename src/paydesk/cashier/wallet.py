"""An account's wallet (stored methods, auto-pay), its cash-only points, and its payment options.

- A stored method is a checking or savings account (IBAN checked by schwifty) kept in full so
  it can be collected from; lists show it masked. Removing one keeps the row (``removed``).
- One auto-pay registration per account is current; registering another ends the previous.
- Cash-only points change only through :func:`change_cash_only_points` (supervisors, and the
  cancel of a bounced cheque), each change kept with who and why; they never go below zero.
- Payment options: the amount default (the settings' algorithm), the cash-only warning
  (points above the threshold), the stored methods and the current auto-pay registration each
  with a tender amount, the new options (bank account, cash, cheque), and the tender types'
  cash and cash-back switches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from paydesk.accounts.models import Account
from paydesk.accounts.service import get_account
from paydesk.audit import trail
from paydesk.cashier.defaults import AccountPosition, get_amount_default
from paydesk.cashier.models import AutopayRegistration, CashOnlyPointChange, StoredPaymentMethod
from paydesk.cashier.tenders import TenderType, TenderTypes, iban_fingerprint, mask_iban
from paydesk.cashier.tenders import normalize_iban as _normalize_iban
from paydesk.db.lookup import fetch
from paydesk.errors import Conflict, InvalidInput
from paydesk.money import Money
from paydesk.payments.debts import AccountDebts
from paydesk.payments.distribution import Match, resolve_invoice_match
from paydesk.payments.errors import InvalidMatch
from paydesk.payments.reading import load_debts
from paydesk.settings import CashierSettings, Settings

__all__ = [
    "PaymentOptions",
    "add_stored_method",
    "amount_default",
    "change_cash_only_points",
    "current_autopay",
    "end_autopay",
    "find_stored_method",
    "point_history",
    "register_autopay",
    "remove_stored_method",
    "stored_methods",
    "tender_types",
]

METHOD_KINDS = ("checking", "savings")


_TYPES_CACHE: dict[int, tuple[CashierSettings, TenderTypes]] = {}


def tender_types(settings: CashierSettings) -> TenderTypes:
    """The installation's tender types from the settings (built once per settings object)."""
    cached = _TYPES_CACHE.get(id(settings))
    if cached is not None and cached[0] is settings:
        return cached[1]
    types = TenderTypes.of(TenderType(**t.model_dump()) for t in settings.tender_types)
    _TYPES_CACHE[id(settings)] = (settings, types)
    return types


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
        holder_name=holder_name[:140],
        label=label[:80],
        iban=compact,
        iban_masked=mask_iban(compact),
        iban_fingerprint=fingerprint,
        status="active",
        created_by=actor,
    )
    session.add(method)
    session.flush()
    trail.record(
        session, actor=actor, entity_type="stored_method", entity_id=method.id, to_status="active"
    )
    return method


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
    method.status = "removed"
    trail.record(
        session,
        actor=actor,
        entity_type="stored_method",
        entity_id=method.id,
        from_status="active",
        to_status="removed",
        reason=reason,
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
    session.add(registration)
    session.flush()
    trail.record(
        session, actor=actor, entity_type="autopay", entity_id=registration.id, to_status="active"
    )
    return registration


def end_autopay(session: Session, account_id: int, *, actor: str) -> AutopayRegistration | None:
    registration = current_autopay(session, account_id)
    if registration is None:
        return None
    registration.status = "ended"
    registration.end_date = date.today()
    trail.record(
        session,
        actor=actor,
        entity_type="autopay",
        entity_id=registration.id,
        from_status="active",
        to_status="ended",
    )
    return registration


def change_cash_only_points(
    session: Session,
    account_id: int,
    change: int,
    *,
    reason: str,
    actor: str,
    tender_id: int | None = None,
) -> Account:
    """Add (or take away) cash-only points, kept in the history with who and why."""
    if not reason or not reason.strip():
        raise InvalidInput("a change of cash-only points needs a reason")
    if change == 0:
        raise InvalidInput("a change of cash-only points is not zero")
    account = get_account(session, account_id, lock=True)
    after = account.cash_only_points + change
    if after < 0:
        raise Conflict(
            f"account {account.number} has {account.cash_only_points} cash-only points; "
            f"cannot take away {-change}"
        )
    account.cash_only_points = after
    session.add(
        CashOnlyPointChange(
            account_id=account.id,
            change=change,
            points_after=after,
            reason=reason.strip(),
            actor=actor,
            tender_id=tender_id,
        )
    )
    return account


def point_history(session: Session, account_id: int) -> list[CashOnlyPointChange]:
    return list(
        session.scalars(
            select(CashOnlyPointChange)
            .where(CashOnlyPointChange.account_id == account_id)
            .order_by(CashOnlyPointChange.id)
        )
    )


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


@dataclass(frozen=True)
class PaymentOptions:
    account: Account
    amount_default: Money
    algorithm: str
    cash_only: bool
    threshold: int
    methods: list[StoredPaymentMethod]
    autopay: AutopayRegistration | None
    types: TenderTypes


def payment_options(session: Session, settings: Settings, account_id: int) -> PaymentOptions:
    account = get_account(session, account_id)
    cashier = settings.cashier
    return PaymentOptions(
        account=account,
        amount_default=amount_default(session, cashier, account),
        algorithm=cashier.amount_default,
        cash_only=account.cash_only_points > cashier.cash_only_threshold,
        threshold=cashier.cash_only_threshold,
        methods=stored_methods(session, account.id),
        autopay=current_autopay(session, account.id),
        types=tender_types(cashier),
    )
