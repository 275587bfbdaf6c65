"""Database triggers that make a table append-only (no UPDATE, no DELETE, no TRUNCATE), for
migrations.

SQLite has no TRUNCATE: its ``DELETE FROM t`` without a condition is refused by the DELETE
trigger (a table with triggers never gets SQLite's truncate shortcut). PostgreSQL's TRUNCATE
fires no row trigger, so a statement-level ``BEFORE TRUNCATE`` trigger refuses it.
"""

from __future__ import annotations

from alembic import op


def protect(table: str) -> None:
    """Refuse every UPDATE and DELETE on ``table`` at the database itself."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    else:
        op.execute(
            f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{table} is append-only'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )
        protect_from_truncate(table)


def protect_from_truncate(table: str) -> None:
    """PostgreSQL: refuse TRUNCATE on ``table`` (needs the function :func:`protect` made)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")  # made by protect()
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
        )


def unprotect_from_truncate(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")


def unprotect(table: str) -> None:
    """Drop what :func:`protect` created (downgrades)."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    else:
        unprotect_from_truncate(table)
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
