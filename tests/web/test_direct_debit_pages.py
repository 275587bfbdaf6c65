"""The supervisors' direct-debit page: what is due, *Export file* (asks first), the files made
with their download, and the returned direct debits; refusals shown by the field."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from paydesk.api.app import create_app
from paydesk.db.engine import Database
from paydesk.directdebits import pain008
from paydesk.settings import Settings
from tests.directdebits.helpers import dd_settings, owing, take_direct_debit
from tests.web.conftest import make_users, sign_in
from tests.web.test_confirm import _confirm_form


def _client(settings: Settings, db: Database) -> TestClient:
    return TestClient(create_app(settings, db))


def test_a_supervisor_exports_the_due_direct_debits_after_confirming(db, settings):
    settings = dd_settings(settings)
    make_users(db)
    acc = owing(db, settings)
    view = take_direct_debit(db, settings, acc.account_id, "42.00")
    today = date.today().isoformat()
    with _client(settings, db) as client:
        token = sign_in(client, "supervisor")
        shown = client.get("/direct-debits")
        assert shown.status_code == 200
        assert (
            'id="due-count">1<' in shown.text and f"/payment-events/{view.event.id}" in shown.text
        )
        asked = client.post("/direct-debits/export", data={"csrf_token": token, "due_on": today})
        assert "Please confirm" in asked.text
        assert client.get("/direct-debits").text.count('id="file-') == 0  # nothing yet
        done = client.post(
            "/direct-debits/export",
            data={"csrf_token": token, **_confirm_form(asked.text)},
            follow_redirects=False,
        )
        assert done.status_code == 303
        after = client.get("/direct-debits").text
        assert "exported." in after and 'id="due-count">0<' in after
        link = after.split('href="/direct-debits/files/', 1)[1].split('"', 1)[0]
        xml = client.get(f"/direct-debits/files/{link}")
        assert xml.headers["content-type"].startswith("application/xml")
        pain008.validate(xml.content)
        # Nothing more is due today: the same day again gives the same file, said so.
        again = client.post(
            "/direct-debits/export",
            data={"csrf_token": token, "due_on": today, "confirmed": "1"},
        )
        assert "was exported before for this day" in again.text


def test_nothing_due_and_no_creditor_identifier_are_shown_by_the_field(db, settings):
    make_users(db)
    with _client(dd_settings(settings), db) as client:
        token = sign_in(client, "supervisor")
        nothing = client.post(
            "/direct-debits/export",
            data={"csrf_token": token, "due_on": "2026-12-01", "confirmed": "1"},
        )
        assert nothing.status_code == 422 and "No direct debit is due by" in nothing.text
        assert 'aria-invalid="true"' in nothing.text
    with _client(settings, db) as client:
        token = sign_in(client, "supervisor")
        missing = client.post(
            "/direct-debits/export",
            data={"csrf_token": token, "due_on": "2026-12-01", "confirmed": "1"},
        )
        assert missing.status_code == 422 and "creditor identifier is missing" in missing.text
        greek = client.post(
            "/language", data={"csrf_token": token, "lang": "el"}, follow_redirects=True
        )
        assert greek.status_code == 200
        shown = client.get("/direct-debits")
        assert "Άμεσες χρεώσεις" in shown.text
