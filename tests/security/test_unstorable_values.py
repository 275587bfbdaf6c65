"""Item 10: values no database can take answer 422, never 500; LIKE wildcards match literally."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from paydesk.audit.models import AuditEvent
from paydesk.codes.models import PaymentCode
from paydesk.db.engine import Database
from tests.api.helpers import make_account
from tests.conftest import auth
from tests.gateway.helpers import fixed_code
from tests.web.conftest import Book, sign_in

TOO_BIG = [str(2**63), str(2**64), "9" * 40, str(-(2**63) - 1)]


def _is_refused(response) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == "urn:paydesk:problem:invalid-input"


@pytest.mark.parametrize("number", TOO_BIG)
def test_integers_past_64_bits_in_ids_and_offsets_answer_422(
    client: TestClient, keys: dict[str, str], number: str
):
    h = auth(keys["admin"])
    for path in (
        f"/v1/accounts/{number}",
        f"/v1/payment-events/{number}",
        f"/v1/webhooks/deliveries/{number}",
        f"/v1/accounts?offset={number}",
        f"/v1/payment-codes?account_id={number}",
        f"/v1/webhooks/deliveries?subscription_id={number}",
    ):
        _is_refused(client.get(path, headers=h))
    _is_refused(client.post(f"/v1/payments/{number}/freeze", headers=h))


def test_the_largest_64_bit_integer_is_a_plain_not_found(client: TestClient, keys: dict[str, str]):
    h = auth(keys["admin"])
    assert client.get(f"/v1/accounts/{2**63 - 1}", headers=h).status_code == 404
    assert client.get(f"/v1/accounts?offset={2**63 - 1}", headers=h).status_code == 200


def test_integers_past_64_bits_in_bodies_answer_422_and_write_nothing(
    client: TestClient, db: Database, keys: dict[str, str]
):
    h = auth(keys["admin"])
    account = make_account(client, keys["admin"])
    _is_refused(
        client.post(
            "/v1/payment-events",
            json={
                "payments": [{"account_id": 2**64, "amount": "1.00"}],
                "tenders": [{"type": "cash"}],
            },
            headers=h,
        )
    )
    _is_refused(
        client.post(
            f"/v1/accounts/{account['id']}/contracts",
            json={"contract_type": "x", "payment_priority": 2**70},
            headers=h,
        )
    )
    # Inside 64 bits but past the column (a 32-bit INTEGER on PostgreSQL): still 422.
    points = client.post(
        f"/v1/accounts/{account['id']}/cash-only-points",
        json={"points": 2**40, "reason": "bounced"},
        headers=h,
    )
    assert points.status_code == 422, points.text
    again = client.get(f"/v1/accounts/{account['id']}", headers=h).json()
    assert again["cash_only_points"] == 0 and len(again["contracts"]) == 2


def test_nul_bytes_in_query_path_and_body_answer_422(
    client: TestClient, db: Database, keys: dict[str, str]
):
    h = auth(keys["admin"])
    _is_refused(client.get("/v1/accounts?q=%00", headers=h))
    _is_refused(client.get("/v1/accounts?q=abc%00def", headers=h))
    _is_refused(client.get("/v1/payment-codes/RF18%00539", headers=h))
    code = fixed_code(client, keys["admin"])
    _is_refused(
        client.post(f"/v1/payment-codes/{code}/cancel", json={"reason": "\u0000"}, headers=h)
    )
    _is_refused(
        client.post(
            f"/v1/payment-codes/{code}/cancel", json={"reason": "ok", "x\u0000": 1}, headers=h
        )
    )
    _is_refused(
        client.post(
            "/v1/accounts",
            json={
                "customer": {"name": "Nul\u0000Name", "language": "el"},
                "number": "ACC-NUL",
                "currency": "EUR",
                "customer_class": "balance_forward",
                "contracts": [{"contract_type": "service", "payment_priority": 1}],
            },
            headers=h,
        )
    )
    with db.reading() as session:
        found = session.scalar(select(PaymentCode).where(PaymentCode.rf == code))
        assert found is not None and found.status == "active"


def test_nul_bytes_on_the_web_pages_answer_422(client: TestClient, db: Database, book: Book):
    token = sign_in(client, "supervisor")
    assert client.get("/accounts?q=%00").status_code == 422
    refused = client.post(
        f"/codes/{book.counter_invoice_code}/cancel", data={"csrf_token": token, "reason": "a\x00b"}
    )
    assert refused.status_code == 422
    with db.reading() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.to_status == "cancelled")
            )
            == 0
        )


def test_percent_and_underscore_in_search_text_are_matched_literally(
    client: TestClient, keys: dict[str, str]
):
    h = auth(keys["admin"])
    for number in ("ACC_1", "ACCX1", "ACC%2"):
        make_account(client, keys["admin"], number=number)

    def numbers(q: str) -> list[str]:
        response = client.get("/v1/accounts", params={"q": q}, headers=h)
        assert response.status_code == 200
        return sorted(a["number"] for a in response.json())

    assert numbers("%") == ["ACC%2"]
    assert numbers("_") == ["ACC_1"]
    assert numbers("ACC_") == ["ACC_1"]
    assert numbers("\\") == []
    assert numbers("ACC") == ["ACC%2", "ACCX1", "ACC_1"]
