"""Web sign-in with a back-off per user name and per client address.

After a few failed attempts for one user name (``USER_FREE_FAILURES``) or from one client
address (``ADDRESS_FREE_FAILURES``: an office behind one address shares it), further attempts
are refused without looking at the password for a while that doubles with each new failure
(``BASE_LOCK`` up to ``MAX_LOCK``). Counts are kept in the database, so every server process
sees them; failures older than ``FAILURE_WINDOW`` are forgotten. A known and an unknown user
name are treated alike (same counting, same message, same password-hashing cost). Every
failure, every refusal for back-off and every sign-in is in the audit trail
(``entity_type = "sign_in"``, the user name as typed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlalchemy.exc import IntegrityError

from paydesk.audit import trail
from paydesk.auth import service
from paydesk.auth.models import SignInThrottle, WebSession
from paydesk.auth.service import Principal
from paydesk.db.base import utcnow
from paydesk.db.engine import Database

USER_FREE_FAILURES = 5
ADDRESS_FREE_FAILURES = 20
BASE_LOCK = timedelta(seconds=30)
MAX_LOCK = timedelta(minutes=15)
FAILURE_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class SignIn:
    """The outcome: the principal, or ``None`` with ``retry_after`` set when backed off."""

    principal: Principal | None
    retry_after: timedelta | None = None

    @property
    def throttled(self) -> bool:
        return self.retry_after is not None


def _keys(username: str, address: str) -> dict[str, int]:
    return {
        f"user:{username.strip().lower()[:150]}": USER_FREE_FAILURES,
        f"addr:{address[:64]}": ADDRESS_FREE_FAILURES,
    }


def _locked_for(db: Database, keys: dict[str, int], now: datetime) -> timedelta | None:
    with db.reading() as session:
        rows = [session.get(SignInThrottle, key) for key in keys]
    waits = [r.locked_until - now for r in rows if r and r.locked_until and r.locked_until > now]
    return max(waits) if waits else None


def _audit(db: Database, username: str, address: str, outcome: str, reason: str) -> None:
    with db.transaction() as session:
        trail.record(
            session,
            actor=username[:64] or "-",
            entity_type="sign_in",
            entity_id=username[:64] or "-",
            to_status=outcome,
            reason=f"{reason}; address {address[:64]}",
        )


def _count_failure(db: Database, keys: dict[str, int], now: datetime) -> None:
    for key, free in keys.items():
        for _ in range(2):  # a concurrent first failure may insert the row first
            try:
                with db.transaction() as session:
                    row = session.get(SignInThrottle, key, with_for_update=True)
                    if row is None:
                        row = SignInThrottle(key=key, failures=0, last_failure_at=now)
                        session.add(row)
                    elif row.last_failure_at < now - FAILURE_WINDOW:
                        row.failures = 0
                    row.failures += 1
                    row.last_failure_at = now
                    if row.failures >= free:
                        lock = BASE_LOCK * 2 ** min(row.failures - free, 10)
                        row.locked_until = now + min(lock, MAX_LOCK)
                break
            except IntegrityError:
                continue


def sign_in(
    db: Database, username: str, password: str, address: str, *, now: datetime | None = None
) -> SignIn:
    """Check the credentials unless backed off; count failures, clear the user's on success."""
    now = now or utcnow()
    keys = _keys(username, address)
    wait = _locked_for(db, keys, now)
    if wait is not None:
        _audit(db, username, address, "throttled", f"refused for {int(wait.total_seconds())} s")
        return SignIn(None, wait)
    with db.reading() as session:
        found = service.authenticate(session, username, password)
    if found is None:
        _count_failure(db, keys, now)
        _audit(db, username, address, "failed", "wrong user name or password")
        return SignIn(None)
    with db.transaction() as session:
        user_key = next(iter(keys))
        row = session.get(SignInThrottle, user_key)
        if row is not None:
            session.delete(row)
        trail.record(
            session,
            actor=found.username,
            entity_type="sign_in",
            entity_id=found.username,
            to_status="signed_in",
            reason=f"address {address[:64]}",
        )
    return SignIn(found)


def purge(db: Database, *, now: datetime | None = None) -> None:
    """Forget expired web sessions and failure counts past their window (worker, hourly)."""
    now = now or utcnow()
    with db.transaction() as session:
        session.execute(delete(WebSession).where(WebSession.expires_at <= now))
        session.execute(
            delete(SignInThrottle).where(
                SignInThrottle.last_failure_at < now - FAILURE_WINDOW,
                or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until <= now),
            )
        )
