"""Item 2: sessions live on the server; sign-in is throttled and tells nothing of who exists."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from paydesk.audit.models import AuditEvent
from paydesk.auth import service, throttle
from paydesk.auth.models import WebSession
from paydesk.db.base import utcnow
from paydesk.db.engine import Database
from tests.web.conftest import PASSWORDS, Book, csrf_token, sign_in

COOKIE = "paydesk_session"


def _signed_in(client: TestClient) -> bool:
    return client.get("/accounts", follow_redirects=False).status_code == 200


def _copy(client: TestClient) -> TestClient:
    """Another browser holding a copy of the client's session cookie."""
    other = TestClient(client.app)
    other.cookies.set(COOKIE, client.cookies[COOKIE])
    return other


def test_a_cookie_copied_before_sign_out_is_refused_after_it(
    client: TestClient, db: Database, book: Book
):
    token = sign_in(client, "supervisor")
    copy = _copy(client)
    assert _signed_in(copy)
    client.post("/sign-out", data={"csrf_token": token})
    assert not _signed_in(client)
    assert not _signed_in(copy)
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0


def test_a_password_change_ends_every_session_of_the_user(
    client: TestClient, db: Database, book: Book
):
    sign_in(client, "cashier")
    copy = _copy(client)
    bystander = TestClient(client.app)
    sign_in(bystander, "supervisor")
    with db.transaction() as session:
        ended = service.set_password(
            session, service.get_user(session, "cashier"), "a-new-pass-123", actor="admin"
        )
    assert ended == 1
    assert not _signed_in(client) and not _signed_in(copy)
    assert _signed_in(bystander)  # other users keep theirs
    sign_in(client, "cashier", "a-new-pass-123")
    assert _signed_in(client)


def test_deactivating_a_user_ends_their_sessions_at_once(
    client: TestClient, db: Database, book: Book
):
    sign_in(client, "supervisor")
    with db.transaction() as session:
        service.deactivate_user(session, service.get_user(session, "supervisor"), actor="admin")
    assert not _signed_in(client)
    token = csrf_token(client.get("/sign-in").text)
    again = client.post(
        "/sign-in",
        data={"csrf_token": token, "username": "supervisor", "password": PASSWORDS["supervisor"]},
    )
    assert again.status_code == 401


def _attempt(client: TestClient, username: str, password: str):
    token = csrf_token(client.get("/sign-in").text)
    return client.post(
        "/sign-in",
        data={"csrf_token": token, "username": username, "password": password, "next": "/"},
        follow_redirects=False,
    )


def _audit(db: Database, username: str) -> list[str]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(AuditEvent.to_status)
                .where(AuditEvent.entity_type == "sign_in", AuditEvent.entity_id == username)
                .order_by(AuditEvent.id)
            )
        )


def test_sign_in_backs_off_after_a_few_failures_per_user_name_and_is_audited(
    client: TestClient, db: Database, book: Book
):
    for _ in range(throttle.USER_FREE_FAILURES):
        assert _attempt(client, "cashier", "wrong-password").status_code == 401
    refused = _attempt(client, "cashier", PASSWORDS["cashier"])  # right, but backed off
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.text
    assert int(refused.headers["Retry-After"]) > 0
    assert not _signed_in(client)
    assert _audit(db, "cashier") == ["failed"] * throttle.USER_FREE_FAILURES + ["throttled"]
    # Another user from elsewhere is not held up by it.
    assert (
        _attempt(TestClient(client.app), "supervisor", PASSWORDS["supervisor"]).status_code == 303
    )


def test_the_back_off_ends_and_doubles_with_each_new_failure(db: Database, book: Book):
    now = utcnow()
    for _ in range(throttle.USER_FREE_FAILURES):
        assert not throttle.sign_in(db, "admin", "wrong", "10.1.1.1", now=now).throttled
    held = throttle.sign_in(db, "admin", PASSWORDS["admin"], "10.1.1.2", now=now)
    assert held.throttled and held.retry_after == throttle.BASE_LOCK
    later = now + throttle.BASE_LOCK + timedelta(seconds=1)
    assert not throttle.sign_in(db, "admin", "wrong", "10.1.1.3", now=later).principal
    doubled = throttle.sign_in(db, "admin", PASSWORDS["admin"], "10.1.1.4", now=later)
    assert doubled.retry_after == 2 * throttle.BASE_LOCK
    after = later + 2 * throttle.BASE_LOCK + timedelta(seconds=1)
    assert throttle.sign_in(db, "admin", PASSWORDS["admin"], "10.1.1.5", now=after).principal
    # Success clears the user's count: the next failure does not lock again.
    assert not throttle.sign_in(db, "admin", "wrong", "10.1.1.6", now=after).throttled
    assert not throttle.sign_in(db, "admin", PASSWORDS["admin"], "10.1.1.6", now=after).throttled


def test_sign_in_backs_off_per_client_address(db: Database, book: Book):
    now = utcnow()
    for n in range(throttle.ADDRESS_FREE_FAILURES):
        throttle.sign_in(db, f"guess-{n}", "wrong", "192.0.2.7", now=now)
    held = throttle.sign_in(db, "cashier", PASSWORDS["cashier"], "192.0.2.7", now=now)
    assert held.throttled and held.principal is None
    elsewhere = throttle.sign_in(db, "cashier", PASSWORDS["cashier"], "192.0.2.8", now=now)
    assert elsewhere.principal is not None


def test_an_unknown_user_gets_the_same_answers_as_a_known_one(
    client: TestClient, db: Database, book: Book
):
    def answers(username: str) -> list[tuple[int, str]]:
        fresh = TestClient(client.app)
        result = []
        for _ in range(throttle.USER_FREE_FAILURES + 1):
            response = _attempt(fresh, username, "wrong-password")
            message = response.text.split('id="sign-in-error">')[1].split("<")[0]
            result.append((response.status_code, message))
        return result

    known, unknown = answers("supervisor"), answers("nobody-by-this-name")
    assert [status for status, _ in known] == [status for status, _ in unknown]
    assert [status for status, _ in known][-1] == 429
    assert [m for _, m in known] == [m for _, m in unknown]
    assert "nobody-by-this-name" not in str(known)


def test_expired_sessions_and_old_failure_counts_are_purged(db: Database, book: Book):
    now = utcnow()
    with db.transaction() as session:
        user = service.get_user(session, "cashier")
        live = service.start_web_session(session, user.id, minutes=5, now=now)
        service.start_web_session(session, user.id, minutes=5, now=now - timedelta(minutes=10))
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 2
    throttle.sign_in(db, "cashier", "wrong", "198.51.100.1", now=now - timedelta(hours=2))
    throttle.sign_in(db, "admin", "wrong", "198.51.100.2", now=now)
    throttle.purge(db, now=now)
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 1
        assert service.web_session_user(session, live, now) is not None
        keys = set(session.scalars(select(throttle.SignInThrottle.key)))
    assert keys == {"user:admin", "addr:198.51.100.2"}
