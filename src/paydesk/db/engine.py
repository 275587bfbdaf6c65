"""The database handle and the one way paydesk opens a transaction."""

from __future__ import annotations

import select
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from threading import RLock
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from paydesk.db.checkpoint import WalCheckpointer


def normalise_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _configure_sqlite(engine: Engine, *, own_checkpoints: bool = False) -> None:
    """Pragmas of every connection; with ``own_checkpoints`` the log is checkpointed by the
    database's :class:`WalCheckpointer` (after each :meth:`Database.transaction`), not by the
    committing writer."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy issue BEGIN itself so a transaction is one unit of work.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        if own_checkpoints:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # A writing transaction takes the write lock at its start, so no update is lost
        # between its reads and its writes; readers use a deferred BEGIN (WAL lets them run).
        if connection.get_execution_options().get("paydesk_read_only"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


#: A pooled PostgreSQL connection idle longer than this is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 30.0


def _needs_ping(dbapi_connection: Any, idle_seconds: float) -> bool:
    """Whether a pooled connection may be dead: idle long, or the server has said something
    (a closed or terminated connection makes its socket readable; an idle one stays quiet)."""
    if idle_seconds > PING_AFTER_IDLE_SECONDS:
        return True
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None or pgconn.status != 0:  # 0: CONNECTION_OK
        return True
    try:
        readable, _, _ = select.select([pgconn.socket], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _configure_postgresql(engine: Engine) -> None:
    """Check a pooled connection before use only when it may be dead.

    ``pool_pre_ping`` costs a round trip at every checkout (several per payment); this asks the
    socket instead (no round trip) and pings only a connection that idled long or whose socket
    has something to read. A dead one is replaced before the caller sees it."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record) -> None:
        record.info["paydesk_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy) -> None:
        since = record.info.get("paydesk_idle_since")
        if since is None or not _needs_ping(dbapi_connection, time.monotonic() - since):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError(f"pooled connection is gone: {error}") from error


class Database:
    """An engine plus a session factory. ``transaction()`` is the only way writes happen."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        self._echo = echo
        in_memory = self.dialect == "sqlite" and parsed.database in (None, "", ":memory:")
        if self.dialect == "sqlite" and not in_memory:
            Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
        # SQLite has one writer: threads of this process queue here, in order, instead of
        # polling the file lock (busy_timeout), which starves some of them under load.
        self._write_lock = RLock() if self.dialect == "sqlite" else None
        self._checkpointer = (
            WalCheckpointer(str(parsed.database), self._write_lock)
            if self._write_lock is not None and not in_memory
            else None
        )
        pool = {} if self.dialect == "sqlite" else {"pool_size": 10, "max_overflow": 20}
        self.engine = self._new_engine(own_checkpoints=self._checkpointer is not None, **pool)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # PostgreSQL reads run in autocommit: under READ COMMITTED each statement has its own
        # snapshot anyway, and no BEGIN/ROLLBACK round trips (a ROLLBACK also makes psycopg
        # drop the connection's prepared statements). SQLite reads keep one snapshot.
        read_options: dict[str, object] = {"paydesk_read_only": True}
        if self.dialect == "postgresql":
            read_options["isolation_level"] = "AUTOCOMMIT"
        self._read_bind = self.engine.execution_options(**read_options)
        # The event loop's reads: a pool of one of its own (an in-memory database exists once
        # per connection, so there the loop shares the main pool). Connects on first use.
        self._loop_engine = None if in_memory else self._new_engine(pool_size=1, max_overflow=0)
        self._loop_read = (
            self._read_bind
            if self._loop_engine is None
            else self._loop_engine.execution_options(**read_options)
        )

    def _new_engine(self, *, own_checkpoints: bool = False, **pool: int) -> Engine:
        engine = create_engine(self.url, echo=self._echo, **pool)
        if self.dialect == "sqlite":
            _configure_sqlite(engine, own_checkpoints=own_checkpoints)
        else:
            _configure_postgresql(engine)
        return engine

    @property
    def is_postgresql(self) -> bool:
        return self.dialect == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        if self._write_lock is not None:
            with self._write_lock, self.sessions() as session, session.begin():
                yield session
            if self._checkpointer is not None:
                self._checkpointer.nudge()
            return
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only; closing it ends its transaction, loaded rows stay readable."""
        with self.sessions(bind=self._read_bind) as session:
            yield session

    @contextmanager
    def read_connection(self) -> Iterator[Connection]:
        """A plain connection for a few reads (no ORM session): the cheapest way to ask."""
        with self._read_bind.connect() as connection:
            yield connection

    @contextmanager
    def loop_read_connection(self) -> Iterator[Connection]:
        """:meth:`read_connection` for a read made on an event loop (a request handler that
        does not hand its work to a thread). Its connection comes from a pool of one kept for
        the loop, so the loop never waits for a connection that worker threads hold; use it
        from the loop's thread only, and never across an ``await``."""
        with self._loop_read.connect() as connection:
            yield connection

    def dispose(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self.engine.dispose()
        if self._loop_engine is not None:
            self._loop_engine.dispose()
