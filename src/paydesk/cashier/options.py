"""An account's payment options at the desk: what the API and the pages show, decided once.

:func:`payment_options` answers, for one account: the amount default (the settings' algorithm),
the cash-only warning (:class:`CashOnlyWarning`, when the credit rating's points in force exceed
the threshold), the **existing** options (the current auto-pay registration first, then each
stored method, as tenders of the stored-method type), the **new** options (cash, cheque, a new
bank account: the first tender type with the matching switch), the **other** tender types, and
which tender types give cash back. The API and the pages render these; neither decides them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from sqlalchemy.orm import Session

from paydesk.accounts.models import Account
from paydesk.accounts.service import get_account
from paydesk.cashier.models import AutopayRegistration, StoredPaymentMethod
from paydesk.cashier.wallet import (
    amount_default,
    current_autopay,
    points_in_force,
    stored_methods,
    tender_types,
)
from paydesk.money import Money
from paydesk.settings import Settings
from paydesk.tender_type import TenderType

__all__ = ["CashOnlyWarning", "OptionKind", "PaymentOption", "PaymentOptions", "payment_options"]

OptionKind = Literal["autopay", "stored_method", "cash", "cheque", "bank_account", "other"]


@dataclass(frozen=True, slots=True)
class CashOnlyWarning:
    """The account's cash-only points exceed the threshold: take cash."""

    code: ClassVar[str] = "cash_only"
    points: int
    threshold: int

    @property
    def detail(self) -> str:
        return f"cash only: {self.points} points exceed the threshold {self.threshold}"


@dataclass(frozen=True, slots=True)
class PaymentOption:
    """One way the account may pay: its kind, its tender type and, for a stored method, which."""

    kind: OptionKind
    tender_type: TenderType
    method: StoredPaymentMethod | None = None


@dataclass(frozen=True)
class PaymentOptions:
    account: Account
    amount_default: Money
    algorithm: str
    threshold: int
    #: The credit-rating total (entries in force).
    points: int
    warning: CashOnlyWarning | None
    methods: list[StoredPaymentMethod]
    autopay: AutopayRegistration | None
    #: Every configured tender type, card types included (the desk refuses those).
    types: list[TenderType]
    existing: list[PaymentOption] = field(default_factory=list)
    new: list[PaymentOption] = field(default_factory=list)
    other: list[PaymentOption] = field(default_factory=list)

    @property
    def cash_only(self) -> bool:
        return self.warning is not None

    @property
    def desk_types(self) -> list[TenderType]:
        """The tender types the desk takes (card payments go to the external processor)."""
        return [t for t in self.types if not t.is_card]

    @property
    def cash_back_types(self) -> list[str]:
        """Codes of the desk's tender types that give cash back when larger than the payment."""
        return [t.code for t in self.desk_types if t.allows_cash_back]

    @property
    def cash_back_rule(self) -> str:
        """The cash-back rule in one sentence."""
        backs = ", ".join(self.cash_back_types) or "none"
        return (
            f"a tender of type {backs} larger than the payment gives the difference back "
            "as a negative cash tender; cash never gives cash back"
        )


def _first(types: list[TenderType], switch: str) -> TenderType | None:
    return next((t for t in types if getattr(t, switch) and not t.is_card), None)


def payment_options(session: Session, settings: Settings, account_id: int) -> PaymentOptions:
    """The account's payment options (see the module docstring)."""
    account = get_account(session, account_id)
    cashier = settings.cashier
    points = points_in_force(session, account.id)
    types = list(tender_types(cashier))
    methods = stored_methods(session, account.id)
    autopay = current_autopay(session, account.id)
    options = PaymentOptions(
        account=account,
        amount_default=amount_default(session, cashier, account),
        algorithm=cashier.amount_default,
        threshold=cashier.cash_only_threshold,
        points=points,
        warning=(
            CashOnlyWarning(points, cashier.cash_only_threshold)
            if points > cashier.cash_only_threshold
            else None
        ),
        methods=methods,
        autopay=autopay,
        types=types,
    )
    stored = _first(types, "requires_stored_method")
    if stored is not None:
        on_autopay = next(
            (m for m in methods if autopay is not None and m.id == autopay.stored_method_id), None
        )
        if on_autopay is not None:
            options.existing.append(PaymentOption("autopay", stored, on_autopay))
        options.existing.extend(PaymentOption("stored_method", stored, m) for m in methods)
    new_kinds: list[tuple[OptionKind, str]] = [
        ("cash", "like_cash"),
        ("cheque", "requires_cheque_number"),
        ("bank_account", "requires_bank_account"),
    ]
    for kind, switch in new_kinds:
        tender_type = _first(types, switch)
        if tender_type is not None:
            options.new.append(PaymentOption(kind, tender_type))
    used = {o.tender_type.code for o in (*options.new, *options.existing)}
    if stored is not None:
        used.add(stored.code)
    options.other.extend(PaymentOption("other", t) for t in types if t.code not in used)
    return options
