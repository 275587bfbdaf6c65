"""Payee verification (the simulator's answer to "does this IBAN belong to this name?").

Deterministic rules, in order:

1. The IBAN must be valid (schwifty); otherwise the request is refused (422).
2. An IBAN the simulator has no holder for answers ``unknown``.
3. Names are compared after normalising: accents dropped, case folded, punctuation and
   extra spaces removed. Equal → ``match``.
4. The same words in another order, or a similarity ratio of at least 0.85
   (:class:`difflib.SequenceMatcher`, a typo or two) → ``close_match``, with the holder's name.
5. Anything else → ``no_match``.

>>> compare("Maria Nikolaou", "MARIA NIKOLAOU")
'match'
>>> compare("Nikolaou Maria", "Maria Nikolaou")
'close_match'
>>> compare("Maria Nikolau", "Maria Nikolaou")
'close_match'
>>> compare("Jan Kowalski", "Maria Nikolaou")
'no_match'
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from paydesk.errors import InvalidIBAN

MATCH, CLOSE_MATCH, NO_MATCH, UNKNOWN = "match", "close_match", "no_match", "unknown"
CLOSE_RATIO = 0.85


def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def check_iban(iban: str) -> str:
    try:
        return str(IBAN(iban))
    except (SchwiftyException, ValueError) as error:
        raise InvalidIBAN(f"not a valid IBAN: {error}") from None


def compare(given: str, holder: str) -> str:
    """``match``, ``close_match`` or ``no_match`` for a name given against the holder's."""
    a, b = normalise_name(given), normalise_name(holder)
    if not a:
        return NO_MATCH
    if a == b:
        return MATCH
    if sorted(a.split()) == sorted(b.split()):
        return CLOSE_MATCH
    if difflib.SequenceMatcher(None, a, b).ratio() >= CLOSE_RATIO:
        return CLOSE_MATCH
    return NO_MATCH
