"""EPC069-12 "SEPA credit transfer" QR payload (the "GiroCode" / "EPC QR code"), version 002.

The payload is up to twelve lines separated by LF, UTF-8, at most 331 bytes (what a version 13
QR code holds at error correction level M)::

    BCD                  service tag
    002                  version (001 requires a BIC, 002 does not)
    1                    character set, 1 = UTF-8
    SCT                  identification: SEPA credit transfer
    BIC                  optional in 002
    name                 beneficiary, at most 70 characters
    IBAN                 beneficiary account
    EUR12.50             amount, EUR0.01 to EUR999999999.99; empty for an open amount
    purpose              four-letter purpose code, optional
    RF18539007547034     structured creditor reference (ISO 11649) ...
    (text)               ... or unstructured remittance, never both
    information          beneficiary to originator information, optional

Nothing follows the last populated line.

>>> text = build_epc_payload(name="Acme", iban="GR1601101250000000012300695",
...                          reference="RF18539007547034", amount=Money.parse("12.50", "EUR"))
>>> text.splitlines()[4:]
['', 'Acme', 'GR1601101250000000012300695', 'EUR12.50', '', 'RF18539007547034']
>>> parse_epc_payload(text).amount
Money(amount=Decimal('12.50'), currency='EUR')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import schwifty
from schwifty.exceptions import SchwiftyException

from paydesk.codes import rf
from paydesk.errors import InvalidAmount, InvalidCurrency, InvalidIBAN, InvalidInput
from paydesk.money import Money

__all__ = [
    "MAX_AMOUNT",
    "MAX_PAYLOAD_BYTES",
    "MIN_AMOUNT",
    "EpcPayload",
    "InvalidBIC",
    "InvalidEpcPayload",
    "build_epc_payload",
    "parse_epc_payload",
]

SERVICE_TAG = "BCD"
VERSION = "002"
CHARACTER_SET_UTF8 = "1"
IDENTIFICATION = "SCT"
MAX_PAYLOAD_BYTES = 331
MIN_AMOUNT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999.99")
MAX_NAME = 70
MAX_INFORMATION = 70
MAX_REFERENCE = 35
MAX_TEXT = 140

_AMOUNT_RE = re.compile(r"EUR(\d{1,9})(?:\.(\d{1,2}))?")
_PURPOSE_RE = re.compile(r"[A-Z0-9]{4}")


class InvalidBIC(InvalidInput):
    slug = "invalid-bic"
    title = "Invalid BIC"


class InvalidEpcPayload(InvalidInput):
    """Text that is not an EPC069-12 SEPA credit transfer payload."""

    slug = "invalid-epc-payload"
    title = "Invalid EPC QR payload"


@dataclass(frozen=True, slots=True)
class EpcPayload:
    """The fields of an EPC QR payload, as read by :func:`parse_epc_payload`."""

    name: str
    iban: str
    amount: Money | None
    reference: str = ""
    text: str = ""
    bic: str = ""
    purpose: str = ""
    information: str = ""
    version: str = VERSION
    character_set: str = CHARACTER_SET_UTF8


def _check_iban(value: str) -> str:
    try:
        iban = schwifty.IBAN(value)
    except SchwiftyException as exc:
        raise InvalidIBAN(f"{value!r} is not a valid IBAN: {exc}") from None
    if not iban.in_sepa_zone:
        raise InvalidIBAN(f"{iban.formatted}: {iban.country_code} is not in the SEPA zone")
    return str(iban)


def _check_bic(value: str) -> str:
    try:
        return str(schwifty.BIC(value))
    except SchwiftyException as exc:
        raise InvalidBIC(f"{value!r} is not a valid BIC: {exc}") from None


def _check_line(field: str, value: str, limit: int, *, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"{field} must not be empty")
    if "\n" in value or "\r" in value:
        raise InvalidInput(f"{field} must be a single line")
    if len(value) > limit:
        raise InvalidInput(f"{field} has {len(value)} characters; the EPC QR code takes {limit}")
    return value


def _check_amount(amount: Money) -> Money:
    if not isinstance(amount, Money):
        raise InvalidAmount(f"{amount!r} is not Money")
    if amount.currency != "EUR":
        raise InvalidCurrency(
            f"{amount}: a SEPA credit transfer QR code carries euro amounts only",
            currency=amount.currency,
        )
    if not MIN_AMOUNT <= amount.amount <= MAX_AMOUNT:
        raise InvalidAmount(
            f"{amount}: an EPC QR amount is between EUR{MIN_AMOUNT} and EUR{MAX_AMOUNT}"
        )
    return amount


def _format_amount(amount: Money | None) -> str:
    return "" if amount is None else f"EUR{amount.amount:.2f}"


def _join(lines: list[str]) -> str:
    while lines and not lines[-1]:
        lines.pop()
    text = "\n".join(lines)
    size = len(text.encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise InvalidInput(
            f"the EPC QR payload has {size} bytes; at most {MAX_PAYLOAD_BYTES} are allowed"
        )
    return text


def build_epc_payload(
    *,
    name: str,
    iban: str,
    reference: str,
    amount: Money | None = None,
    bic: str | None = None,
    information: str = "",
) -> str:
    """Return the EPC QR payload (version 002, UTF-8) paying ``amount`` to ``iban`` on an RF code.

    ``reference`` must be a valid ISO 11649 RF code; it goes in as the structured creditor
    reference and the unstructured remittance stays empty. ``amount`` ``None`` leaves the amount
    for the payer to fill in. Raises :class:`~paydesk.errors.InvalidIBAN`,
    :class:`~paydesk.codes.rf.InvalidPaymentCode`, :class:`~paydesk.errors.InvalidCurrency`,
    :class:`~paydesk.errors.InvalidAmount`, :class:`InvalidBIC` or
    :class:`~paydesk.errors.InvalidInput`.
    """
    lines = [
        SERVICE_TAG,
        VERSION,
        CHARACTER_SET_UTF8,
        IDENTIFICATION,
        _check_bic(bic) if bic else "",
        _check_line("beneficiary name", name, MAX_NAME, required=True),
        _check_iban(iban),
        _format_amount(None if amount is None else _check_amount(amount)),
        "",  # purpose
        rf.validate(reference),
        "",  # unstructured remittance: empty when the structured reference is given
        _check_line("beneficiary to originator information", information, MAX_INFORMATION),
    ]
    return _join(lines)


def _parse_amount(text: str) -> Money | None:
    if not text:
        return None
    match = _AMOUNT_RE.fullmatch(text)
    if not match:
        raise InvalidAmount(f"{text!r} is not an EPC amount (EUR followed by up to 2 decimals)")
    amount = Money.parse(f"{match[1]}.{match[2] or '0'}", "EUR")
    return _check_amount(amount)


def parse_epc_payload(text: str) -> EpcPayload:
    """Read an EPC069-12 SEPA credit transfer payload (version 001 or 002), checking every field."""
    if len(text.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        raise InvalidEpcPayload(f"payload is longer than {MAX_PAYLOAD_BYTES} bytes")
    lines = text.replace("\r\n", "\n").split("\n")
    if len(lines) > 12:
        raise InvalidEpcPayload(f"payload has {len(lines)} lines; at most 12 are allowed")
    if len(lines) < 7:
        raise InvalidEpcPayload("payload ends before the beneficiary IBAN (line 7)")
    lines += [""] * (12 - len(lines))
    tag, version, charset, ident, bic, name, iban, amount, purpose, ref, remit, info = lines
    if tag != SERVICE_TAG:
        raise InvalidEpcPayload(f"service tag is {tag!r}, not {SERVICE_TAG!r}")
    if version not in ("001", "002"):
        raise InvalidEpcPayload(f"version {version!r} is not 001 or 002")
    if charset not in tuple("12345678"):
        raise InvalidEpcPayload(f"character set {charset!r} is not 1 to 8")
    if ident != IDENTIFICATION:
        raise InvalidEpcPayload(f"identification is {ident!r}, not {IDENTIFICATION!r}")
    if version == "001" and not bic:
        raise InvalidBIC("version 001 requires the beneficiary BIC")
    if purpose and not _PURPOSE_RE.fullmatch(purpose):
        raise InvalidEpcPayload(f"purpose {purpose!r} is not a four-character code")
    if ref and remit:
        raise InvalidEpcPayload("payload has both a structured reference and remittance text")
    if len(ref) > MAX_REFERENCE:
        raise InvalidEpcPayload(f"structured reference is longer than {MAX_REFERENCE} characters")
    if len(remit) > MAX_TEXT:
        raise InvalidEpcPayload(f"remittance text is longer than {MAX_TEXT} characters")
    return EpcPayload(
        name=_check_line("beneficiary name", name, MAX_NAME, required=True),
        iban=_check_iban(iban),
        amount=_parse_amount(amount),
        reference=ref,
        text=remit,
        bic=_check_bic(bic) if bic else "",
        purpose=purpose,
        information=_check_line("beneficiary to originator information", info, MAX_INFORMATION),
        version=version,
        character_set=charset,
    )
