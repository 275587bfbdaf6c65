"""Small builders for API tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import auth


def make_account(
    client: TestClient,
    key: str,
    number: str = "ACC-1",
    customer_class: str = "balance_forward",
    **extra: Any,
) -> dict[str, Any]:
    body = {
        "customer": {"name": "Maria Nikolaou", "language": "el"},
        "number": number,
        "currency": "EUR",
        "customer_class": customer_class,
        "contracts": [
            {"contract_type": "service", "payment_priority": 10},
            {"contract_type": "excess", "payment_priority": 99, "is_overpayment": True},
        ],
        **extra,
    }
    response = client.post("/v1/accounts", json=body, headers=auth(key))
    assert response.status_code == 201, response.text
    return response.json()


def make_document(
    client: TestClient,
    key: str,
    account_id: int,
    kind: str = "repair_order",
    number: str = "RO-1",
    amount: str = "100.00",
    **extra: Any,
) -> dict[str, Any]:
    body = {"account_id": account_id, "kind": kind, "number": number, "amount": amount, **extra}
    response = client.post("/v1/documents", json=body, headers=auth(key))
    assert response.status_code == 201, response.text
    return response.json()
