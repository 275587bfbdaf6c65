"""SQLite's write-ahead log checkpointed beside the writers: committed rows reach the database
file, a long log starts again from its beginning, and no thread is left after dispose."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy import text

from paydesk.db.checkpoint import WalCheckpointer
from paydesk.db.engine import Database


def _in_file_alone(path: Path) -> int:
    """Rows of ``t`` in the database file itself, the log not read (``immutable``); 0 while
    the table itself is in the log only."""
    reader = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return reader.execute("SELECT COUNT(*) FROM t").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        reader.close()


def _threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "paydesk-wal-checkpoint")


def _writes(db: Database, transactions: int, rows: int) -> None:
    for _ in range(transactions):
        with db.transaction() as session:
            session.execute(
                text("INSERT INTO t (v) VALUES (:v)"), [{"v": "x" * 500} for _ in range(rows)]
            )


def test_commits_reach_the_database_file_without_the_writer_checkpointing(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    db = Database(f"sqlite:///{path}")
    with db.transaction() as session:
        assert session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
        session.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
    _writes(db, 3, 100)
    deadline = time.monotonic() + 10
    while _in_file_alone(path) < 300 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _in_file_alone(path) == 300
    assert _threads() == 1
    db.dispose()
    assert _threads() == 0


def test_a_long_log_is_copied_to_its_end_so_the_next_writer_starts_it_again(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    lock = threading.RLock()
    checkpointer = WalCheckpointer(str(path), lock, limit_pages=16)
    checkpoints = sqlite3.connect(path, isolation_level=None)

    def write() -> None:
        writer.execute("BEGIN IMMEDIATE")
        writer.executemany("INSERT INTO t (v) VALUES (?)", [("x" * 500,)] * 2000)
        writer.execute("COMMIT")

    write()
    log_size = (tmp_path / "c.db-wal").stat().st_size
    assert checkpointer.checkpoint(checkpoints) == 0
    assert _in_file_alone(path) == 2000
    write()  # the log starts again at its beginning: the file does not grow
    assert (tmp_path / "c.db-wal").stat().st_size <= log_size
    assert _in_file_alone(path) == 2000  # the new rows are in the log only, until the next one
    assert checkpointer.checkpoint(checkpoints) == 0
    assert _in_file_alone(path) == 4000
    checkpoints.close()
    writer.close()


def test_a_long_log_is_finished_under_the_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    writer.executemany("INSERT INTO t (v) VALUES (?)", [("x" * 500,)] * 200)
    taken: list[str] = []

    class Lock:
        def __enter__(self) -> None:
            taken.append("write lock")

        def __exit__(self, *_: object) -> None:
            taken.append("released")

    checkpoints = sqlite3.connect(path, isolation_level=None)
    assert WalCheckpointer(str(path), Lock(), limit_pages=10_000).checkpoint(checkpoints) == 0
    assert taken == []  # a short log: no writer waits
    writer.executemany("INSERT INTO t (v) VALUES (?)", [("x" * 500,)] * 200)
    assert WalCheckpointer(str(path), Lock(), limit_pages=16).checkpoint(checkpoints) == 0
    assert taken == ["write lock", "released"]
    checkpoints.close()
    writer.close()


def test_an_in_memory_database_has_no_checkpointer() -> None:
    db = Database("sqlite://")
    with db.transaction() as session:
        session.execute(text("SELECT 1"))
    assert _threads() == 0
    db.dispose()
