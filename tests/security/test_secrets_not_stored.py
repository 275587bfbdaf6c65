"""Item 4: no secret is stored in clear; an idempotent retry does not answer it again."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import String, Text, func, select

from paydesk.api.models import IdempotencyRecord
from paydesk.auth.models import ApiKey
from paydesk.db.engine import Database
from paydesk.db.models import Base
from paydesk.webhooks.models import WebhookSubscription
from tests.conftest import auth


def _text_anywhere(db: Database, needle: str, skip: set[str] = frozenset()) -> list[str]:
    """Tables whose text columns hold ``needle``."""
    found = []
    with db.reading() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in skip:
                continue
            for column in table.columns:
                if isinstance(column.type, String | Text):
                    hits = session.scalar(
                        select(func.count()).select_from(table).where(column.contains(needle))
                    )
                    if hits:
                        found.append(f"{table.name}.{column.name}")
    return found


def test_a_new_api_key_is_stored_nowhere_and_a_retry_does_not_show_it_again(
    client: TestClient, db: Database, keys: dict[str, str]
):
    client.post(
        "/v1/users", json={"username": "dms", "role": "integration"}, headers=auth(keys["admin"])
    )
    headers = auth(keys["admin"], **{"Idempotency-Key": "new-key-1"})
    created = client.post("/v1/users/dms/keys", headers=headers)
    assert created.status_code == 201
    full, key_id = created.json()["api_key"], created.json()["key_id"]
    secret = full.split("_", 2)[2]
    assert client.get("/v1/health", headers=auth(full)).status_code == 200
    assert _text_anywhere(db, secret) == []
    with db.reading() as session:
        stored = session.scalar(select(IdempotencyRecord.response_body))
        assert stored is not None and secret not in stored and key_id in stored

    retry = client.post("/v1/users/dms/keys", headers=headers)
    assert retry.status_code == 409
    problem = retry.json()
    assert problem["type"] == "urn:paydesk:problem:secret-not-replayed"
    assert problem["created_key_id"] == key_id
    assert secret not in retry.text
    with db.reading() as session:  # the retry created nothing
        assert (
            session.scalar(select(func.count()).select_from(ApiKey).where(ApiKey.user_id > 4)) == 1
        )


def test_a_webhook_signing_secret_is_not_kept_with_the_idempotent_answer(
    client: TestClient, db: Database, keys: dict[str, str]
):
    headers = auth(keys["integration"], **{"Idempotency-Key": "subscribe-1"})
    body = {"url": "https://dms.example/hooks", "event_types": ["*"]}
    created = client.post("/v1/webhooks/subscriptions", json=body, headers=headers)
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret
    # Only the subscription itself keeps it (the HMAC needs it).
    assert _text_anywhere(db, secret) == ["webhook_subscriptions.secret"]
    retry = client.post("/v1/webhooks/subscriptions", json=body, headers=headers)
    assert retry.status_code == 409
    assert retry.json()["created_id"] == created.json()["id"]
    assert secret not in retry.text
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(WebhookSubscription)) == 1


def test_an_answer_without_a_secret_is_still_replayed(client: TestClient, keys: dict[str, str]):
    headers = auth(keys["admin"], **{"Idempotency-Key": "user-1"})
    body = {"username": "anna", "role": "cashier"}
    first = client.post("/v1/users", json=body, headers=headers)
    again = client.post("/v1/users", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
