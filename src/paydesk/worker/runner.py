"""``paydesk worker``: take jobs from the queue and run their handlers; run periodic tasks.

Periodic tasks go through the queue too: each period of each task is one job with the
dedupe key ``periodic:<name>:<slot>``, so however many workers run, each period runs once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
import uuid

from paydesk.db.engine import Database
from paydesk.settings import Settings
from paydesk.worker import queue
from paydesk.worker.registry import REGISTRY, Registry

log = logging.getLogger(__name__)

PERIODIC_KIND = "periodic"


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    """One worker: claims jobs it has handlers for and runs them one by one."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        registry: Registry = REGISTRY,
        *,
        worker_id: str | None = None,
        batch: int = 10,
    ) -> None:
        self.db = db
        self.settings = settings
        self.registry = registry
        self.worker_id = worker_id or default_worker_id()
        self.batch = batch
        self._scheduled: dict[str, int] = {}

    @property
    def kinds(self) -> list[str]:
        kinds = list(self.registry.handlers)
        if self.registry.periodic:
            kinds.append(PERIODIC_KIND)
        return kinds

    def schedule_periodic(self, now: float | None = None) -> int:
        """Enqueue the current period's job of every periodic task; returns how many were new."""
        now = time.time() if now is None else now
        added = 0
        for task in self.registry.periodic.values():
            period = task.period(self.settings)
            if not period:
                continue
            slot = int(now // period)
            if self._scheduled.get(task.name) == slot:
                continue
            with self.db.transaction() as session:
                job_id = queue.enqueue(
                    session,
                    PERIODIC_KIND,
                    {"name": task.name},
                    dedupe_key=f"periodic:{task.name}:{slot}",
                    max_attempts=1,
                )
            self._scheduled[task.name] = slot
            added += job_id is not None
        return added

    def _execute(self, job: queue.ClaimedJob) -> None:
        if job.kind == PERIODIC_KIND:
            task = self.registry.periodic.get(job.payload.get("name", ""))
            if task is None:
                raise LookupError(f"no periodic task {job.payload.get('name')!r}")
            task.fn(self.db, self.settings)
            return
        handler = self.registry.handlers.get(job.kind)
        if handler is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        handler(self.db, self.settings, job.payload)

    def run_job(self, job: queue.ClaimedJob) -> bool:
        """Run one claimed job; True when it succeeded."""
        try:
            self._execute(job)
        except Exception as error:
            detail = "".join(traceback.format_exception_only(error)).strip()
            status = queue.fail(self.db, job, self.worker_id, detail)
            log.warning("job %s (%s) failed, now %s: %s", job.id, job.kind, status, detail)
            return False
        queue.complete(self.db, job, self.worker_id)
        return True

    def run_once(self, now: float | None = None) -> int:
        """Schedule periodic tasks, then claim and run one batch; returns jobs run."""
        self.schedule_periodic(now)
        jobs = queue.claim(
            self.db,
            self.worker_id,
            self.kinds,
            self.batch,
            lease_seconds=self.settings.worker_lease_seconds,
        )
        for job in jobs:
            self.run_job(job)
        return len(jobs)

    def run(self, stop: threading.Event | None = None) -> None:
        """Loop until ``stop`` is set; sleeps ``worker_poll_seconds`` when there is no work."""
        stop = stop or threading.Event()
        log.info("worker %s started (kinds: %s)", self.worker_id, ", ".join(self.kinds))
        while not stop.is_set():
            try:
                ran = self.run_once()
            except Exception:
                log.exception("worker loop error")
                ran = 0
            if ran == 0:
                stop.wait(self.settings.worker_poll_seconds)
        log.info("worker %s stopped", self.worker_id)
