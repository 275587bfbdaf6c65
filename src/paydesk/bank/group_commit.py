"""Group commit of pushed documents: what arrives while one import runs is imported together.

A bank pushing notifications one by one (``POST /v1/bank/notifications``) hands each document
to :func:`submit`, which queues it for the process's one importer thread and waits. That
thread takes every document waiting — the ones that arrived while the previous group was
being imported — and imports them in one transaction through the one posting pipeline
(:func:`~paydesk.bank.importer.import_documents`). Each caller is answered only once its
document's entries are committed, so a bank that got 200 may forget the document. Right after
the commit the webhook deliverer is woken, so the events the group wrote leave at once.

Under light load a group is one document (nobody waits for company); under load the cost of a
transaction, a code lookup and a commit is shared by all documents of a group.
"""

from __future__ import annotations

import logging
import queue
import threading
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

    def __init__(self, db: Database, settings: Settings, *, max_group: int = MAX_GROUP) -> None:
        self.db = db
        self.settings = settings
        self.max_group = max_group
        self.groups = 0  # groups imported so far (for tests and figures)
        self._queue: queue.SimpleQueue[_Waiting] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="paydesk-push-import", daemon=True)
        self._thread.start()

    def submit(self, data: bytes, *, source: str, actor: str) -> ImportSummary:
        """Import ``data`` with the next group; return its summary once committed (or raise
        the error the document alone was refused with)."""
        waiting = _Waiting(Document(data, source, actor))
        self._queue.put(waiting)
        return waiting.answer.result()

    def _take_group(self) -> list[_Waiting]:
        group = [self._queue.get()]
        while len(group) < self.max_group:
            try:
                group.append(self._queue.get_nowait())
            except queue.Empty:
                break
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


def submit(db: Database, settings: Settings, data: bytes, *, source: str, actor: str):
    """Import one pushed document with whatever arrives while the current import runs
    (the push endpoint's document handler)."""
    return importer_for(db, settings).submit(data, source=source, actor=actor)
