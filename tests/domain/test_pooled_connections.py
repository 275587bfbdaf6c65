"""Pooled PostgreSQL connections: a dead one is replaced before use; reads add no round trips."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from paydesk.db.engine import Database


def _postgresql(db: Database) -> Database:
    if not db.is_postgresql:
        pytest.skip("the pool's liveness check is PostgreSQL's")
    return db


def test_a_connection_the_server_ended_is_replaced_before_the_caller_sees_it(db):
    db = _postgresql(db)
    with db.read_connection() as conn:
        first = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    admin = Database(db.url)  # a pool of its own: not the connection it ends
    try:
        with admin.transaction() as session:
            ended = session.execute(text("SELECT pg_terminate_backend(:p, 10000)"), {"p": first})
            assert ended.scalar_one()  # waited (up to 10 s) until the backend was gone
    finally:
        admin.dispose()
    # The pool hands out the same connection again; its socket now reads as closed.
    with db.read_connection() as conn:
        second = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert second != first
    with db.transaction() as session:
        assert session.execute(text("SELECT 1")).scalar_one() == 1


def test_a_busy_pool_is_not_pinged_and_reads_run_without_begin_or_rollback(db):
    db = _postgresql(db)
    with db.read_connection() as conn:
        conn.execute(text("SELECT 1"))
    sent: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        sent.append(statement)

    raw_pings: list[object] = []
    ping = db.engine.dialect.do_ping
    db.engine.dialect.do_ping = lambda c: raw_pings.append(c) or ping(c)  # type: ignore[method-assign]
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        for _ in range(3):
            with db.read_connection() as conn:
                assert conn.execute(text("SELECT 2")).scalar_one() == 2
                assert conn.execute(text("SHOW transaction_isolation")).scalar_one()
                in_transaction = conn.execute(
                    text("SELECT now() = statement_timestamp()")
                ).scalar_one()
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
        del db.engine.dialect.do_ping
    assert raw_pings == []
    assert (
        sent
        == ["SELECT 2", "SHOW transaction_isolation", "SELECT now() = statement_timestamp()"] * 3
    )
    # In autocommit each statement is its own transaction: its start is the statement's.
    assert in_transaction


def test_a_read_on_the_event_loop_does_not_wait_for_connections_threads_hold(db):
    pool = db.engine.pool
    capacity = pool.size() + pool._max_overflow  # type: ignore[attr-defined]
    held = [db.engine.connect() for _ in range(capacity)]  # every thread is busy
    try:
        with db.loop_read_connection() as conn:
            assert conn.execute(text("SELECT 7")).scalar_one() == 7
        with db.loop_read_connection() as conn:  # and again: the loop's one connection
            assert conn.execute(text("SELECT 8")).scalar_one() == 8
    finally:
        for connection in held:
            connection.close()
