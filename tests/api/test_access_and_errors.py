"""Credentials, roles, problem JSON for bad input, idempotent retries."""

from __future__ import annotations

import pytest

from tests.api.helpers import make_account, make_document
from tests.conftest import auth


def _count(client, key: str, path: str) -> int:
    body = client.get(path, headers=auth(key)).json()
    return body["page"]["total"] if isinstance(body, dict) else len(body)


def test_health_answers_without_credentials(client) -> None:
    response = client.get("/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize("path", ["/v1/accounts", "/v1/payment-codes", "/v1/documents"])
def test_a_request_without_a_key_is_refused_with_problem_json(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:paydesk:problem:unauthorized"


def test_a_wrong_key_is_refused(client, keys) -> None:
    forged = keys["admin"][:-4] + "AAAA"
    assert client.get("/v1/accounts", headers=auth(forged)).status_code == 401
    assert client.get("/v1/accounts", headers=auth("not-a-key")).status_code == 401
    assert client.get("/v1/accounts", headers={"X-API-Key": keys["admin"]}).status_code == 200


def test_a_cashier_cannot_create_accounts_or_users(client, keys) -> None:
    response = client.post(
        "/v1/accounts",
        json={
            "customer": {"name": "X"},
            "number": "A",
            "currency": "EUR",
            "contracts": [{"contract_type": "s"}],
        },
        headers=auth(keys["cashier"]),
    )
    assert response.status_code == 403
    assert response.json()["type"] == "urn:paydesk:problem:forbidden"
    assert _count(client, keys["admin"], "/v1/accounts") == 0
    user = client.post(
        "/v1/users", json={"username": "eve", "role": "admin"}, headers=auth(keys["supervisor"])
    )
    assert user.status_code == 403


def test_an_admin_creates_a_user_and_a_key_that_works(client, keys) -> None:
    created = client.post(
        "/v1/users", json={"username": "anna", "role": "cashier"}, headers=auth(keys["admin"])
    )
    assert created.status_code == 201
    key = client.post("/v1/users/anna/keys", headers=auth(keys["admin"])).json()["api_key"]
    assert client.get("/v1/accounts", headers=auth(key)).status_code == 200


BAD_DOCUMENTS = [
    ({"amount": "-5.00"}, "invalid-amount"),
    ({"amount": "10.001"}, "invalid-amount"),
    ({"amount": "ten"}, "invalid-amount"),
    ({"amount": 10.5}, "invalid-input"),
    ({"amount": "NaN"}, "invalid-amount"),
    ({"currency": "PLN"}, "invalid-input"),
    ({"currency": "XYZ"}, "invalid-currency"),
    ({"kind": "receipt"}, "invalid-input"),
    ({"status": "invoiced"}, "invalid-input"),
    ({"account_id": 999999}, "not-found"),
    ({"unexpected": 1}, "invalid-input"),
]


@pytest.mark.parametrize(("change", "slug"), BAD_DOCUMENTS)
def test_bad_documents_get_problem_json_and_change_nothing(client, keys, change, slug) -> None:
    account = make_account(client, keys["integration"])
    body = {
        "account_id": account["id"],
        "kind": "repair_order",
        "number": "RO-1",
        "amount": "100.00",
        **change,
    }
    response = client.post("/v1/documents", json=body, headers=auth(keys["cashier"]))
    assert 400 <= response.status_code < 500, response.text
    problem = response.json()
    assert problem["type"] == f"urn:paydesk:problem:{slug}"
    assert problem["detail"]
    assert _count(client, keys["cashier"], "/v1/documents") == 0


BAD_ACCOUNTS = [
    {"currency": "EURO"},
    {"currency": "ABC"},
    {"customer_class": "vip"},
    {"contracts": []},
    {
        "contracts": [
            {"contract_type": "a", "is_overpayment": True},
            {"contract_type": "b", "is_overpayment": True},
        ]
    },
    {"customer": {"name": "X", "language": "de"}},
    {"customer": None},
]


@pytest.mark.parametrize("change", BAD_ACCOUNTS)
def test_bad_accounts_are_refused_and_change_nothing(client, keys, change) -> None:
    body = {
        "customer": {"name": "Maria"},
        "number": "ACC-1",
        "currency": "EUR",
        "customer_class": "balance_forward",
        "contracts": [{"contract_type": "service"}],
        **change,
    }
    response = client.post("/v1/accounts", json=body, headers=auth(keys["integration"]))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert _count(client, keys["admin"], "/v1/accounts") == 0


def test_a_duplicate_document_number_is_a_conflict(client, keys) -> None:
    account = make_account(client, keys["integration"])
    make_document(client, keys["cashier"], account["id"])
    again = client.post(
        "/v1/documents",
        json={
            "account_id": account["id"],
            "kind": "repair_order",
            "number": "RO-1",
            "amount": "1.00",
        },
        headers=auth(keys["cashier"]),
    )
    assert again.status_code == 409
    assert _count(client, keys["cashier"], "/v1/documents") == 1


@pytest.mark.parametrize("code", ["RF17539007547034", "XX18539007547034", "RF1"])
def test_a_malformed_rf_in_the_path_is_an_input_error(client, keys, code) -> None:
    response = client.get(f"/v1/payment-codes/{code}", headers=auth(keys["cashier"]))
    assert response.status_code == 422
    assert response.json()["type"] == "urn:paydesk:problem:invalid-payment-code"


def test_an_unknown_valid_rf_is_not_found(client, keys) -> None:
    response = client.get("/v1/payment-codes/RF18539007547034", headers=auth(keys["cashier"]))
    assert response.status_code == 404


def test_an_illegal_status_change_is_refused(client, keys) -> None:
    account = make_account(client, keys["integration"])
    order = make_document(client, keys["cashier"], account["id"])
    response = client.post(
        f"/v1/documents/{order['id']}/status",
        json={"status": "invoiced"},
        headers=auth(keys["cashier"]),
    )
    assert response.status_code == 409
    assert response.json()["type"] == "urn:paydesk:problem:invalid-transition"


def test_a_retried_post_returns_the_first_answer_and_writes_nothing(client, keys) -> None:
    headers = auth(keys["integration"], **{"Idempotency-Key": "create-acc-1"})
    body = {
        "customer": {"name": "Maria"},
        "number": "ACC-1",
        "currency": "EUR",
        "contracts": [{"contract_type": "service"}],
    }
    first = client.post("/v1/accounts", json=body, headers=headers)
    second = client.post("/v1/accounts", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert _count(client, keys["admin"], "/v1/accounts") == 1


def test_a_reused_key_with_another_body_is_refused(client, keys) -> None:
    headers = auth(keys["integration"], **{"Idempotency-Key": "k-1"})
    body = {
        "customer": {"name": "Maria"},
        "number": "ACC-1",
        "currency": "EUR",
        "contracts": [{"contract_type": "service"}],
    }
    client.post("/v1/accounts", json=body, headers=headers)
    other = client.post("/v1/accounts", json={**body, "number": "ACC-2"}, headers=headers)
    assert other.status_code == 409
    assert other.json()["type"] == "urn:paydesk:problem:idempotency-key-reused"
    assert _count(client, keys["admin"], "/v1/accounts") == 1


def test_a_failed_request_is_not_remembered_under_its_key(client, keys) -> None:
    headers = auth(keys["cashier"], **{"Idempotency-Key": "doc-1"})
    account = make_account(client, keys["integration"])
    body = {
        "account_id": account["id"],
        "kind": "repair_order",
        "number": "RO-1",
        "amount": "100.00",
    }
    denied = client.post("/v1/documents", json={**body, "amount": "-1"}, headers=headers)
    assert denied.status_code == 422
    assert _count(client, keys["cashier"], "/v1/documents") == 0
