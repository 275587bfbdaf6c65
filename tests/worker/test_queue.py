"""The job queue: no job runs twice at once, dead workers' jobs come back, retries back off."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from paydesk.db.base import utcnow
from paydesk.worker import queue
from paydesk.worker.models import Job
from paydesk.worker.registry import Registry
from paydesk.worker.runner import Worker


def _enqueue_many(db, kind: str, n: int) -> None:
    with db.transaction() as session:
        for i in range(n):
            queue.enqueue(session, kind, {"n": i})


def _count(db, **where) -> int:
    with db.reading() as session:
        query = select(func.count()).select_from(Job)
        for column, value in where.items():
            query = query.where(getattr(Job, column) == value)
        return session.scalar(query)


def test_concurrent_workers_never_take_the_same_job(db, settings):
    _enqueue_many(db, "count", 400)
    executions: Counter[int] = Counter()
    lock = threading.Lock()

    def handler(_db, _settings, payload):
        with lock:
            executions[payload["n"]] += 1

    registry = Registry()
    registry.register_handler("count", handler)
    claimed_by: dict[str, int] = Counter()

    def work(name: str) -> None:
        worker = Worker(db, settings, registry, worker_id=name, batch=7)
        while True:
            jobs = queue.claim(db, name, worker.kinds, worker.batch)
            if not jobs:
                return
            claimed_by[name] += len(jobs)
            for job in jobs:
                worker.run_job(job)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(executions) == list(range(400))
    assert set(executions.values()) == {1}
    assert _count(db, status="done") == 400
    assert sum(claimed_by.values()) == 400
    assert len(claimed_by) >= 2  # the work was shared


def test_a_job_of_a_dead_worker_is_taken_again_after_its_lease(db):
    with db.transaction() as session:
        job_id = queue.enqueue(session, "k", {})
    t0 = utcnow()
    first = queue.claim(db, "dies", ["k"], lease_seconds=60, now=t0)
    assert [j.id for j in first] == [job_id]
    assert queue.claim(db, "other", ["k"], lease_seconds=60, now=t0 + timedelta(seconds=30)) == []
    again = queue.claim(db, "other", ["k"], lease_seconds=60, now=t0 + timedelta(seconds=61))
    assert [(j.id, j.attempts) for j in again] == [(job_id, 2)]
    # The dead worker's late completion does not count: the job is not its own any more.
    assert queue.complete(db, first[0], "dies") is False
    assert queue.complete(db, again[0], "other") is True
    assert _count(db, status="done") == 1


def test_a_retried_idempotent_handler_does_not_double_its_effect(db, settings):
    """The handler's effect is keyed (a dedupe key), so running it twice adds it once."""

    def handler(db_, _settings, payload):
        with db_.transaction() as session:
            queue.enqueue(
                session,
                "receipt",
                {"order": payload["order"]},
                dedupe_key=f"receipt:{payload['order']}",
            )

    registry = Registry()
    registry.register_handler("settle", handler)
    with db.transaction() as session:
        queue.enqueue(session, "settle", {"order": 7})
    t0 = utcnow()
    dying = queue.claim(db, "dies", ["settle"], lease_seconds=60, now=t0)
    handler(db, settings, dying[0].payload)  # the effect happened, then the worker died
    retried = queue.claim(db, "w2", ["settle"], lease_seconds=60, now=t0 + timedelta(seconds=61))
    assert Worker(db, settings, registry, worker_id="w2").run_job(retried[0]) is True
    assert _count(db, kind="receipt") == 1
    assert _count(db, kind="settle", status="done", attempts=2) == 1


def test_enqueue_with_a_used_dedupe_key_adds_nothing(db):
    with db.transaction() as session:
        first = queue.enqueue(session, "k", {"a": 1}, dedupe_key="once")
        second = queue.enqueue(session, "k", {"a": 2}, dedupe_key="once")
    assert first is not None and second is None
    assert _count(db) == 1


