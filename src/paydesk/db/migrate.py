"""Run Alembic migrations from code (``paydesk db upgrade``) without an alembic.ini."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from paydesk.db.engine import normalise_url


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "paydesk:db/migrations")
    config.set_main_option("sqlalchemy.url", normalise_url(url))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (default: the newest)."""
    command.upgrade(alembic_config(url), revision)


def revision(url: str, message: str) -> None:
    """Autogenerate a new migration from the models (for developers)."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
