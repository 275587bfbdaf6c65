"""The database handle and the one way paydesk opens a transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from threading import RLock

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def normalise_url(url: str) -> str:
    """Use psycopg 3 for ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy issue BEGIN itself so a transaction is one unit of work.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # A writing transaction takes the write lock at its start, so no update is lost
        # between its reads and its writes; readers use a deferred BEGIN (WAL lets them run).
        if connection.get_execution_options().get("paydesk_read_only"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """An engine plus a session factory. ``transaction()`` is the only way writes happen."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, object] = {"echo": echo}
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine = create_engine(self.url, **kwargs)
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer: threads of this process queue here, in order, instead of
        # polling the file lock (busy_timeout), which starves some of them under load.
        self._write_lock = RLock() if self.dialect == "sqlite" else None
        self._read_bind = self.engine.execution_options(paydesk_read_only=True)

    @property
    def is_postgresql(self) -> bool:
        return self.dialect == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        if self._write_lock is not None:
            with self._write_lock, self.sessions() as session, session.begin():
                yield session
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

    def dispose(self) -> None:
        self.engine.dispose()
