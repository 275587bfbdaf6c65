"""Statuses of payments, tenders and bank-account validation tasks, and what each allows.

Payment::

    incomplete ──distribute──▶ freezable ──freeze──▶ frozen ──cancel──▶ cancelled
        │                      ▲     │
        └──distribute──▶ error ◀─────┘ (redistribute)

- ``incomplete``: created, not yet distributed (or held for bank-account validation).
- ``error`` / ``freezable``: distribution failed / succeeded; both may be redistributed.
- ``frozen``: posted to the ledger; never edited — only cancelled, with a reason (the service
  writes reversing ledger entries).
- ``cancelled``: final. A payment not yet frozen may also be cancelled with a reason (e.g.
  the bank rejected the account being validated); nothing was posted, so nothing is reversed.

Tender: ``valid`` → ``cancelled`` (with reason); a tender the payer's bank still has to pay (a
direct debit) has its collection's status beside it (``due`` → ``sent`` → ``confirmed`` |
``returned``, :class:`paydesk.cashier.models.DirectDebitCollection`). Service task:
``pending`` → ``completed`` | ``rejected`` | ``error``, each final.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from paydesk.errors import InvalidInput, InvalidTransition

__all__ = [
    "PaymentAction",
    "PaymentStatus",
    "ServiceTaskStatus",
    "TenderStatus",
    "allowed_actions",
    "allowed_targets",
    "require_action",
    "transition",
]


class PaymentStatus(StrEnum):
    INCOMPLETE = "incomplete"
    FREEZABLE = "freezable"
    ERROR = "error"
    FROZEN = "frozen"
    CANCELLED = "cancelled"


class TenderStatus(StrEnum):
    VALID = "valid"
    CANCELLED = "cancelled"


class ServiceTaskStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    REJECTED = "rejected"
    ERROR = "error"


class PaymentAction(StrEnum):
    EDIT = "edit"  # change amount, match, non-CIS details
    DISTRIBUTE = "distribute"  # first distribution or redistribution (manual included)
    DELETE = "delete"  # remove a payment never posted
    FREEZE = "freeze"
    CANCEL = "cancel"


_P = PaymentStatus
_T = TenderStatus
_ST = ServiceTaskStatus
# One table per status kind: members of different StrEnums with the same text compare equal.
_TARGETS: dict[type[StrEnum], dict[StrEnum, frozenset[StrEnum]]] = {
    PaymentStatus: {
        _P.INCOMPLETE: frozenset({_P.FREEZABLE, _P.ERROR, _P.CANCELLED}),
        _P.ERROR: frozenset({_P.FREEZABLE, _P.ERROR, _P.CANCELLED}),
        _P.FREEZABLE: frozenset({_P.FREEZABLE, _P.ERROR, _P.FROZEN, _P.CANCELLED}),
        _P.FROZEN: frozenset({_P.CANCELLED}),
        _P.CANCELLED: frozenset(),
    },
    TenderStatus: {_T.VALID: frozenset({_T.CANCELLED}), _T.CANCELLED: frozenset()},
    ServiceTaskStatus: {
        _ST.PENDING: frozenset({_ST.COMPLETED, _ST.REJECTED, _ST.ERROR}),
        _ST.COMPLETED: frozenset(),
        _ST.REJECTED: frozenset(),
        _ST.ERROR: frozenset(),
    },
}

_A = PaymentAction
_ACTIONS: dict[PaymentStatus, frozenset[PaymentAction]] = {
    _P.INCOMPLETE: frozenset({_A.EDIT, _A.DISTRIBUTE, _A.DELETE, _A.CANCEL}),
    _P.ERROR: frozenset({_A.EDIT, _A.DISTRIBUTE, _A.DELETE, _A.CANCEL}),
    _P.FREEZABLE: frozenset({_A.EDIT, _A.DISTRIBUTE, _A.DELETE, _A.FREEZE, _A.CANCEL}),
    _P.FROZEN: frozenset({_A.CANCEL}),
    _P.CANCELLED: frozenset(),
}
_ADVICE = {
    _P.FROZEN: "a frozen payment can only be cancelled, with a reason",
    _P.CANCELLED: "a cancelled payment is final",
    _P.INCOMPLETE: "distribute it first",
    _P.ERROR: "fix the error and redistribute it first",
}

S = TypeVar("S", PaymentStatus, TenderStatus, ServiceTaskStatus)


def _kind(status: StrEnum) -> str:
    return {
        PaymentStatus: "payment",
        TenderStatus: "tender",
        ServiceTaskStatus: "service task",
    }[type(status)]


def allowed_targets(current: StrEnum) -> frozenset[StrEnum]:
    """The statuses ``current`` may move to."""
    return _TARGETS[type(current)][current]


def transition(current: S, target: S, *, reason: str | None = None) -> S:
    """Return ``target`` if ``current`` may move to it, else raise ``InvalidTransition``.

    Moving to ``cancelled`` (payment or tender) needs a non-blank ``reason``.
    """
    if type(current) is not type(target):
        raise TypeError(f"cannot move a {_kind(current)} status to a {_kind(target)} status")
    targets = allowed_targets(current)
    if target not in targets:
        kind = _kind(current)
        allowed = ", ".join(sorted(targets)) or "none, it is final"
        raise InvalidTransition(
            f"a {kind} cannot go from {current} to {target} (allowed from {current}: {allowed})",
            current=str(current),
            target=str(target),
        )
    if target == "cancelled" and not (reason and reason.strip()):
        raise InvalidInput(f"cancelling a {_kind(current)} needs a reason")
    return target


def allowed_actions(status: PaymentStatus) -> frozenset[PaymentAction]:
    """What a user may do with a payment in ``status``."""
    return _ACTIONS[status]


def require_action(status: PaymentStatus, action: PaymentAction) -> None:
    """Raise ``InvalidTransition`` unless ``action`` is allowed on a payment in ``status``."""
    if action not in _ACTIONS[status]:
        advice = _ADVICE.get(status, "")
        raise InvalidTransition(
            f"a payment in status {status} cannot {action}" + (f": {advice}" if advice else ""),
            current=str(status),
            action=str(action),
        )
