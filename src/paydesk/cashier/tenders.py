"""Tender types and tender drafts: what a customer hands over at the desk, and how.

A :class:`TenderType` (defined once, in :mod:`paydesk.tender_type`) says what a kind of tender
needs (a cheque number, a bank account, a stored method) and allows (cash back);
:class:`TenderTypes` are the installation's types by code. A :class:`TenderDraft` is one tender
as entered, checked against its type when it is built. Card tender types exist in the settings
for other channels, but the desk refuses them: card payments go through the external card
processor.

A direct-debit tender's IBAN is kept in full only on the draft (the bank-account validator
needs it); storage keeps :func:`mask_iban` and :func:`iban_fingerprint`, which answers "has this
account used this bank account before" without keeping the number.

>>> mask_iban("GR16 0110 1250 0000 0001 2300 695")
'GR16 **** **** 0695'
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from paydesk.cashier.errors import CardTenderRefused, InvalidTender, UnknownTenderType
from paydesk.errors import InvalidIBAN
from paydesk.money import Money
from paydesk.payments import limits
from paydesk.tender_type import TenderType, default_tender_types

__all__ = [
    "BANK_TRANSFER",
    "CARD",
    "CASH",
    "CHEQUE",
    "DEFAULT_TENDER_TYPES",
    "DIRECT_DEBIT",
    "MAX_DETAIL_LENGTH",
    "STORED_METHOD",
    "TenderDraft",
    "TenderType",
    "TenderTypes",
    "card_refused",
    "iban_fingerprint",
    "mask_iban",
    "normalize_iban",
]

#: Longest cheque number, stored method id or external reference accepted (ISO 20022 Max35Text).
MAX_DETAIL_LENGTH = limits.DETAIL


@dataclass(frozen=True, slots=True)
class TenderTypes:
    """The installation's tender types by code; :meth:`get` is the desk's only way in."""

    types: Mapping[str, TenderType] = field(default_factory=dict)

    @classmethod
    def of(cls, types: Iterable[TenderType]) -> TenderTypes:
        by_code: dict[str, TenderType] = {}
        for tender_type in types:
            if tender_type.code in by_code:
                raise ValueError(f"tender type {tender_type.code!r} defined twice")
            by_code[tender_type.code] = tender_type
        return cls(by_code)

    def get(self, code: str) -> TenderType:
        """The tender type for the desk; unknown codes and card types are refused."""
        tender_type = self.types.get(code)
        if tender_type is None:
            known = ", ".join(sorted(c for c, t in self.types.items() if not t.is_card))
            raise UnknownTenderType(f"unknown tender type {code!r}; known: {known}", code=code)
        if tender_type.is_card:
            raise card_refused(code)
        return tender_type

    def cash(self) -> TenderType:
        """The cash tender type used for cash back (the first cash-like type)."""
        for tender_type in self.types.values():
            if tender_type.like_cash:
                return tender_type
        raise UnknownTenderType("no cash tender type is configured")

    def __iter__(self) -> Iterator[TenderType]:
        return iter(self.types.values())


#: The tender types of a new installation (the settings' defaults).
DEFAULT_TENDER_TYPES = TenderTypes.of(default_tender_types())
CASH = DEFAULT_TENDER_TYPES.get("cash")
CHEQUE = DEFAULT_TENDER_TYPES.get("cheque")
DIRECT_DEBIT = DEFAULT_TENDER_TYPES.get("direct_debit")
STORED_METHOD = DEFAULT_TENDER_TYPES.get("stored_method")
BANK_TRANSFER = DEFAULT_TENDER_TYPES.get("bank_transfer")
CARD = DEFAULT_TENDER_TYPES.types["card"]  # .get refuses card types


def card_refused(code: str) -> CardTenderRefused:
    """The error for a card tender at the desk."""
    return CardTenderRefused(
        f"tender type {code!r} is a card: card payments are not taken at the cashier desk, "
        "they go through the external card processor",
        code=code,
    )


def normalize_iban(value: str) -> str:
    """Validate an IBAN (schwifty) and return it compact and upper case."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidIBAN("a bank account (IBAN) is required")
    try:
        return str(IBAN(value).compact)
    except SchwiftyException as exc:
        raise InvalidIBAN(f"{value!r} is not a valid IBAN: {exc}") from None


