"""Quick add payment event and the credit-rating page over HTTP (SQLite and PostgreSQL): good
and bad input, the list of the day, the default-method setting, roles and CSRF."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from paydesk.api.app import create_app
from paydesk.cashier import wallet
from paydesk.codes import service as codes
from paydesk.db.engine import Database
from paydesk.payments.models import PaymentEvent
from paydesk.settings import CashierSettings, Settings
from tests.desk.helpers import build_account
from tests.web.conftest import Book, sign_in


def _events(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(PaymentEvent)) or 0


def _take(client: TestClient, token: str, **fields: str):
    return client.post("/quick-add", data={"csrf_token": token, **fields}, follow_redirects=False)


def test_an_rf_pays_the_code_the_line_clears_and_the_list_grows(
    client: TestClient, db: Database, book: Book
):
    token = sign_in(client, "cashier")
    page = client.get("/quick-add")
    assert page.status_code == 200 and 'id="f-value"' in page.text and "autofocus" in page.text
    assert "Nothing taken today yet." in page.text
    spaced = " ".join(re.findall(".{1,4}", book.counter_invoice_code))
    done = _take(client, token, rule="rf", value=spaced, tender="cash", amount="45.90")
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/quick-add?rule=rf&tender=cash"
    page = client.get(done.headers["location"])
    assert "saved." in page.text
    assert re.search(r'id="f-value" name="value" type="text" value=""', page.text)
    assert book.counter_invoice_code in page.text.replace(" ", "")
    assert re.search(r'id="quick-total-EUR">€45.90<', page.text)
    with db.reading() as s:
        code = codes.get(s, book.counter_invoice_code)
        [listed] = codes.payments_of(s, code.id)
    assert (code.status, listed.bank_name) == ("paid", "desk: cashier")


def test_a_cheque_over_the_amount_gives_cash_back_and_the_total_counts_the_payment(
    client: TestClient, book: Book
):
    token = sign_in(client, "cashier")
    missing = _take(
        client, token, rule="rf", value=book.counter_invoice_code, tender="cheque", tendered="50"
    )
    assert missing.status_code == 422 and 'id="e-cheque_number"' in missing.text
    done = _take(
        client,
        token,
        rule="rf",
        value=book.counter_invoice_code,
        tender="cheque",
        tendered="50.00",
        cheque_number="881",
    )
    assert done.status_code == 303, done.text
    page = client.get("/quick-add").text
    assert "cash back" in page and "-€4.10" in page
    assert re.search(r'id="quick-total-EUR">€45.90<', page)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"rule": "rf", "value": "RF18539007547034"}, "value", "Nothing was found for"),
        ({"rule": "account", "value": "NO-SUCH"}, "value", "Nothing was found for NO-SUCH."),
        ({"rule": "rf", "value": ""}, "value", "Enter the value the rule reads."),
        ({"rule": "bogus", "value": "x"}, "rule", "Choose one of the distribution rules."),
        ({"rule": "account", "value": "WEB-0001", "amount": "12,3,4"}, "amount", "Enter an amount"),
        ({"rule": "account", "value": "WEB-0001", "tender": "card"}, "tender", "card processor"),
        ({"rule": "account", "value": "WEB-0001", "tender": "gold"}, "tender", "Choose one of the"),
    ],
)
def test_a_refused_line_is_shown_by_its_field_keeps_what_was_typed_and_stores_nothing(
    client: TestClient, db: Database, book: Book, fields, field, message
):
    token = sign_in(client, "cashier")
    refused = _take(client, token, **{"tender": "cash", **fields})
    assert refused.status_code == 422
    assert f'id="e-{field}"' in refused.text and message in refused.text
    assert re.search(rf'id="f-{field}"[^>]*aria-invalid="true"', refused.text) or field in (
        "rule",
        "tender",
    )
    if fields.get("value"):
        assert f'value="{fields["value"]}"' in refused.text
    assert _events(db) == 0


def test_without_an_open_drawer_where_one_is_required_the_line_asks_to_open_it(
    db: Database, settings: Settings, book: Book
):
    strict = settings.model_copy(update={"cashier": CashierSettings(require_open_drawer=True)})
    with TestClient(create_app(strict, db)) as client:
        token = sign_in(client, "cashier")
        refused = _take(client, token, rule="rf", value=book.counter_invoice_code, tender="cash")
    assert refused.status_code == 422
    assert "Open your cash drawer before taking payments." in refused.text
    assert _events(db) == 0


def test_cash_over_the_amount_is_refused_next_to_the_tendered_amount(
    client: TestClient, db: Database, book: Book
):
    token = sign_in(client, "cashier")
    refused = _take(
        client, token, rule="rf", value=book.counter_invoice_code, tender="cash", tendered="50"
    )
    assert refused.status_code == 422
    shown = re.search(r'id="e-tendered"[^>]*>([^<]*)<', refused.text)
    assert shown and "give the change from the drawer" in shown.group(1)
    assert _events(db) == 0


def test_a_cancelled_code_is_refused_next_to_the_value(
    client: TestClient, db: Database, book: Book
):
    with db.transaction() as s:
        codes.cancel(s, book.counter_invoice_code, reason="replaced", actor="t")
    token = sign_in(client, "cashier")
    refused = _take(client, token, rule="rf", value=book.counter_invoice_code, tender="cash")
    assert refused.status_code == 422
    assert f"Payment code {book.counter_invoice_code} is cancelled." in refused.text
    assert _events(db) == 0


def test_without_the_csrf_token_nothing_is_taken(client: TestClient, db: Database, book: Book):
    sign_in(client, "cashier")
    response = client.post(
        "/quick-add", data={"rule": "account", "value": "WEB-0001", "tender": "cash"}
    )
    assert response.status_code == 403 and _events(db) == 0


def _client(settings: Settings, db: Database, **cashier) -> TestClient:
    changed = settings.model_copy(update={"cashier": CashierSettings(**cashier)})
    return TestClient(create_app(changed, db))


def test_default_method_picks_the_page_make_payment_and_the_menu_open(
    settings: Settings, db: Database, book: Book
):
    with _client(settings, db, default_method="distribution_rules") as client:
        sign_in(client, "cashier")
        account = client.get(f"/accounts/{book.account_id}").text
        assert 'href="/make-payment?account=' in account
        nav = re.search(r'<nav aria-label="Main">.*?</nav>', account, re.S).group(0)
        assert "Quick add payment event" in nav and "Add one-time payment" not in nav
        go = client.get(f"/make-payment?account={book.account_id}", follow_redirects=False)
        assert go.headers["location"] == f"/quick-add?account={book.account_id}"
        page = client.get(go.headers["location"]).text
        assert 'value="WEB-0001"' in page and 'href="/one-time-payment"' in page
    with _client(settings, db) as client:
        sign_in(client, "cashier")
        go = client.get(f"/make-payment?account={book.account_id}", follow_redirects=False)
        assert go.headers["location"] == f"/one-time-payment?account={book.account_id}"
        assert "Quick add payment event" in client.get(go.headers["location"]).text


# --- the credit-rating page ---------------------------------------------------------------


def test_supervisors_add_and_cancel_entries_and_the_desk_warning_links_the_page(
    client: TestClient, db: Database, settings: Settings, book: Book
):
    owing = build_account(db, settings, invoices=[("service", "INV", "100.00", date(2026, 11, 2))])
    token = sign_in(client, "supervisor")
    url = f"/accounts/{owing.account_id}/credit-rating"
    page = client.get(url).text
    assert "No cash-only points." in page and 'id="points-total">0<' in page
    bad = client.post(url, data={"csrf_token": token, "points": "0", "reason": ""})
    assert bad.status_code == 422 and 'id="e-points"' in bad.text and 'id="e-reason"' in bad.text
    added = client.post(
        url,
        data={"csrf_token": token, "points": "4", "reason": "bounced cheque", "ends_on": ""},
        follow_redirects=False,
    )
    assert added.status_code == 303
    page = client.get(url).text
    assert 'id="points-total">4<' in page and 'id="cash-only-state"' in page
    assert "Cash only: more than 3 points." in page and "always" in page
    warning = client.get(f"/one-time-payment?account={owing.account_id}").text
    assert 'id="cash-only-warning"' in warning and f'href="{url}"' in warning
    with db.reading() as s:
        [entry] = wallet.credit_rating(s, settings.cashier, owing.account_id).entries
    cancel = f"/cash-only-points/{entry.entry.id}/cancel"
    no_reason = client.post(cancel, data={"csrf_token": token, "reason": ""})
    assert (
        no_reason.status_code == 422 and f'id="e-cancel_reason_{entry.entry.id}"' in no_reason.text
    )
    done = client.post(
        cancel, data={"csrf_token": token, "reason": "cleared"}, follow_redirects=False
    )
    assert done.status_code == 303
    page = client.get(url).text
    assert 'id="points-total">0<' in page and "by supervisor" in page and "cleared" in page
    again = client.post(cancel, data={"csrf_token": token, "reason": "again"})
    assert again.status_code == 409
    assert (
        'id="cash-only-warning"'
        not in client.get(f"/one-time-payment?account={owing.account_id}").text
    )


def test_a_cashier_sees_the_rating_without_forms_and_is_refused_the_posts(
    client: TestClient, db: Database, book: Book
):
    token = sign_in(client, "cashier")
    url = f"/accounts/{book.account_id}/credit-rating"
    page = client.get(url).text
    assert "Credit rating of account WEB-0001" in page and 'id="add-entry"' not in page
    assert 'id="credit-rating-link"' in client.get(f"/accounts/{book.account_id}").text
    refused = client.post(url, data={"csrf_token": token, "points": "2", "reason": "x"})
    assert refused.status_code == 403
    with db.reading() as s:
        assert wallet.points_in_force(s, book.account_id) == 0
