"""Find the RF payment code in remittance information.

The structured place (``RmtInf/Strd/CdtrRefInf/Ref`` of type ``SCOR``) is read by the camt
parser directly. When a payer typed the code into the free text instead, :func:`find_rf`
looks for it there: upper or lower case, with spaces or hyphens anywhere, even inside ``RF``
and between the check digits (``"r f 18 5390-0754 7034"``).

A code ends where the text around it begins, and the text does not say where that is, so
every cut at a space or hyphen (and the end of the run of letters and digits) is tried,
longest first, and the first that validates wins. Other punctuation (``, ; / : ( )``) always
ends a code. Something that looks like a code but does not validate is returned as a
*candidate*, so the caller can hold the payment as "invalid RF" rather than "no RF".

>>> find_rf("Invoice 42, r f 18 5390 0754 7034 / thank you")
('RF18539007547034', None)
>>> find_rf("payment RF17 5390 0754 7034")
(None, 'RF17539007547034')
>>> find_rf("no code here")
(None, None)
"""

from __future__ import annotations

import re

from paydesk.codes.rf import MAX_REFERENCE_LENGTH, is_valid

__all__ = ["find_rf"]

# "RF" and two check digits, not glued to a preceding letter or digit; spaces allowed between.
_START = re.compile(r"(?<![0-9A-Za-z])[Rr][ \t\-]*[Ff][ \t\-]*([0-9])[ \t\-]*([0-9])")
_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_SEPARATORS = frozenset(" \t-\u00a0")


def _cuts(text: str, start: int) -> tuple[str, list[int]]:
    """The body after the check digits (letters/digits only) and the lengths it may be cut at."""
    body: list[str] = []
    cuts: list[int] = []
    i = start
    # Skip separators between the check digits and the body.
    while i < len(text) and text[i] in _SEPARATORS:
        i += 1
    while i < len(text) and len(body) < MAX_REFERENCE_LENGTH:
        char = text[i]
        if char in _ALNUM:
            body.append(char)
        elif char in _SEPARATORS:
            if body and (not cuts or cuts[-1] != len(body)):
                cuts.append(len(body))
        else:
            break
        i += 1
    # The run ended at punctuation or the end of the text: a cut (but not inside a word).
    ended = i >= len(text) or text[i] not in _ALNUM
    if body and ended and (not cuts or cuts[-1] != len(body)):
        cuts.append(len(body))
    return "".join(body).upper(), cuts


def find_rf(text: str | None) -> tuple[str | None, str | None]:
    """Return ``(rf, candidate)``: the first valid RF code in the text (compact, upper case),
    else ``(None, first RF-like text that does not validate)``, else ``(None, None)``."""
    if not text or ("r" not in text and "R" not in text):
        return None, None
    candidate: str | None = None
    for match in _START.finditer(text):
        head = f"RF{match.group(1)}{match.group(2)}"
        body, cuts = _cuts(text, match.end())
        for length in reversed(cuts):
            code = head + body[:length]
            if is_valid(code):
                return code, None
        if candidate is None and cuts:
            # Shown to a person: the tokens that carry digits, as codes usually do.
            digits = [n for n in cuts if any(c.isdigit() for c in body[:n])]
            candidate = head + body[: (digits[-1] if digits else cuts[0])]
    return None, candidate
