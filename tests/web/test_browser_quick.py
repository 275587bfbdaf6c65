"""Quick add payment event and the credit-rating page in a real Chromium, in English, Greek and
Polish, against a real uvicorn process (the server and browser of ``test_browser``)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from paydesk.db.engine import Database
from paydesk.settings import Settings
from tests.web import test_browser as shared
from tests.web.test_browser import Server, _sign_in

# The server process and the browser of the page tests, shared as fixtures.
server = shared.server
browser = shared.browser
page = shared.page

pytestmark = pytest.mark.browser

NBSP = "\u00a0"
LANGUAGES = {"en": "English", "el": "Ελληνικά", "pl": "Polski"}
#: What each language shows, by what the test looks for.
TEXT = {
    "en": {
        "heading": "Quick add payment event",
        "value": "Value",
        "tender": "Tender type",
        "tendered": "Tendered",
        "cheque": "Cheque number",
        "take": "Take payment",
        "cheque_type": "Cheque",
        "cash_back": "cash back",
        "not_found": "Nothing was found for",
        "saved": "saved.",
        "rating": "Credit rating",
        "points": "Points",
        "reason": "Reason",
        "until": "Counts until",
        "add": "Add entry",
        "cancel_reason": "Reason to cancel",
        "cancel": "Cancel entry",
        "cancelled": "Cancelled",
        "cash_only": "Cash only: more than 3 points.",
    },
    "el": {
        "heading": "Γρήγορη καταχώριση πληρωμής",
        "value": "Τιμή",
        "tender": "Είδος μέσου πληρωμής",
        "tendered": "Καταβλήθηκαν",
        "cheque": "Αριθμός επιταγής",
        "take": "Καταχώριση πληρωμής",
        "cheque_type": "Επιταγή",
        "cash_back": "ρέστα",
        "not_found": "Δεν βρέθηκε τίποτα για",
        "saved": "αποθηκεύτηκε",
        "rating": "Πιστοληπτική αξιολόγηση",
        "points": "Πόντοι",
        "reason": "Αιτία",
        "until": "Ισχύει έως",
        "add": "Προσθήκη εγγραφής",
        "cancel_reason": "Λόγος ακύρωσης",
        "cancel": "Ακύρωση εγγραφής",
        "cancelled": "Ακυρώθηκε",
        "cash_only": "Μόνο μετρητά: περισσότεροι από 3 πόντοι.",
    },
    "pl": {
        "heading": "Szybkie dodanie płatności",
        "value": "Wartość",
        "tender": "Rodzaj środka płatności",
        "tendered": "Otrzymano",
        "cheque": "Numer czeku",
        "take": "Przyjmij płatność",
        "cheque_type": "Czek",
        "cash_back": "reszta",
        "not_found": "Nic nie znaleziono dla",
        "saved": "zapisane",
        "rating": "Ocena wiarygodności",
        "points": "Punkty",
        "reason": "Powód",
        "until": "Obowiązuje do",
        "add": "Dodaj wpis",
        "cancel_reason": "Powód anulowania",
        "cancel": "Anuluj wpis",
        "cancelled": "Anulowano",
        "cash_only": "Tylko gotówka: więcej niż 3 pkt.",
    },
}


def _money(minor: int, lang: str) -> str:
    from paydesk.web.i18n import format_money

    return format_money(minor, "EUR", lang)


def _account_with_code(server: Server, amount: str) -> tuple[int, str, str]:
    """A new account owing ``amount`` on an invoice with a fixed RF code: id, number, RF."""
    from paydesk.accounts.models import Account
    from paydesk.codes import service as codes
    from paydesk.documents import service as documents
    from tests.desk.helpers import build_account

    db = Database(server.database_url)
    settings = Settings(database_url=server.database_url)
    try:
        built = build_account(
            db,
            settings,
            contracts=[("service", 10)],
            invoices=[("service", "INV", amount, date(2026, 11, 2))],
        )
        with db.transaction() as session:
            document = documents.get(session, built.invoices["INV"])
            code = codes.issue_for_document(
                session, settings, document, actor="t", amount_type="fixed"
            ).code
            number = session.get(Account, built.account_id).number
            return built.account_id, number, code.rf
    finally:
        db.dispose()


def _language(tab, lang: str) -> None:
    if lang != "en":
        tab.get_by_role("button", name=LANGUAGES[lang]).click()
    from playwright.sync_api import expect

    expect(tab.locator("html")).to_have_attribute("lang", lang)


@pytest.mark.parametrize("lang", ["en", "el", "pl"])
def test_quick_add_refuses_a_value_then_takes_a_cheque_with_cash_back_and_a_scan(
    page, server: Server, lang: str
):
    from playwright.sync_api import expect

    t = TEXT[lang]
    _, number, rf = _account_with_code(server, "100.00")
    _, _, second = _account_with_code(server, "30.00")
    user = {"en": "cashier", "el": "supervisor", "pl": "admin"}[lang]  # a fresh list each
    _sign_in(page, server, user)
    page.goto(f"{server.url}/quick-add")
    _language(page, lang)
    expect(page.get_by_role("heading", name=t["heading"])).to_be_visible()
    page.shot(f"{lang}-1-empty")

    value = page.get_by_role("textbox", name=t["value"], exact=True)
    expect(value).to_have_attribute("autofocus", "")  # a scanner types straight into it
    value.fill("RF18 5390 0754 7034")
    value.press("Enter")
    expect(page.locator("#e-value")).to_contain_text(t["not_found"])
    expect(value).to_have_attribute("aria-invalid", "true")
    expect(value).to_have_value("RF18 5390 0754 7034")
    expect(page.locator("#quick-list")).to_have_count(0)
    page.shot(f"{lang}-2-refused")

    value.fill(" ".join(re.findall(".{1,4}", rf)))  # as printed on the slip
    page.get_by_label(t["tender"]).select_option("cheque")
    decimal = "." if lang == "en" else ","
    page.get_by_label(t["tendered"]).fill(f"120{decimal}00")
    page.get_by_label(t["cheque"]).fill("4711")
    page.get_by_role("button", name=t["take"]).click()
    expect(page.locator("#messages")).to_contain_text(t["saved"])
    expect(page.get_by_role("textbox", name=t["value"], exact=True)).to_have_value(
        ""
    )  # the line cleared
    expect(page.get_by_label(t["tender"])).to_have_value("cheque")  # the tender type kept
    row = page.locator("#quick-list tbody tr").first
    expect(row).to_contain_text(t["cash_back"])
    expect(row).to_contain_text(_money(-2000, lang))
    expect(row).to_contain_text(_money(12000, lang))
    expect(page.locator("#quick-total-EUR")).to_have_text(_money(10000, lang))
    page.shot(f"{lang}-3-cash-back")

    page.get_by_label(t["tender"]).select_option("cash")
    page.get_by_role("textbox", name=t["value"], exact=True).fill(
        second
    )  # a scanner types, then Enter
    page.get_by_role("textbox", name=t["value"], exact=True).press("Enter")
    expect(page.locator("#quick-list tbody tr")).to_have_count(2)
    expect(page.locator("#quick-total-EUR")).to_have_text(_money(13000, lang))
    page.shot(f"{lang}-4-second-line")

    page.locator("#quick-list tbody tr").last.get_by_role("link", name=re.compile("^RF")).click()
    expect(page.locator("#code-status-value")).not_to_have_text("")
    expect(page.locator("body")).to_contain_text(f"desk: {user}")
    assert number  # the account of the first code
    page.shot(f"{lang}-5-code-lists-the-desk")


@pytest.mark.parametrize("lang", ["en", "el", "pl"])
def test_a_supervisor_keeps_the_credit_rating_from_the_desk_warning(
    page, server: Server, lang: str
):
    from playwright.sync_api import expect

    t = TEXT[lang]
    account_id, _, _ = _account_with_code(server, "10.00")
    _sign_in(page, server, "supervisor")
    page.goto(f"{server.url}/accounts/{account_id}")
    _language(page, lang)
    page.locator("#credit-rating-link").click()
    expect(page.locator("#points-total")).to_have_text("0")
    page.get_by_role("textbox", name=t["points"], exact=True).fill("4")
    page.get_by_role("textbox", name=t["reason"], exact=True).fill("bounced cheque 4711")
    expect(page.locator("#f-ends_on")).not_to_have_value("")  # 12 months by default
    page.get_by_role("button", name=t["add"]).click()
    expect(page.locator("#points-total")).to_have_text("4")
    expect(page.locator("#cash-only-state")).to_have_text(t["cash_only"])
    page.shot(f"{lang}-1-entry-added")

    page.goto(f"{server.url}/one-time-payment?account={account_id}")
    expect(page.locator("#cash-only-warning")).to_be_visible()
    page.locator("#cash-only-rating").click()  # the desk's warning links the page
    entry = page.locator("#rating-entries tbody tr").first
    entry.get_by_role("button", name=t["cancel"]).click()
    expect(page.locator("[id^=e-cancel_reason_]")).to_be_visible()  # a reason is required
    page.locator("#rating-entries tbody tr").first.get_by_label(t["cancel_reason"]).fill(
        "cheque cleared"
    )
    page.locator("#rating-entries tbody tr").first.get_by_role("button", name=t["cancel"]).click()
    expect(page.locator("#points-total")).to_have_text("0")
    expect(page.locator("#rating-entries tbody tr").first).to_contain_text(t["cancelled"])
    expect(page.locator("#rating-entries tbody tr").first).to_contain_text("cheque cleared")
    page.shot(f"{lang}-2-entry-cancelled")
