"""Irreversible actions ask first: without ``confirmed=1`` the answer is a page that says what
will happen and posts the same form again; nothing changes until then."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from paydesk.codes.models import PaymentCode
from paydesk.db.engine import Database
from paydesk.documents.models import Document
from tests.web.conftest import Book, csrf_token, sign_in

_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _confirm_form(html: str) -> dict[str, str]:
    """The fields of the confirm page's form, as the browser would post them."""
    form = html[html.index('id="confirm"') :]
    form = form[: form.index("</form>")]
    return dict(_HIDDEN.findall(form))


def test_cancelling_a_code_asks_first_and_changes_nothing_until_confirmed(
    client: TestClient, db: Database, book: Book
):
    token = sign_in(client, "supervisor")
    asked = client.post(
        f"/codes/{book.counter_invoice_code}/cancel",
        data={"csrf_token": token, "reason": "paid at the counter"},
    )
    assert asked.status_code == 200
    assert "Please confirm" in asked.text and "This cannot be undone." in asked.text
    assert "paid at the counter" in asked.text
    with db.reading() as s:
        assert s.query(PaymentCode).filter_by(rf=book.counter_invoice_code).one().status == "active"
    fields = _confirm_form(asked.text)
    assert fields["confirmed"] == "1" and fields["reason"] == "paid at the counter"
    done = client.post(
        f"/codes/{book.counter_invoice_code}/cancel", data=fields, follow_redirects=False
    )
    assert done.status_code == 303
    with db.reading() as s:
        code = s.query(PaymentCode).filter_by(rf=book.counter_invoice_code).one()
        assert code.status == "cancelled"


def test_a_status_button_asks_first_and_goes_back_to_where_it_came_from(
    client: TestClient, db: Database, book: Book
):
    token = sign_in(client, "cashier")
    asked = client.post(
        f"/documents/{book.repair_order_id}/status",
        data={"csrf_token": token, "status": "ready_for_invoicing", "view": "row"},
    )
    assert "Mark ready for invoicing: Repair order RO-7001." in asked.text
    assert 'href="/documents">Go back<' in asked.text
    with db.reading() as s:
        assert s.get(Document, book.repair_order_id).status == "open"
    client.post(f"/documents/{book.repair_order_id}/status", data=_confirm_form(asked.text))
    with db.reading() as s:
        assert s.get(Document, book.repair_order_id).status == "ready_for_invoicing"


def test_the_list_buttons_confirm_with_a_dialog_when_scripts_run(client: TestClient, book: Book):
    sign_in(client, "cashier")
    listing = client.get("/documents").text
    assert 'hx-confirm="Mark ready for invoicing: Repair order RO-7001.' in listing
    assert """hx-vals='{"confirmed": "1"}'""" in listing


def test_closing_a_drawer_asks_first(client: TestClient, db: Database, book: Book):
    from paydesk.cashier.models import CashDrawerSession

    token = sign_in(client, "cashier")
    client.post("/cash-drawer/open", data={"csrf_token": token, "float_amount": "50"})
    with db.reading() as s:
        drawer = s.query(CashDrawerSession).filter_by(cashier="cashier").one()
    asked = client.post(
        f"/cash-drawer/{drawer.id}/close", data={"csrf_token": token, "counted_cash": "50"}
    )
    assert f"Close cash drawer {drawer.id}" in asked.text
    with db.reading() as s:
        assert s.get(CashDrawerSession, drawer.id).status == "open"
    # A confirm page's form carries a fresh token of the same session.
    assert csrf_token(asked.text) == token
    client.post(f"/cash-drawer/{drawer.id}/close", data=_confirm_form(asked.text))
    with db.reading() as s:
        assert s.get(CashDrawerSession, drawer.id).status == "closed"
