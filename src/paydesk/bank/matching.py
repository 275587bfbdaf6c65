"""Decide whether a bank credit pays a payment code (pure rules, no storage).

A credit is held as **unmatched, with its reason** — never dropped — when its RF is missing,
malformed or unknown, the code is cancelled or expired, the currency differs, or a fixed-amount
code is paid a different amount than it asks for (or is already paid). Everything else is
matched; an open code paid beyond its ceiling is matched and becomes ``overpaid``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from paydesk.codes.status import CodeState, refusal


@dataclass(frozen=True, slots=True)
class Decision:
    matched: bool
    reason: str | None = None


def decide(
    *,
    rf: str | None,
    rf_candidate: str | None,
    amount_minor: int,
    currency: str,
    booked_on: date,
    code: CodeState | None,
) -> Decision:
    """Match or hold one booked credit."""
    if rf is None:
        if rf_candidate:
            return Decision(False, f"invalid RF {rf_candidate!r} (check digits do not match)")
        return Decision(False, "no RF payment code in the remittance information")
    if code is None:
        return Decision(False, f"unknown RF {rf}")
    refused = refusal(code, amount_minor=amount_minor, currency=currency, on=booked_on)
    if refused is not None:
        return Decision(False, refused.message)
    return Decision(True)
