"""What every ``paydesk`` command shares: the configured database, and a request paydesk
refuses ending the command with its reason."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from paydesk.db.engine import Database
from paydesk.errors import PaydeskError
from paydesk.settings import get_settings


def database() -> Database:
    return Database(get_settings().database_url)


def fail(error: PaydeskError) -> typer.Exit:
    """Say why paydesk refused (on stderr); the exit to raise: status 2."""
    typer.secho(f"error: {error.detail}", fg=typer.colors.RED, err=True)
    return typer.Exit(2)


@contextmanager
def refused() -> Iterator[None]:
    """A :class:`PaydeskError` raised in the block ends the command: its detail, exit 2."""
    try:
        yield
    except PaydeskError as error:
        raise fail(error) from None
