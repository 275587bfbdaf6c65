"""Find the RF payment code in remittance information.

The structured place (``RmtInf/Strd/CdtrRefInf/Ref`` of type ``SCOR``) is read by the camt
parser directly. When a payer typed the code into the free text instead, :func:`find_rf`
looks for it there: upper or lower case, with spaces or hyphens anywhere, even inside ``RF``
and between the check digits (``"r f 18 5390-0754 7034"``).

A code ends where the text around it begins, and the text does not say where that is, so
every cut at a space or hyphen (and the end of the run of letters and digits) is tried.
:func:`rf_cuts` lists every cut that validates; :func:`find_rf` picks one: a cut that is a
known code when the caller can tell (``known``), else the longest cut that takes no word
after the reference — once a part with digits was read, a part of letters only is taken
for the payer's text ("... c100 1 dziekuje"); past it, the shortest cut that validates.
Other punctuation (``, ; / : ( )``) always ends a code. Something that looks like a code
but does not validate is returned as a *candidate*, so the caller can hold the payment as
"invalid RF" rather than "no RF".

>>> find_rf("Invoice 42, r f 18 5390 0754 7034 / thank you")
('RF18539007547034', None)
>>> find_rf("payment RF17 5390 0754 7034")
(None, 'RF17539007547034')
>>> find_rf("no code here")
(None, None)
>>> find_rf("Zaplata za serwis, kod rf76 pdan-c100 1 dziekuje")
('RF76PDANC1001', None)
"""

from __future__ import annotations

import re
from collections.abc import Callable

from paydesk.codes.rf import MAX_REFERENCE_LENGTH, is_valid

__all__ = ["find_rf", "rf_cuts"]

# "RF" and two check digits, not glued to a preceding letter or digit; spaces allowed between.
_START = re.compile(r"(?<![0-9A-Za-z])[Rr][ \t\-]*[Ff][ \t\-]*([0-9])[ \t\-]*([0-9])")
_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_SEPARATORS = frozenset(" \t-\u00a0")


def _cuts(text: str, start: int) -> tuple[str, list[int], int]:
    """The body after the check digits (letters/digits only), the lengths it may be cut at,
    and how many of those cuts take no word after the reference."""
    body: list[str] = []
    cuts: list[int] = []
    plain = None  # cuts before the first letters-only part that follows a part with digits
    token_start, seen_digits = 0, False
    i = start
    # Skip separators between the check digits and the body.
    while i < len(text) and text[i] in _SEPARATORS:
        i += 1

    def close_token() -> None:
        nonlocal plain, seen_digits, token_start
        token = body[token_start:]
        has_digit = any(c.isdigit() for c in token)
        if plain is None and seen_digits and not has_digit and len(token) > 1:
            plain = len(cuts)
        seen_digits = seen_digits or has_digit
        if not cuts or cuts[-1] != len(body):
            cuts.append(len(body))
        token_start = len(body)

    while i < len(text) and len(body) < MAX_REFERENCE_LENGTH:
        char = text[i]
        if char in _ALNUM:
            body.append(char)
        elif char in _SEPARATORS:
            if body and token_start != len(body):
                close_token()
        else:
            break
        i += 1
    # The run ended at punctuation or the end of the text: a cut (but not inside a word).
    ended = i >= len(text) or text[i] not in _ALNUM
    if body and ended and token_start != len(body):
        close_token()
    return "".join(body).upper(), cuts, len(cuts) if plain is None else plain


def rf_cuts(text: str | None) -> list[str]:
    """Every RF code (compact, upper case) that a cut of the text gives, longest first."""
    if not text or ("r" not in text and "R" not in text):
        return []
    found: list[str] = []
    for match in _START.finditer(text):
        head = f"RF{match.group(1)}{match.group(2)}"
        body, cuts, _ = _cuts(text, match.end())
        found.extend(c for c in (head + body[:n] for n in reversed(cuts)) if is_valid(c))
    return found


def find_rf(
    text: str | None, known: Callable[[str], bool] | None = None
) -> tuple[str | None, str | None]:
    """Return ``(rf, candidate)``: the RF code the text holds (compact, upper case), else
    ``(None, first RF-like text that does not validate)``, else ``(None, None)``.

    With ``known`` (is this a code of ours?), a valid cut that is a known code wins."""
    if not text or ("r" not in text and "R" not in text):
        return None, None
    if known is not None:
        for code in rf_cuts(text):
            if known(code):
                return code, None
    candidate: str | None = None
    for match in _START.finditer(text):
        head = f"RF{match.group(1)}{match.group(2)}"
        body, cuts, plain = _cuts(text, match.end())
        # Before the first word: the longest cut; after it: as few words as will validate.
        for lengths in (reversed(cuts[:plain]), cuts[plain:]):
            for length in lengths:
                code = head + body[:length]
                if is_valid(code):
                    return code, None
        if candidate is None and cuts:
            # Shown to a person: the tokens that carry digits, as codes usually do.
            digits = [n for n in cuts if any(c.isdigit() for c in body[:n])]
            candidate = head + body[: (digits[-1] if digits else cuts[0])]
    return None, candidate
