"""Name the paying bank from its BIC, using schwifty's BIC registry.

>>> bank_name("ETHNGRAA")
'NATIONAL BANK OF GREECE S.A.'
>>> bank_name("XXXXGRAA") is None
True
"""

from __future__ import annotations

from functools import lru_cache

from schwifty import BIC
from schwifty.exceptions import SchwiftyException

__all__ = ["bank_name"]


@lru_cache(maxsize=4096)
def bank_name(bic: str | None) -> str | None:
    """The bank's name for a BIC (8 or 11 characters; ``XXX`` branch allowed), or None when
    the BIC is malformed or not in the registry."""
    if not bic:
        return None
    code = bic.replace(" ", "").upper()
    try:
        parsed = BIC(code)
    except (SchwiftyException, ValueError):
        return None
    names = parsed.bank_names
    if not names and len(code) == 11:
        try:
            names = BIC(code[:8]).bank_names
        except (SchwiftyException, ValueError):
            return None
    return names[0] if names else None