def test_a_failed_job_is_retried_with_back_off_then_fails_for_good(db):
    with db.transaction() as session:
        queue.enqueue(session, "k", {}, max_attempts=2)
    t0 = utcnow()
    job = queue.claim(db, "w", ["k"], now=t0)[0]
    assert queue.fail(db, job, "w", "boom", now=t0, base_seconds=10) == "queued"
    assert queue.claim(db, "w", ["k"], now=t0 + timedelta(seconds=9)) == []
    job = queue.claim(db, "w", ["k"], now=t0 + timedelta(seconds=11))[0]
    assert queue.fail(db, job, "w", "boom again", now=t0, base_seconds=10) == "failed"
    with db.reading() as session:
        stored = session.scalar(select(Job))
        assert (stored.status, stored.attempts, stored.last_error) == ("failed", 2, "boom again")


def test_a_job_whose_worker_died_on_every_attempt_ends_failed(db):
    with db.transaction() as session:
        queue.enqueue(session, "k", {}, max_attempts=1)
    t0 = utcnow()
    assert len(queue.claim(db, "dies", ["k"], lease_seconds=5, now=t0)) == 1
    assert queue.claim(db, "w", ["k"], lease_seconds=5, now=t0 + timedelta(seconds=6)) == []
    assert _count(db, status="failed") == 1


def test_backoff_doubles_and_is_capped():
    assert [queue.backoff(n, 10).total_seconds() for n in (1, 2, 3)] == [10, 20, 40]
    assert queue.backoff(30, 10) == queue.MAX_BACKOFF


def test_workers_only_claim_kinds_they_handle(db):
    with db.transaction() as session:
        queue.enqueue(session, "mine", {})
        queue.enqueue(session, "theirs", {})
    assert [j.kind for j in queue.claim(db, "w", ["mine"])] == ["mine"]


def test_a_periodic_task_runs_once_per_period_across_workers(db, settings):
    runs = []
    registry = Registry()
    registry.register_periodic("tick", 60, lambda db_, s: runs.append(1))
    a = Worker(db, settings, registry, worker_id="a")
    b = Worker(db, settings, registry, worker_id="b")
    now = 1_800_000_000.0
    assert a.schedule_periodic(now) == 1
    assert b.schedule_periodic(now + 1) == 0  # same period: already queued
    a.run_once(now)
    b.run_once(now + 1)
    assert runs == [1]
    assert b.schedule_periodic(now + 61) == 1


def test_a_periodic_task_switched_off_by_settings_is_not_scheduled(db, settings):
    registry = Registry()
    registry.register_periodic("feed", lambda s: None, lambda db_, s: None)
    assert Worker(db, settings, registry).schedule_periodic() == 0


def test_the_builtin_periodic_tasks_run_in_one_worker_round(db, settings):
    from paydesk.worker.registry import load_builtin

    registry = load_builtin(Registry())
    assert set(registry.periodic) == {
        "code_expiry",
        "bank_feed",
        "webhook_delivery",
        "job_purge",
        "session_purge",
    }
    worker = Worker(db, settings, registry)
    assert worker.run_once() == 4  # the feed is off: no bank_feed_url
    with db.reading() as session:
        jobs = session.scalars(select(Job).where(Job.kind == "periodic")).all()
        assert {j.payload["name"] for j in jobs} == {
            "code_expiry",
            "webhook_delivery",
            "job_purge",
            "session_purge",
        }
        assert {j.status for j in jobs} == {"done"}


def test_purge_deletes_old_done_jobs_and_keeps_failed_ones(db):
    with db.transaction() as session:
        for kind, status in (("periodic", "done"), ("k", "done"), ("k", "failed")):
            job_id = queue.enqueue(session, kind, {})
            job = session.get(Job, job_id)
            job.status, job.finished_at = status, utcnow() - timedelta(hours=2)
    assert queue.purge_finished(db) == 1
    with db.reading() as session:
        assert sorted((j.kind, j.status) for j in session.scalars(select(Job))) == [
            ("k", "done"),
            ("k", "failed"),
        ]
