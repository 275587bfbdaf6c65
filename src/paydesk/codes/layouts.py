"""Build the reference inside an RF code, per layout (pure).

- ``iso``: prefix + kind letter + document number (letters and digits only), and for a
  code re-issued for the same document a version suffix ``V2``, ``V3`` … — the customer
  recognises their document number in the code.
- ``dias``: 21 digits: the 5-digit organisation code DIAS assigned, one digit for the
  document kind, and a 15-digit serial — the layout the Greek interbank system expects.
"""

from __future__ import annotations

from paydesk.codes.rf import MAX_REFERENCE_LENGTH, InvalidLength

SERIAL_DIGITS = 15


#: Kind digit in the ``dias`` RF layout, and kind letter in the ``iso`` layout.
KIND_DIGIT = {
    "invoice": "1",
    "repair_order": "2",
    "counter_invoice": "3",
    "vehicle_order": "4",
    "securities_batch": "5",
    "account": "0",
}
KIND_LETTER = {
    "invoice": "I",
    "repair_order": "R",
    "counter_invoice": "C",
    "vehicle_order": "V",
    "securities_batch": "S",
    "account": "A",
}


def iso_reference(prefix: str, kind: str, number: str, version: int = 1) -> str:
    """``PD`` + ``R`` + ``RO2024000017`` (+ ``V2`` when re-issued)."""
    cleaned = "".join(ch for ch in number.upper() if ch.isascii() and ch.isalnum())
    reference = f"{prefix}{KIND_LETTER[kind]}{cleaned}"
    if version > 1:
        reference += f"V{version}"
    if len(reference) > MAX_REFERENCE_LENGTH:
        raise InvalidLength(
            f"reference {reference!r} is longer than {MAX_REFERENCE_LENGTH} characters; "
            "use a shorter prefix or document number, or the dias layout"
        )
    return reference


def dias_reference(organisation_code: str, kind: str, serial: int) -> str:
    """``12345`` + ``2`` + ``000000000000017``."""
    if not 0 < serial < 10**SERIAL_DIGITS:
        raise InvalidLength(f"serial {serial} does not fit in {SERIAL_DIGITS} digits")
    return f"{organisation_code}{KIND_DIGIT[kind]}{serial:0{SERIAL_DIGITS}d}"
