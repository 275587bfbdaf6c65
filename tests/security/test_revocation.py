"""Item 3: keys and users can be revoked, from the command line and over the API."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from paydesk.api.app import create_app
from paydesk.audit.models import AuditEvent
from paydesk.auth import service
from paydesk.cli.main import app as cli
from paydesk.db.engine import Database
from paydesk.settings import Settings, get_settings
from tests.conftest import auth
from tests.web.conftest import Book, sign_in


@pytest.fixture
def cli_env(db: Database, monkeypatch):
    monkeypatch.setenv("PAYDESK_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _key_id(key: str) -> str:
    return key.split("_", 2)[1]


def test_an_admin_lists_and_revokes_a_key_and_it_is_refused_at_once(
    client: TestClient, db: Database, keys: dict[str, str]
):
    cashier = keys["cashier"]
    assert client.get("/v1/accounts", headers=auth(cashier)).status_code == 200  # now cached
    listed = client.get("/v1/users/cashier-user/keys", headers=auth(keys["admin"]))
    assert listed.status_code == 200
    assert [k["key_id"] for k in listed.json()] == [_key_id(cashier)]
    assert listed.json()[0]["revoked_at"] is None and "api_key" not in listed.json()[0]
    revoked = client.post(
        f"/v1/users/cashier-user/keys/{_key_id(cashier)}/revoke", headers=auth(keys["admin"])
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.get("/v1/accounts", headers=auth(cashier)).status_code == 401
    with db.reading() as session:
        assert (
            session.scalar(
                select(AuditEvent.to_status).where(AuditEvent.entity_id == _key_id(cashier))
            )
            == "revoked"
        )


def test_only_admins_revoke_and_deactivate(client: TestClient, keys: dict[str, str]):
    for role in ("cashier", "supervisor", "integration"):
        h = auth(keys[role])
        assert client.get("/v1/users/admin-user/keys", headers=h).status_code == 403
        assert (
            client.post(
                f"/v1/users/admin-user/keys/{_key_id(keys['admin'])}/revoke", headers=h
            ).status_code
            == 403
        )
        assert client.post("/v1/users/admin-user/deactivate", headers=h).status_code == 403
    assert client.get("/v1/users/nobody/keys", headers=auth(keys["admin"])).status_code == 404
    assert (
        client.post(
            "/v1/users/cashier-user/keys/0000/revoke", headers=auth(keys["admin"])
        ).status_code
        == 404
    )


def test_deactivating_a_user_over_the_api_refuses_their_keys_and_ends_their_sessions(
    client: TestClient, db: Database, keys: dict[str, str], book: Book
):
    web = TestClient(client.app)
    sign_in(web, "supervisor")
    with db.transaction() as session:
        supervisor_key = service.create_key(session, service.get_user(session, "supervisor"))
    assert client.get("/v1/accounts", headers=auth(supervisor_key)).status_code == 200
    done = client.post(
        "/v1/users/supervisor/deactivate", json={"reason": "left"}, headers=auth(keys["admin"])
    )
    assert done.status_code == 200 and done.json()["active"] is False
    assert client.get("/v1/accounts", headers=auth(supervisor_key)).status_code == 401
    assert web.get("/accounts", follow_redirects=False).status_code == 303


def test_a_password_change_over_the_api_ends_the_users_sessions(
    client: TestClient, keys: dict[str, str], book: Book
):
    web = TestClient(client.app)
    sign_in(web, "cashier")
    changed = client.post(
        "/v1/users/cashier/password",
        json={"password": "brand-new-pass"},
        headers=auth(keys["admin"]),
    )
    assert changed.status_code == 200
    assert web.get("/accounts", follow_redirects=False).status_code == 303
    sign_in(web, "cashier", "brand-new-pass")


def test_revocation_elsewhere_takes_effect_within_the_cache_time(db: Database, keys, cli_env):
    """Another process (here the command line) revokes: a server that checked the key less
    than ``api_key_cache_seconds`` ago still accepts it until that time has passed."""
    app = create_app(Settings(database_url=db.url, api_key_cache_seconds=1.0), db)
    with TestClient(app) as client:
        assert client.get("/v1/accounts", headers=auth(keys["cashier"])).status_code == 200
        done = cli_env.invoke(cli, ["key", "revoke", keys["cashier"]])
        assert done.exit_code == 0, done.output
        assert "revoked" in done.output
        time.sleep(1.1)
        assert client.get("/v1/accounts", headers=auth(keys["cashier"])).status_code == 401


def test_the_command_line_lists_revokes_and_deactivates(db: Database, keys, cli_env):
    listed = cli_env.invoke(cli, ["key", "list", "integration-user"])
    assert listed.exit_code == 0 and f"pdk_{_key_id(keys['integration'])}_…" in listed.output
    assert keys["integration"] not in listed.output  # only the public part
    assert cli_env.invoke(cli, ["key", "revoke", _key_id(keys["integration"])]).exit_code == 0
    assert "revoked" in cli_env.invoke(cli, ["key", "list", "integration-user"]).output
    assert cli_env.invoke(cli, ["key", "revoke", "no-such-key"]).exit_code == 2
    off = cli_env.invoke(cli, ["user", "deactivate", "supervisor-user", "--reason", "left"])
    assert off.exit_code == 0, off.output
    password = cli_env.invoke(
        cli, ["user", "password", "admin-user", "--password", "long-enough-1"]
    )
    assert password.exit_code == 0 and "0 web session(s) ended" in password.output
    with db.reading() as session:
        assert not service.get_user(session, "supervisor-user").active
        assert service.principal_for_key(session, keys["supervisor"]) is None