def mask_iban(value: str) -> str:
    """Country, check digits and the last four characters: ``'GR16 **** **** 0695'``."""
    compact = normalize_iban(value)
    return f"{compact[:4]} **** **** {compact[-4:]}"


def iban_fingerprint(value: str, secret: bytes | str) -> str:
    """HMAC-SHA-256 of the compact IBAN under the installation's secret (a pepper), hex.

    The same IBAN always gives the same fingerprint under one secret, so "seen before" is an
    equality lookup; without the secret the fingerprint cannot be tested against guesses.
    """
    key = secret.encode() if isinstance(secret, str) else secret
    if len(key) < 16:
        raise ValueError("the IBAN fingerprint secret must be at least 16 bytes")
    return hmac.new(key, normalize_iban(value).encode("ascii"), hashlib.sha256).hexdigest()


def _detail(label: str, field: str, value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidTender(f"{label} must be text", field=field)
    text = value.strip()
    if not text:
        return None
    if len(text) > MAX_DETAIL_LENGTH:
        raise InvalidTender(
            f"{label} is longer than {MAX_DETAIL_LENGTH} characters",
            field=field,
            max_length=MAX_DETAIL_LENGTH,
        )
    return text


@dataclass(frozen=True, slots=True)
class TenderDraft:
    """One tender as entered at the desk, valid for its type once built.

    ``amount`` is positive, except on the cash-back tender (``is_cash_back``), which is a
    negative cash tender. ``payer_account_id`` names the paying account; a payer who is not
    a customer is named by ``non_cis_payer`` instead. Details that the type does not use are
    refused rather than silently kept. ``iban`` is stored compact.
    """

    type: TenderType
    amount: Money
    payer_account_id: str | None = None
    non_cis_payer: str | None = None
    cheque_number: str | None = None
    iban: str | None = None
    stored_method_id: str | None = None
    external_reference: str | None = None
    is_cash_back: bool = False

    def __post_init__(self) -> None:
        t = self.type
        if t.is_card:
            raise card_refused(t.code)
        if not isinstance(self.amount, Money):
            raise InvalidTender("tender amount must be Money", field="amount")
        if self.is_cash_back:
            if not t.like_cash:
                raise InvalidTender(f"cash back is a cash tender, not {t.code!r}", field="type")
            if not self.amount.is_negative():
                raise InvalidTender("a cash-back tender's amount must be negative", field="amount")
        elif self.amount.is_negative() or self.amount.is_zero():
            raise InvalidTender(
                f"tender amount must be greater than zero, got {self.amount}", field="amount"
            )
        if self.payer_account_id is not None and self.non_cis_payer is not None:
            raise InvalidTender(
                "a tender has either a payer account or a non-CIS payer, not both",
                field="non_cis_payer",
            )

        cheque = _detail("cheque number", "cheque_number", self.cheque_number)
        stored = _detail("stored method id", "stored_method_id", self.stored_method_id)
        object.__setattr__(self, "cheque_number", cheque)
        object.__setattr__(self, "stored_method_id", stored)
        object.__setattr__(
            self,
            "external_reference",
            _detail("reference", "external_reference", self.external_reference),
        )
        object.__setattr__(
            self, "non_cis_payer", _detail("non-CIS payer", "non_cis_payer", self.non_cis_payer)
        )

        self._check_detail(t.requires_cheque_number, cheque, "cheque_number", "the cheque number")
        self._check_detail(
            t.requires_stored_method, stored, "stored_method_id", "the stored method"
        )
        if t.requires_bank_account:
            if self.iban is None:
                raise InvalidIBAN(
                    f"a {t.name.lower()} tender needs a bank account (IBAN)", field="iban"
                )
            object.__setattr__(self, "iban", normalize_iban(self.iban))
        elif self.iban is not None:
            raise InvalidTender(
                f"a {t.name.lower()} tender has no bank account", field="iban", tender_type=t.code
            )

    def _check_detail(self, required: bool, value: str | None, field: str, what: str) -> None:
        """Refuse a detail the tender type needs and lacks, or does not use and has."""
        name = self.type.name.lower()
        if required and value is None:
            raise InvalidTender(
                f"a {name} tender needs {what}", field=field, tender_type=self.type.code
            )
        if not required and value is not None:
            raise InvalidTender(
                f"a {name} tender has no {what.removeprefix('the ')}",
                field=field,
                tender_type=self.type.code,
            )

    @property
    def masked_iban(self) -> str | None:
        return None if self.iban is None else mask_iban(self.iban)
