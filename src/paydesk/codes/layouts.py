"""Build the reference inside an RF code, per layout (pure).

- ``iso``: prefix + kind letter + document number (letters and digits only), and for a
  code re-issued for the same document a version suffix ``V2``, ``V3`` … — the customer
  recognises their document number in the code. It is easy to read and type: the letters that
  look like digits, ``O`` and ``I``, never stand beside a digit (the check digits included):
  there they are written as the digits ``0`` and ``1`` they look like (``RO-7001`` gives
  ``…R07001``), and no kind letter is ``O`` or ``I``.
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
    "invoice": "N",
    "repair_order": "R",
    "counter_invoice": "C",
    "vehicle_order": "V",
    "securities_batch": "S",
    "account": "A",
}


#: Letters a reader takes for digits, and the digit each is written as beside a digit.
LOOKALIKES = {"O": "0", "I": "1"}


def readable(reference: str) -> str:
    """``reference`` with every ``O`` and ``I`` that stands beside a digit written as ``0`` and
    ``1``; the first character counts as beside a digit (the check digits stand before it).

    >>> readable("RO7001")
    'R07001'
    >>> readable("OIL2024OIO")
    '01L2024010'
    >>> readable("PDRINVOICE")
    'PDRINVOICE'
    """
    chars = list(reference)
    changed = True
    while changed:  # a letter turned into a digit makes its neighbours beside a digit
        changed = False
        for i, ch in enumerate(chars):
            if ch in LOOKALIKES:
                left = chars[i - 1] if i else "0"
                right = chars[i + 1] if i + 1 < len(chars) else ""
                if left.isdigit() or right.isdigit():
                    chars[i] = LOOKALIKES[ch]
                    changed = True
    return "".join(chars)


def iso_reference(prefix: str, kind: str, number: str, version: int = 1) -> str:
    """``PD`` + ``R`` + ``RO2024000017`` (+ ``V2`` when re-issued), made :func:`readable`:
    ``PDRR02024000017``."""
    cleaned = "".join(ch for ch in number.upper() if ch.isascii() and ch.isalnum())
    reference = readable(f"{prefix}{KIND_LETTER[kind]}{cleaned}")
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
