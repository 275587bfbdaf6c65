"""Decide whether a bank credit pays a payment code (pure rules, no storage).

A credit is held as **unmatched, with its reason** — never dropped — when its RF is missing,
malformed or unknown, the code is cancelled or expired, the currency differs, or a fixed-amount
code is paid a different amount than it asks for (or is already paid). Everything else is
matched; an open code paid beyond its ceiling is matched and becomes ``overpaid``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from paydesk.codes.status import CodeState, CodeStatus
from paydesk.money import format_minor


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
    if code.status == CodeStatus.CANCELLED:
        return Decision(False, f"payment code {rf} is cancelled")
    if code.status == CodeStatus.EXPIRED or (
        code.expires_on is not None and booked_on > code.expires_on
    ):
        return Decision(False, f"payment code {rf} expired on {code.expires_on}")
    if currency != code.currency:
        return Decision(False, f"paid in {currency}, payment code {rf} is in {code.currency}")
    if code.amount_type == "fixed":
        if code.paid_minor >= (code.amount_minor or 0):
            return Decision(False, f"fixed-amount code {rf} is already paid")
        if amount_minor != (code.amount_minor or 0) - code.paid_minor:
            due = format_minor((code.amount_minor or 0) - code.paid_minor, currency)
            paid = format_minor(amount_minor, currency)
            return Decision(False, f"fixed-amount code {rf} asks for {due} {currency}, {paid} paid")
    return Decision(True)
