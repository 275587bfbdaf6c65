"""Fixtures: every storage test runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from paydesk.db.engine import Database
from paydesk.db.migrate import upgrade
from paydesk.db.models import Base
from paydesk.settings import Settings

os.environ["PAYDESK_CONFIG"] = "/nonexistent/paydesk.toml"  # tests never read a local file
#: The secret key of in-process apps (there is no default); processes get it passed explicitly.
TEST_SECRET = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
os.environ["PAYDESK_SECRET_KEY"] = TEST_SECRET
os.environ["PAYDESK_SECRET_KEY_FILE"] = "/nonexistent/secret_key"  # never a developer's file

#: Server for the PostgreSQL runs; a fresh database per test process is created on it.
POSTGRES_URL = os.environ.get(
    "PAYDESK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = [b for b in os.environ.get("PAYDESK_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "paydesk.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    admin = Database(POSTGRES_URL)
    name = f"paydesk_test_{_worker()}_{os.getpid()}"
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    yield url
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(db: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        # The append-only tables refuse TRUNCATE by trigger; the test server's superuser may
        # switch triggers off for this one transaction (the application's role cannot).
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: SQLite file or PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "paydesk.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        database = Database(f"sqlite:///{path}")
    else:
        database = Database(request.getfixturevalue("postgres_database"))
        _truncate_all(database)
    yield database
    database.dispose()


@pytest.fixture
def settings(db: Database) -> Settings:
    return Settings(database_url=db.url)


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    from paydesk.api.app import create_app

    with TestClient(create_app(settings, db)) as test_client:
        yield test_client


@pytest.fixture
def keys(db: Database) -> dict[str, str]:
    """An API key per role: ``keys['cashier']`` …"""
    from paydesk.auth import service

    result = {}
    with db.transaction() as session:
        for role in ("cashier", "supervisor", "integration", "admin"):
            user = service.create_user(session, username=f"{role}-user", role=role)
            result[role] = service.create_key(session, user)
    return result


def auth(key: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **headers}
