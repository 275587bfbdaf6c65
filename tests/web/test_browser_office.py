"""The back office's lists, the edit page and the payment form's layout in a real Chromium, in
English, Greek and Polish, at 1366 and 800 px wide (screenshots in test-artifacts/screenshots/,
each checked by axe-core)."""

from __future__ import annotations

import pytest

from tests.web import test_browser as shared
from tests.web.test_browser import Server, _owing_account, _sign_in
from tests.web.test_browser_backoffice import WIDTHS, _fits, _language

browser, server, page = shared.browser, shared.server, shared.page

pytestmark = pytest.mark.browser

WORDS = {
    "en": {
        "balance": "Balance",
        "accounts": "accounts",
        "edit": "Edit customer, account and contracts",
        "save": "Save",
        "saved": "saved.",
        "other_tenders": "Other tender types",
    },
    "el": {
        "balance": "Υπόλοιπο",
        "accounts": "Λογαριασμοί",
        "edit": "Επεξεργασία πελάτη, λογαριασμού και συμβάσεων",
        "save": "Αποθήκευση",
        "saved": "αποθηκεύτηκε.",
        "other_tenders": "Άλλα μέσα πληρωμής",
    },
    "pl": {
        "balance": "Saldo",
        "accounts": "Konta",
        "edit": "Edytuj klienta, konto i umowy",
        "save": "Zapisz",
        "saved": "zapisane.",
        "other_tenders": "Inne środki płatności",
    },
}


def _translated(lang: str, message: str) -> str:
    from paydesk.web import i18n

    return i18n.translations(lang).gettext(message)


@pytest.mark.parametrize("lang", ["en", "el", "pl"])
def test_the_lists_sort_page_and_fit_in_every_language(page, server: Server, lang: str):
    from playwright.sync_api import expect

    words = WORDS[lang]
    _owing_account(server, "75.00")
    _sign_in(page, server, "supervisor")
    _language(page, lang)
    page.goto(f"{server.url}/accounts")
    expect(page.locator("#account-count")).to_contain_text(words["accounts"])
    page.locator("#account-table thead").get_by_role("link", name=words["balance"]).click()
    expect(page.locator("#account-table thead th[aria-sort=ascending]")).to_contain_text(
        words["balance"]
    )
    for path, name in (
        ("/accounts?sort=-balance", "accounts"),
        ("/documents?sort=amount", "documents"),
        ("/bank/files", "bank-files"),
        ("/cash-drawers", "cash-drawers"),
    ):
        page.goto(f"{server.url}{path}")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            _fits(page)
            page.shot(f"{name}-{lang}-{width}")
        assert "Export CSV" not in page.content() or lang == "en"


@pytest.mark.parametrize("lang", ["en", "el", "pl"])
def test_a_supervisor_edits_an_account_on_the_page(page, server: Server, lang: str):
    from playwright.sync_api import expect

    words = WORDS[lang]
    account_id, _number = _owing_account(server, "10.00")
    _sign_in(page, server, "supervisor")
    _language(page, lang)
    page.goto(f"{server.url}/accounts/{account_id}")
    page.get_by_role("link", name=words["edit"]).click()
    priority = page.locator("input[id$='_priority']").first
    priority.fill("first")
    page.locator("#f-customer_name").fill("Ζωή Καραγιάννη-Νowak")
    page.get_by_role("button", name=words["save"]).click()
    expect(priority).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".error").first).to_have_text(
        _translated(lang, "Enter a whole number from 0 to 999.")
    )
    expect(page.locator("#f-customer_name")).to_have_value("Ζωή Καραγιάννη-Νowak")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        _fits(page)
        page.shot(f"edit-account-{lang}-{width}")
    priority.fill("7")
    page.get_by_role("button", name=words["save"]).click()
    expect(page.locator("#messages")).to_contain_text(words["saved"])
    expect(page.locator("#contracts")).to_contain_text("7")


@pytest.mark.parametrize("lang", ["en", "el", "pl"])
def test_the_payment_summary_stays_in_view_and_unused_tenders_are_folded(
    page, server: Server, lang: str
):
    from playwright.sync_api import expect

    words = WORDS[lang]
    account_id, _number = _owing_account(server, "20.00")
    _sign_in(page, server, "cashier")
    _language(page, lang)
    page.goto(f"{server.url}/one-time-payment?account={account_id}")
    other = page.locator("#other-tenders")
    expect(other.locator("summary")).to_contain_text(words["other_tenders"])
    expect(page.locator("#f-t_bank_iban")).to_be_hidden()  # folded, no script needed
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 700})
        page.locator("#f-t_cash_amount").fill("20")
        page.locator("#f-t_cash_amount").focus()
        summary = page.locator("#pay-summary").bounding_box()
        assert summary is not None and summary["y"] + summary["height"] <= 700 + 1
        button = page.locator("#pay-summary button.primary")
        expect(button).to_be_in_viewport()
        page.shot(f"payment-form-{lang}-{width}")
    other.locator("summary").click()
    expect(page.locator("#f-t_bank_iban")).to_be_visible()
    page.locator("#pay-summary button.primary").click()
    expect(page.locator(".payment-status")).to_have_count(1)
