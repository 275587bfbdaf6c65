"""Group commit of pushed documents: what arrives while one import runs is imported together.

A bank pushing notifications one by one (``POST /v1/bank/notifications``) hands each document
to :func:`submit`, which queues it for the process's one importer thread and waits. That
thread takes every document waiting — the ones that arrived while the previous group was
being imported — and imports them in one transaction through the one posting pipeline
(:func:`~paydesk.bank.importer.import_documents`). Each caller is answered only once its
document's entries are committed, so a bank that got 200 may forget the document. Right after
the commit the webhook deliverer is woken, so the events the group wrote leave at once.

Under light load a group is one document (nobody waits for company); under load the cost of a
transaction, a code lookup and a commit is shared by all documents of a group. When pushes come
back to back (the previous group ended less than ``bank_push_gather_ms`` ago), the importer
also waits that long after a group's first document for more before it begins, so a group
carries several documents even when each import is quick; after a quiet spell it does not wait.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field

from paydesk.bank.importer import Document, ImportSummary, import_documents
from paydesk.db.engine import Database
from paydesk.settings import Settings
from paydesk.webhooks.delivery import deliver_soon

log = logging.getLogger(__name__)

#: Most documents imported in one transaction.
MAX_GROUP = 200


@dataclass
class _Waiting:
    document: Document
    answer: Future = field(default_factory=Future)


class GroupImporter:
    """One thread per database that imports queued documents in groups."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        max_group: int = MAX_GROUP,
        gather_seconds: float | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.max_group = max_group
        self.gather_seconds = (
            settings.bank_push_gather_ms / 1000 if gather_seconds is None else gather_seconds
        )
        self._last_group_end = float("-inf")
        self.groups = 0  # groups imported so far (for tests and figures)
        self._queue: queue.SimpleQueue[_Waiting] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="paydesk-push-import", daemon=True)
        self._thread.start()

    def submit(self, data: bytes, *, source: str, actor: str) -> ImportSummary:
        """Import ``data`` with the next group; return its summary once committed (or raise
        the error the document alone was refused with)."""
        return self._queued(data, source, actor).result()

    async def submitted(self, data: bytes, *, source: str, actor: str) -> ImportSummary:
        """:meth:`submit` for an event loop: the loop waits for the commit without holding a
        thread (no hand-off to a worker thread and back for every pushed document)."""
        return await asyncio.wrap_future(self._queued(data, source, actor))

    def _queued(self, data: bytes, source: str, actor: str) -> Future:
        waiting = _Waiting(Document(data, source, actor))
        self._queue.put(waiting)
        return waiting.answer

    def _take_group(self) -> list[_Waiting]:
        group: list[_Waiting] = []
        while not group:
            taken = [self._queue.get()]
            first = time.monotonic()
            # Back to back (the last group ended moments ago): wait a little for company.
            until = (
                first + self.gather_seconds
                if first - self._last_group_end < self.gather_seconds
                else first
            )
            while len(taken) < self.max_group:
                try:
                    taken.append(self._queue.get(timeout=max(0.0, until - time.monotonic())))
                except queue.Empty:
                    break
            # A caller that went away before its import began (its request was cancelled) is
            # left out: it was not answered, so the bank sends the document again. The others
            # can no longer be cancelled, so their answers are always set.
            group = [w for w in taken if w.answer.set_running_or_notify_cancel()]
        return group

    def _loop(self) -> None:
        while True:
            group = self._take_group()
            try:
                results = import_documents(self.db, self.settings, [w.document for w in group])
            except Exception as error:  # the database failed: every caller hears of it
                log.warning("import of %d pushed documents failed: %s", len(group), error)
                for waiting in group:
                    waiting.answer.set_exception(error)
                continue
            finally:
                self._last_group_end = time.monotonic()
            self.groups += 1
            if any(isinstance(r, ImportSummary) and (r.matched or r.unmatched or r.reversed)
                   for r in results):  # fmt: skip
                deliver_soon(self.db, self.settings)
            for waiting, result in zip(group, results, strict=True):
                if isinstance(result, Exception):
                    waiting.answer.set_exception(result)
                else:
                    waiting.answer.set_result(result)


_importers: dict[int, GroupImporter] = {}
_importers_lock = threading.Lock()


def importer_for(db: Database, settings: Settings) -> GroupImporter:
    """The process's group importer for ``db`` (started when first needed)."""
    with _importers_lock:
        found = _importers.get(id(db))
        if found is None or found.db is not db:
            found = _importers[id(db)] = GroupImporter(db, settings)
        return found


async def submitted(
    db: Database, settings: Settings, data: bytes, *, source: str, actor: str
) -> ImportSummary:
    """Import one pushed document with whatever arrives while the current import runs,
    awaited on an event loop (the push endpoint)."""
    return await importer_for(db, settings).submitted(data, source=source, actor=actor)
