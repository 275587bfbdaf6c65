"""The payment events list to work through: date range, sort by any column, pages, the account
and customer of each event, CSV export; and the same over the API (SQLite and PostgreSQL)."""

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
def three_events(db: Database, settings: Settings, book: Book) -> list[int]:
    """Cash payments on 1, 10 and 20 November by two customers."""
    anna = build_account(db, settings, contracts=[("service", 10)], name="Anna Zawadzka")
    nikos = build_account(db, settings, contracts=[("service", 10)], name="Νίκος Αλεξίου")
    ids = []
    for account, day, amount in (
        (anna, date(2026, 11, 1), "10.00"),
        (nikos, date(2026, 11, 10), "250.00"),
        (anna, date(2026, 11, 20), "30.50"),
    ):
        view = pay(
            db,
            settings,
            desk.EventRequest(
                payments=[desk.PaymentRequest(account.account_id, amount)],
                tenders=[desk.TenderRequest("cash")],
                event_date=day,
            ),
        )
        ids.append(view.event.id)
    return ids


def _rows(page: str) -> list[str]:
    table = page[page.index('<table id="events">') : page.index("</table>")]
    return [part.split('"', 1)[0] for part in table.split('<tr id="event-')[1:]]


def test_the_list_filters_by_date_range_and_shows_account_and_customer(
    client: TestClient, three_events: list[int]
):
    sign_in(client, "cashier")
    page = client.get("/payment-events", params={"from": "2026-11-05", "to": "2026-11-30"}).text
    assert _rows(page) == [str(three_events[2]), str(three_events[1])]
    assert "Νίκος Αλεξίου" in page and "Anna Zawadzka" in page
    assert "2 payment events" in page


def test_the_list_sorts_by_any_column_both_ways(client: TestClient, three_events: list[int]):
    sign_in(client, "cashier")
    a, b, c = (str(i) for i in three_events)
    assert _rows(client.get("/payment-events", params={"sort": "paid"}).text)[-3:] == [a, c, b]
    assert _rows(client.get("/payment-events", params={"sort": "-paid"}).text)[:3] == [b, c, a]
    by_customer = _rows(client.get("/payment-events", params={"sort": "customer"}).text)
    assert by_customer.index(b) > by_customer.index(a)  # "Anna…" before "Νίκος…"
    page = client.get("/payment-events", params={"sort": "date"}).text
    assert 'aria-sort="ascending"' in page
    assert "sort=-date" in page  # the column's link turns the order round


def test_a_bad_date_is_shown_by_its_field_and_a_bad_sort_falls_back(
    client: TestClient, three_events: list[int]
):
    sign_in(client, "cashier")
    refused = client.get("/payment-events", params={"from": "2026-13-01"})
    assert refused.status_code == 422 and 'id="e-from"' in refused.text
    fallback = client.get("/payment-events", params={"sort": "password"})
    assert fallback.status_code == 200 and len(_rows(fallback.text)) == 3


def test_the_csv_export_has_the_filtered_rows_with_exact_amounts(
    client: TestClient, three_events: list[int]
):
    sign_in(client, "cashier")
    page = client.get("/payment-events", params={"from": "2026-11-05"}).text
    assert "/payment-events.csv?show=&amp;from=2026-11-05" in page
    answer = client.get("/payment-events.csv", params={"from": "2026-11-05", "sort": "date"})
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(r["event"], r["date"], r["paid"], r["currency"]) for r in rows] == [
        (str(three_events[1]), "2026-11-10", "250.00", "EUR"),
        (str(three_events[2]), "2026-11-20", "30.50", "EUR"),
    ]
    assert rows[0]["customer"] == "Νίκος Αλεξίου" and rows[0]["difference"] == "0.00"


def test_the_api_gives_the_same_rows_as_json_and_csv(
    client: TestClient, keys: dict[str, str], three_events: list[int]
):
    headers = auth(keys["cashier"])
    page = client.get(
        "/v1/reports/payment-events",
        params={"from": "2026-11-01", "to": "2026-11-10", "sort": "-paid", "limit": 1},
        headers=headers,
    ).json()
    assert page["page"] == {"total": 2, "limit": 1, "offset": 0}
    assert page["items"][0]["id"] == three_events[1] and page["items"][0]["paid"] == "250.00"
    exported = client.get(
        "/v1/reports/payment-events.csv", params={"to": "2026-11-10"}, headers=headers
    )
    assert exported.status_code == 200 and exported.text.startswith("event,date,source")
    assert len(exported.text.strip().splitlines()) == 3
    bad = client.get("/v1/reports/payment-events", params={"sort": "secret"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["type"].startswith("urn:paydesk:problem:")
    backwards = client.get(
        "/v1/reports/payment-events", params={"from": "2026-11-10", "to": "2026-11-01"},
        headers=headers,
    )  # fmt: skip
    assert backwards.status_code == 422
