"""Errors of the payment rules (distribution and match), all part of :mod:`paydesk.errors`."""

from __future__ import annotations

from paydesk.errors import Conflict, InvalidInput


class InvalidMatch(InvalidInput):
    slug = "invalid-match"
    title = "Invalid match type or value"


class DistributionError(Conflict):
    """Distribution failed; the payment goes to status ``error`` with this message."""

    slug = "distribution-failed"
    title = "Payment could not be distributed"


class InvalidManualDistribution(InvalidInput):
    slug = "invalid-manual-distribution"
    title = "Invalid manual distribution"
