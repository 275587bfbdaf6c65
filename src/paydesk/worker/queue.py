"""The job queue: enqueue in the caller's transaction, claim with a lease, finish or retry.

Claiming is one short transaction. On PostgreSQL it selects due jobs ``FOR UPDATE SKIP
LOCKED``, so any number of workers on any number of machines each take different jobs
without waiting for one another; on SQLite the same statement runs without the locking
clause inside ``BEGIN IMMEDIATE``, which lets one claimer at a time in. A claimed job is
leased (``locked_until``): a worker that dies leaves it ``running`` until the lease runs
out, and then the next claim takes it again. Handlers must therefore be idempotent (at
least once); ``dedupe_key`` is the tool for that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from paydesk import retry
from paydesk.db.base import utcnow
from paydesk.db.engine import Database
from paydesk.errors import InvalidInput
from paydesk.worker.models import Job

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

#: Cap of the retry delay after a failed attempt.
MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job leased to one worker (plain values: safe to use outside the session)."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    locked_until: datetime


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    run_at: datetime | None = None,
    dedupe_key: str | None = None,
    max_attempts: int = 5,
) -> int | None:
    """Add a job in the caller's transaction; returns its id.

    With a ``dedupe_key`` that was used before, nothing is added and None is returned:
    enqueueing the same work twice is harmless.
    """
    if not kind or len(kind) > 60:
        raise InvalidInput("a job kind is 1 to 60 characters")
    if max_attempts < 1:
        raise InvalidInput("max_attempts is at least 1")
    values = {
        "kind": kind,
        "payload": payload or {},
        "run_at": run_at or utcnow(),
        "attempts": 0,
        "max_attempts": max_attempts,
        "status": QUEUED,
        "created_at": utcnow(),
        "dedupe_key": dedupe_key,
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(Job).values(**values)
    if dedupe_key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["dedupe_key"])
    return session.scalar(statement.returning(Job.id))


def _due(now: datetime, kinds: Iterable[str] | None):
    condition = or_(
        and_(Job.status == QUEUED, Job.run_at <= now),
        and_(Job.status == RUNNING, Job.locked_until < now),
    )
    if kinds is not None:
        condition = and_(Job.kind.in_(list(kinds)), condition)
    return condition


def _let_go(status: str, **values: object) -> dict[str, object]:
    """What a job its worker lets go of is set to: ``status``, no lease, and ``values``."""
    return {"status": status, "locked_by": None, "locked_until": None, **values}


def claim(
    db: Database,
    worker_id: str,
    kinds: Iterable[str] | None = None,
    limit: int = 10,
    *,
    lease_seconds: float = 300,
    now: datetime | None = None,
) -> list[ClaimedJob]:
    """Lease up to ``limit`` due jobs (of ``kinds``, or any) to ``worker_id``.

    A job whose lease ran out is taken again; if it already used all its attempts it is
    marked failed instead (its worker died every time).
    """
    now = now or utcnow()
    until = now + timedelta(seconds=lease_seconds)
    with db.transaction() as session:
        rows = session.execute(
            select(Job.id, Job.attempts, Job.max_attempts, Job.status)
            .where(_due(now, kinds))
            .order_by(Job.run_at, Job.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        exhausted = [r.id for r in rows if r.status == RUNNING and r.attempts >= r.max_attempts]
        if exhausted:
            session.execute(
                update(Job)
                .where(Job.id.in_(exhausted))
                .values(
                    _let_go(
                        FAILED,
                        finished_at=now,
                        last_error="lease expired: the worker stopped before finishing",
                    )
                )
            )
        taken = [r.id for r in rows if r.id not in exhausted]
        if not taken:
            return []
        session.execute(
            update(Job)
            .where(Job.id.in_(taken))
            .values(
                status=RUNNING,
                locked_by=worker_id,
                locked_until=until,
                attempts=Job.attempts + 1,
            )
        )
        jobs = session.execute(
            select(Job.id, Job.kind, Job.payload, Job.attempts, Job.max_attempts)
            .where(Job.id.in_(taken))
            .order_by(Job.run_at, Job.id)
        ).all()
    return [
        ClaimedJob(j.id, j.kind, dict(j.payload or {}), j.attempts, j.max_attempts, until)
        for j in jobs
    ]


def complete(db: Database, job: ClaimedJob, worker_id: str) -> bool:
    """Mark the job done; False when the lease was lost (another worker has it now)."""
    with db.transaction() as session:
        result = session.execute(
            update(Job)
            .where(Job.id == job.id, Job.status == RUNNING, Job.locked_by == worker_id)
            .values(_let_go(DONE, finished_at=utcnow()))
        )
        return result.rowcount == 1


def backoff(attempts: int, base_seconds: float = 10.0) -> timedelta:
    """Delay before a job's next attempt after ``attempts`` failed ones (at most an hour)."""
    return retry.backoff(attempts, base_seconds, MAX_BACKOFF)


def fail(
    db: Database,
    job: ClaimedJob,
    worker_id: str,
    error: str,
    *,
    now: datetime | None = None,
    base_seconds: float = 10.0,
) -> str:
    """Record a failed attempt: queue a retry with back-off, or fail for good; new status."""
    now = now or utcnow()
    final = job.attempts >= job.max_attempts
    status = FAILED if final else QUEUED
    with db.transaction() as session:
        session.execute(
            update(Job)
            .where(Job.id == job.id, Job.status == RUNNING, Job.locked_by == worker_id)
            .values(
                _let_go(
                    status,
                    last_error=error[:4000],
                    run_at=now + backoff(job.attempts, base_seconds),
                    finished_at=now if final else None,
                )
            )
        )
    return status


def get(session: Session, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def purge_finished(
    db: Database,
    *,
    older_than: timedelta = timedelta(days=7),
    periodic_older_than: timedelta = timedelta(hours=1),
) -> int:
    """Delete done jobs: periodic runs after an hour, others after ``older_than``.

    Failed jobs stay for a person to look at.
    """
    from sqlalchemy import delete

    now = utcnow()
    with db.transaction() as session:
        periodic = session.execute(
            delete(Job).where(
                Job.status == DONE,
                Job.kind == "periodic",
                Job.finished_at < now - periodic_older_than,
            )
        )
        other = session.execute(
            delete(Job).where(Job.status == DONE, Job.finished_at < now - older_than)
        )
        return periodic.rowcount + other.rowcount
