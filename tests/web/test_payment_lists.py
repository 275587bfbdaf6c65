"""Payments, one line each: by status, channel and date, sorted, CSV; the same over the API."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from fastapi.testclient import TestClient

from paydesk.cashier import service as desk
from paydesk.db.engine import Database
from paydesk.settings import Settings
from tests.conftest import auth
from tests.desk.helpers import build_account, pay
from tests.web.conftest import Book, sign_in


@pytest.fixture
def payments(db: Database, settings: Settings, book: Book) -> list[int]:
    built = build_account(db, settings, contracts=[("service", 10)], name="Zofia Wiśniewska")
    ids = []
    for day, amount, distribution in (
        (date(2026, 11, 2), "15.00", "distribute_and_freeze"),
        (date(2026, 11, 12), "80.00", "manual"),  # stays incomplete
    ):
        view = pay(
            db,
            settings,
            desk.EventRequest(
                payments=[desk.PaymentRequest(built.account_id, amount)],
                tenders=[desk.TenderRequest("cash")],
                event_date=day,
                distribution=distribution,
            ),
        )
        ids.append(view.payments[0].id)
    return ids


def test_the_payments_list_filters_sorts_and_exports(client: TestClient, payments: list[int]):
    sign_in(client, "cashier")
    assert 'href="/payments"' in client.get("/payment-events").text
    incomplete = client.get("/payments", params={"status": "incomplete"}).text
    assert f'id="payment-line-{payments[1]}"' in incomplete
    assert f'id="payment-line-{payments[0]}"' not in incomplete
    assert "Zofia Wiśniewska" in incomplete
    ordered = client.get("/payments", params={"sort": "-amount", "from": "2026-11-01"}).text
    assert ordered.index(f"payment-line-{payments[1]}") < ordered.index(
        f"payment-line-{payments[0]}"
    )
    exported = client.get("/payments.csv", params={"to": "2026-11-05"}).text
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(r["payment"], r["status"], r["amount"]) for r in rows] == [
        (str(payments[0]), "frozen", "15.00")
    ]


def test_the_api_lists_and_exports_payments(
    client: TestClient, keys: dict[str, str], payments: list[int]
):
    headers = auth(keys["cashier"])
    listed = client.get("/v1/reports/payments", params={"status": "frozen"}, headers=headers)
    items = listed.json()["items"]
    assert [p["id"] for p in items] == [payments[0]]
    assert items[0]["customer_name"] == "Zofia Wiśniewska"
    exported = client.get("/v1/reports/payments.csv", params={"sort": "date"}, headers=headers)
    assert exported.text.startswith("payment,event,date,source,status")
    bad = client.get("/v1/reports/payments", params={"sort": "x"}, headers=headers)
    assert bad.status_code == 422
