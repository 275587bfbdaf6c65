"""The direct-debit page in a real Chromium, in English, Greek and Polish: a supervisor sees
the direct debit taken at the desk as due, exports the file after confirming, downloads it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from paydesk.db.engine import Database
from paydesk.directdebits import pain008
from paydesk.settings import DirectDebitSettings, Settings
from tests.web import test_browser as shared
from tests.web.test_browser import Server, _sign_in
from tests.web.test_browser_quick import _language

server = shared.server
browser = shared.browser
page = shared.page

pytestmark = pytest.mark.browser

TEXT = {
    "en": ("Direct debits", "Export file", "Please confirm", "exported."),
    "el": ("Άμεσες χρεώσεις", "Εξαγωγή αρχείου", "Παρακαλώ επιβεβαιώστε", "εξήχθη."),
    "pl": ("Polecenia zapłaty", "Eksportuj plik", "Potwierdź", "wyeksportowany."),
}


def _direct_debit_at_the_desk(server: Server) -> int:
    """A direct debit of €35 taken at the desk from a new, validated bank account."""
    from tests.desk.helpers import build_account
    from tests.directdebits.helpers import take_direct_debit

    db = Database(server.database_url)
    settings = Settings(
        database_url=server.database_url,
        direct_debit=DirectDebitSettings(creditor_id="DE98ZZZ09999999999"),
    )
    try:
        built = build_account(
            db, settings, invoices=[("service", "INV", "35.00", date(2026, 11, 2))]
        )
        view = take_direct_debit(db, settings, built.account_id, "35.00")
        return view.event.id
    finally:
        db.dispose()


@pytest.mark.parametrize("lang", ["en", "el", "pl"])
def test_a_supervisor_exports_the_due_direct_debits_and_downloads_the_file(
    page, server: Server, lang: str
):
    from playwright.sync_api import expect

    heading, export, confirm, exported = TEXT[lang]
    event_id = _direct_debit_at_the_desk(server)
    _sign_in(page, server, "supervisor")
    page.goto(f"{server.url}/")
    _language(page, lang)
    page.get_by_role("link", name=heading, exact=True).click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator("#due-collections")).to_contain_text(str(event_id))
    page.shot(f"{lang}-1-due")

    day = date.today() + timedelta(days=list(TEXT).index(lang))  # one file per day
    page.locator("#f-due_on").fill(day.isoformat())
    page.get_by_role("button", name=export).click()
    expect(page.get_by_role("heading", name=confirm)).to_be_visible()
    page.shot(f"{lang}-2-confirm")
    page.locator("#confirm").get_by_role("button", name=export).click()
    expect(page.locator("#messages")).to_contain_text(exported)
    expect(page.locator("#due-collections")).to_have_count(0)
    page.shot(f"{lang}-3-exported")

    link = page.locator("#files tbody tr").first.get_by_role("link")
    with page.expect_download() as download:
        link.click()
    pain008.validate(Path(download.value.path()).read_bytes())
