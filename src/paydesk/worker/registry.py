"""What a worker knows how to do: job handlers by kind, and periodic tasks by name.

Modules plug in with :func:`register_handler` and :func:`register_periodic`, at import time
or from :func:`load_builtin`. A handler and a periodic task both take ``(db, settings, ...)``
and open their own transactions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from paydesk.db.engine import Database
from paydesk.settings import Settings

log = logging.getLogger(__name__)

#: ``handler(db, settings, payload)``
Handler = Callable[[Database, Settings, dict[str, Any]], Any]
#: ``task(db, settings)``
Task = Callable[[Database, Settings], Any]
#: ``every(settings) -> seconds``: the period may come from settings.
Every = float | Callable[[Settings], float | None]


@dataclass(frozen=True)
class Periodic:
    name: str
    every: Every
    fn: Task

    def period(self, settings: Settings) -> float | None:
        """Seconds between runs, or None when the task is switched off by settings."""
        return self.every(settings) if callable(self.every) else self.every


@dataclass
class Registry:
    handlers: dict[str, Handler] = field(default_factory=dict)
    periodic: dict[str, Periodic] = field(default_factory=dict)

    def register_handler(self, kind: str, fn: Handler) -> Handler:
        self.handlers[kind] = fn
        return fn

    def register_periodic(self, name: str, every_seconds: Every, fn: Task) -> Task:
        if ":" in name:
            raise ValueError("a periodic task's name has no ':'")
        self.periodic[name] = Periodic(name, every_seconds, fn)
        return fn


#: The process-wide registry ``paydesk worker`` runs.
REGISTRY = Registry()


def register_handler(kind: str, fn: Handler) -> Handler:
    """Run ``fn(db, settings, payload)`` for every job of ``kind``."""
    return REGISTRY.register_handler(kind, fn)


def register_periodic(name: str, every_seconds: Every, fn: Task) -> Task:
    """Run ``fn(db, settings)`` every ``every_seconds`` (a number, or a function of the
    settings that may return None to switch the task off), once across all workers."""
    return REGISTRY.register_periodic(name, every_seconds, fn)


def _expire_codes(db: Database, settings: Settings) -> None:
    from paydesk.codes import service as codes

    with db.transaction() as session:
        codes.expire_due(session)


#: Feeds that could not be read at the last poll (told once, then retried quietly).
_unreachable: set[str] = set()


def _poll_feed(db: Database, settings: Settings) -> None:
    """Read the bank feed. A feed that cannot be reached (a bank connector or simulator not
    started yet, a network fault) is said once at INFO and then retried quietly each period
    (DEBUG); the feed coming back is said once too."""
    from paydesk.bank.connector import FeedConnector, FeedUnavailable

    connector = FeedConnector(db, settings)
    feed = connector.feed_url or ""
    try:
        connector.poll()
    except FeedUnavailable as error:
        if feed in _unreachable:
            log.debug("%s; retrying", error.detail)
        else:
            _unreachable.add(feed)
            log.info("%s; retrying every %s s quietly", error.detail, settings.bank_poll_seconds)
        return
    if feed in _unreachable:
        _unreachable.discard(feed)
        log.info("bank feed %s answers again", feed)


def _deliver_webhooks(db: Database, settings: Settings) -> None:
    from paydesk.webhooks.delivery import deliver_pending

    deliver_pending(db, settings, limit=500)


def _purge_jobs(db: Database, settings: Settings) -> None:
    from paydesk.worker.queue import purge_finished

    purge_finished(db)


def _purge_sign_ins(db: Database, settings: Settings) -> None:
    from paydesk.auth.throttle import purge

    purge(db)


def load_builtin(registry: Registry = REGISTRY) -> Registry:
    """Register paydesk's own periodic tasks (idempotent)."""
    registry.register_periodic("code_expiry", 3600, _expire_codes)
    registry.register_periodic(
        "bank_feed", lambda s: s.bank_poll_seconds if s.bank_feed_url else None, _poll_feed
    )
    registry.register_periodic(
        "webhook_delivery", lambda s: s.webhook_poll_seconds, _deliver_webhooks
    )
    registry.register_periodic("job_purge", 3600, _purge_jobs)
    registry.register_periodic("session_purge", 3600, _purge_sign_ins)
    return registry
