"""Roles and what each may do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CASHIER = "cashier"
    SUPERVISOR = "supervisor"
    INTEGRATION = "integration"  # the host system and the bank gateway
    ADMIN = "admin"


ANYONE = frozenset(Role)
#: Create documents, move them on, issue codes on request (people and the host system).
DESK = frozenset({Role.CASHIER, Role.SUPERVISOR, Role.ADMIN, Role.INTEGRATION})
#: The cashier desk itself: payments, tenders, stored methods, auto-pay, cash drawers — people
#: only; an integration key (host system, bank network) never takes money at the desk.
CASHIER_DESK = frozenset({Role.CASHIER, Role.SUPERVISOR, Role.ADMIN})
#: Cancel (codes, tenders), assign, override.
SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})
#: Create customers and accounts (back office and host system).
BACK_OFFICE = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.INTEGRATION})
#: Bank gateway and host-system calls.
INTEGRATIONS = frozenset({Role.INTEGRATION, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
