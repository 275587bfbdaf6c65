"""Checkpoints of SQLite's write-ahead log, made by a thread of their own.

By default SQLite checkpoints inside the commit that takes the log over 1 000 pages: that
writer copies the log into the database file and waits for two ``fsync`` calls while it holds
the write lock (about a fifth of a bank file's import time, and a desk payment that happens to
be that commit waits as long). paydesk's connections turn that off and a
:class:`WalCheckpointer` does it after commits instead, beside the writers: a ``PASSIVE``
checkpoint never waits for, nor blocks, readers or writers.

A passive checkpoint beside a busy writer copies the log but cannot let it start again from the
beginning (that happens when a write begins with every page of the log copied), so while the log
holds more than :data:`LOG_LIMIT_PAGES` the checkpointer copies the rest holding the process's
write lock: writers of this process wait for that remainder only, and the next one starts the
log afresh. The log stays bounded as with SQLite's own checkpoints.

The thread starts at the first commit and ends after :data:`IDLE_SECONDS` without one.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from contextlib import AbstractContextManager

__all__ = ["IDLE_SECONDS", "LOG_LIMIT_PAGES", "WalCheckpointer"]

#: A log longer than this many pages is copied under the write lock, so it starts again.
LOG_LIMIT_PAGES = 4096
#: The thread ends after this long without a commit (it starts again at the next one).
IDLE_SECONDS = 2.0
#: At least this long between two checkpoints: commits in between share the next one.
PAUSE_SECONDS = 0.05

_PASSIVE = "PRAGMA wal_checkpoint(PASSIVE)"

log = logging.getLogger(__name__)


class WalCheckpointer:
    """Checkpoints the log of the SQLite database at ``path`` after commits (:meth:`nudge`).

    ``write_lock`` is the lock the process's writers take; it is held only to copy the last
    pages of a log longer than ``limit_pages``."""

    def __init__(
        self,
        path: str,
        write_lock: AbstractContextManager[object],
        *,
        limit_pages: int = LOG_LIMIT_PAGES,
    ) -> None:
        self._path = path
        self._write_lock = write_lock
        self._limit = limit_pages
        self._committed = threading.Event()
        self._state = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._stopped = False

    def nudge(self) -> None:
        """Say a transaction committed; a checkpoint follows shortly, in the background."""
        with self._state:
            if self._stopped:
                return
            self._committed.set()
            if self._thread is None or self._pid != os.getpid():  # none yet, or forked
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._run, name="paydesk-wal-checkpoint", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        """End the thread (after the checkpoint it is making, if any)."""
        with self._state:
            self._stopped = True
            thread, self._thread = self._thread, None
            self._committed.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def checkpoint(self, connection: sqlite3.Connection) -> int:
        """One round: copy what the log holds; if it is long, copy the rest under the write
        lock. Returns the pages left in the log (0 when it may start again)."""
        _, pages, copied = connection.execute(_PASSIVE).fetchone()
        if pages >= self._limit:
            with self._write_lock:
                _, pages, copied = connection.execute(_PASSIVE).fetchone()
        return 0 if pages < 0 else pages - copied

    def _run(self) -> None:
        connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        try:
            while True:
                if not self._committed.wait(IDLE_SECONDS):
                    with self._state:
                        if not self._committed.is_set():
                            if self._thread is threading.current_thread():
                                self._thread = None
                            return
                with self._state:
                    if self._stopped or self._thread is not threading.current_thread():
                        return
                    self._committed.clear()
                try:
                    self.checkpoint(connection)
                except sqlite3.Error as error:  # the next commit tries again
                    log.warning("checkpoint of %s failed: %s", self._path, error)
                time.sleep(PAUSE_SECONDS)
        finally:
            connection.close()
