"""Roles and what each may do."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CASHIER = "cashier"
    SUPERVISOR = "supervisor"
    INTEGRATION = "integration"  # the host system and the bank gateway
    ADMIN = "admin"


ANYONE = frozenset(Role)
#: Take payments, issue codes on request, create documents.
DESK = frozenset({Role.CASHIER, Role.SUPERVISOR, Role.ADMIN, Role.INTEGRATION})
#: Cancel, assign, override.
SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})
#: Create customers and accounts (back office and host system).
BACK_OFFICE = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.INTEGRATION})
#: Bank gateway and host-system calls.
INTEGRATIONS = frozenset({Role.INTEGRATION, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})
