"""How long to wait before trying again: the one back-off rule of jobs, webhook deliveries and
slip e-mails."""

from __future__ import annotations

from datetime import timedelta

__all__ = ["backoff"]


def backoff(attempts: int, base_seconds: float, cap: timedelta) -> timedelta:
    """Delay after the ``attempts``-th failed attempt: base × 2^(attempts − 1), at most ``cap``.

    >>> backoff(3, 10, timedelta(hours=1))
    datetime.timedelta(seconds=40)
    >>> backoff(30, 10, timedelta(hours=1))
    datetime.timedelta(seconds=3600)
    """
    exponent = min(max(attempts, 1) - 1, 40)
    return min(timedelta(seconds=base_seconds * 2**exponent), cap)
