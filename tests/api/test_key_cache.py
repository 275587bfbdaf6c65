"""A checked API key is remembered for a short time; revocation takes effect within it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import update

from paydesk.api.app import create_app
from paydesk.api.deps import KeyCache
from paydesk.auth.models import ApiKey, User
from paydesk.auth.roles import Role
from paydesk.auth.service import Principal
from paydesk.db.base import utcnow
from paydesk.settings import Settings
from tests.conftest import auth


def _revoke_all(db) -> None:
    with db.transaction() as session:
        session.execute(update(ApiKey).values(revoked_at=utcnow()))


def test_a_revoked_key_is_refused_once_the_cache_time_has_passed(db, keys) -> None:
    app = create_app(Settings(database_url=db.url, api_key_cache_seconds=30), db)
    with TestClient(app) as client:
        assert client.get("/v1/accounts", headers=auth(keys["admin"])).status_code == 200
        _revoke_all(db)
        # Remembered: still accepted within the cache time …
        assert client.get("/v1/accounts", headers=auth(keys["admin"])).status_code == 200
        app.state.key_cache.clear()  # … the time has passed
        assert client.get("/v1/accounts", headers=auth(keys["admin"])).status_code == 401


def test_with_no_cache_time_a_revoked_key_is_refused_at_once(db, keys) -> None:
    app = create_app(Settings(database_url=db.url, api_key_cache_seconds=0), db)
    with TestClient(app) as client:
        assert client.get("/v1/accounts", headers=auth(keys["admin"])).status_code == 200
        _revoke_all(db)
        assert client.get("/v1/accounts", headers=auth(keys["admin"])).status_code == 401


def test_a_deactivated_user_is_refused_without_cache(db, keys) -> None:
    app = create_app(Settings(database_url=db.url, api_key_cache_seconds=0), db)
    with TestClient(app) as client:
        with db.transaction() as session:
            session.execute(update(User).where(User.username == "admin-user").values(active=False))
        assert client.get("/v1/accounts", headers=auth(keys["admin"])).status_code == 401


def test_cache_entries_expire_and_refused_keys_are_never_remembered(monkeypatch) -> None:
    clock = [100.0]
    monkeypatch.setattr("paydesk.api.deps.time.monotonic", lambda: clock[0])
    cache = KeyCache(seconds=5)
    who = Principal(1, "ann", Role("cashier"))
    cache.put("pdk_a_b", who)
    assert cache.get("pdk_a_b") == who
    assert cache.get("pdk_a_c") is None
    clock[0] += 5
    assert cache.get("pdk_a_b") is None


def test_a_full_cache_drops_expired_entries_first(monkeypatch) -> None:
    clock = [0.0]
    monkeypatch.setattr("paydesk.api.deps.time.monotonic", lambda: clock[0])
    cache = KeyCache(seconds=10, max_entries=2)
    who = Principal(1, "ann", Role("cashier"))
    cache.put("old", who)
    clock[0] = 5.0
    cache.put("new", who)
    clock[0] = 11.0  # "old" has expired, "new" has not
    cache.put("newest", who)
    assert cache.get("new") == who
    assert cache.get("newest") == who
    assert cache.get("old") is None
