"""Statuses of each document kind, and when a document becomes receivable (pure rules)."""

from __future__ import annotations

from enum import StrEnum

from paydesk.errors import InvalidInput, InvalidTransition


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    REPAIR_ORDER = "repair_order"
    COUNTER_INVOICE = "counter_invoice"
    VEHICLE_ORDER = "vehicle_order"
    SECURITIES_BATCH = "securities_batch"


#: Allowed status changes per kind; the first key is the status a new document starts in.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    "invoice": {
        "draft": frozenset({"issued", "cancelled"}),
        "issued": frozenset({"cancelled"}),
        "cancelled": frozenset(),
    },
    "counter_invoice": {
        "draft": frozenset({"issued", "cancelled"}),
        "issued": frozenset({"cancelled"}),
        "cancelled": frozenset(),
    },
    "repair_order": {
        "open": frozenset({"ready_for_invoicing", "cancelled"}),
        "ready_for_invoicing": frozenset({"invoiced", "cancelled"}),
        "invoiced": frozenset(),
        "cancelled": frozenset(),
    },
    "vehicle_order": {
        "open": frozenset({"delivered", "cancelled"}),
        "delivered": frozenset(),
        "cancelled": frozenset(),
    },
    "securities_batch": {
        "registered": frozenset({"settled", "cancelled"}),
        "settled": frozenset(),
        "cancelled": frozenset(),
    },
}

#: The status in which a document's amount becomes owed: its charge is posted on entering it.
RECEIVABLE_FROM: dict[str, str] = {
    "invoice": "issued",
    "counter_invoice": "issued",
    "repair_order": "ready_for_invoicing",
    "vehicle_order": "open",
    "securities_batch": "registered",
}


def check_kind(kind: str) -> str:
    if kind not in TRANSITIONS:
        raise InvalidInput(f"unknown document kind {kind!r}; one of {sorted(TRANSITIONS)}")
    return kind


def initial_status(kind: str) -> str:
    return next(iter(TRANSITIONS[check_kind(kind)]))


def creatable_statuses(kind: str) -> frozenset[str]:
    """A document may be created in its first status or directly receivable."""
    return frozenset({initial_status(kind), RECEIVABLE_FROM[kind]})


def check_transition(kind: str, current: str, target: str) -> None:
    allowed = TRANSITIONS[check_kind(kind)]
    if target not in allowed:
        raise InvalidInput(f"{target!r} is not a status of a {kind}; one of {sorted(allowed)}")
    if target not in allowed[current]:
        raise InvalidTransition(f"a {kind} in status {current!r} cannot become {target!r}")


def becomes_receivable(kind: str, current: str | None, target: str) -> bool:
    """True when moving to ``target`` is the moment the charge is posted."""
    return target == RECEIVABLE_FROM[kind] and current != target


def is_receivable(kind: str, status: str) -> bool:
    """Whether a document in ``status`` has had its charge posted (and not cancelled)."""
    order = list(TRANSITIONS[kind])
    return status != "cancelled" and order.index(status) >= order.index(RECEIVABLE_FROM[kind])
