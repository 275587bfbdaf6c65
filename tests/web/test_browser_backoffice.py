"""The back office's day in a real Chromium: the start page, the result of a payment and the
customer's receipt, the search box; in English, Greek and Polish, at 1366 and 800 px wide."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web import test_browser as shared
from tests.web.accessibility import check_accessible
from tests.web.test_browser import Server, _owing_account, _sign_in

# The browser, the server processes and the page of the browser tests.
browser, server, page = shared.browser, shared.server, shared.page

pytestmark = pytest.mark.browser

#: The words each test looks for, per language.
WORDS = {
    "en": {
        "start": "Start",
        "collections": "Collections",
        "work": "Work waiting",
        "figures": "Figures as a table",
        "desk": "Cashier desk",
        "give_back": "Give back €20.00 in cash",
        "print": "Print receipt",
        "receipt": "Receipt",
    },
    "el": {
        "start": "Αρχική",
        "collections": "Εισπράξεις",
        "work": "Εργασίες σε αναμονή",
        "figures": "Τα ποσά σε πίνακα",
        "desk": "Ταμείο",
        "give_back": "Επιστρέψτε 20,00\u00a0€ σε μετρητά",
        "print": "Εκτύπωση απόδειξης",
        "receipt": "Απόδειξη",
    },
    "pl": {
        "start": "Start",
        "collections": "Wpływy",
        "work": "Czekająca praca",
        "figures": "Dane w tabeli",
        "desk": "Kasa",
        "give_back": "Wydaj 20,00\u00a0€ reszty w gotówce",
        "print": "Drukuj potwierdzenie",
        "receipt": "Potwierdzenie wpłaty",
    },
}
NAMES = {"en": "English", "el": "Ελληνικά", "pl": "Polski"}
WIDTHS = (1366, 800)


def _language(tab, lang: str) -> None:
    tab.get_by_role("button", name=NAMES[lang]).click()
    tab.wait_for_selector(f'html[lang="{lang}"]')


def _fits(tab) -> None:
    """Nothing but a table's own scroller is wider than the window; and axe-core finds no
    serious or critical accessibility violation on the page."""
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _accessible(tab)


_accessible = check_accessible


@pytest.mark.parametrize("lang", ["en", "el", "pl"])
def test_the_start_page_shows_collections_the_chart_and_the_work_waiting(
    page, server: Server, lang: str
):
    from playwright.sync_api import expect

    words = WORDS[lang]
    account_id, _number = _owing_account(server, "45.90")
    _sign_in(page, server, "supervisor")
    _language(page, lang)
    page.goto(f"{server.url}/one-time-payment?account={account_id}")
    page.locator("#f-t_cash_amount").fill("45.90")
    page.locator("#payment-form button.primary").click()
    expect(page.locator(".payment-status")).to_have_count(1)

    page.get_by_role("navigation").get_by_role("link", name=words["start"]).click()
    expect(page.get_by_role("heading", name=words["start"], exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=words["collections"], exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=words["work"])).to_be_visible()
    expect(page.locator("#daily-chart rect.bar")).to_have_count(30)
    # The server is shared by the tests of this module: today's total is at least this one.
    money = {
        "en": r"€\d[\d,]*\.\d\d",
        "el": r"\d[\d.]*,\d\d\u00a0€",
        "pl": r"\d[\d\u00a0]*,\d\d\u00a0€",
    }
    expect(page.locator("#collections-today tr.channel")).to_have_text(
        re.compile(words["desk"] + r"\s*\d+\s*" + money[lang])
    )
    page.get_by_text(words["figures"]).click()  # a <details>: no script needed
    expect(page.locator("#daily-figures tbody tr")).to_have_count(30)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        _fits(page)
        page.shot(f"start-{lang}-{width}")

    page.locator("#work-payments_needing_attention a").click()
    expect(page).to_have_url(re.compile(r"/payment-events\?show=attention$"))


@pytest.mark.parametrize("lang", ["en", "el", "pl"])
def test_a_cheque_over_the_debt_says_what_to_give_back_and_prints_a_receipt(
    page, server: Server, lang: str
):
    from playwright.sync_api import expect

    words = WORDS[lang]
    account_id, _number = _owing_account(server, "100.00")
    _sign_in(page, server, "cashier")
    _language(page, lang)
    page.goto(f"{server.url}/one-time-payment?account={account_id}")
    page.locator("#f-amount").fill("100")
    page.locator("#f-t_cheque_amount").fill("120")
    page.locator("#f-t_cheque_number").fill("1001")
    page.locator("#payment-form button.primary").click()
    expect(page.locator("#give-back")).to_have_text(words["give_back"])
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        _fits(page)
        page.shot(f"result-{lang}-{width}")

    page.get_by_role("link", name=words["print"]).click()
    # The customer of a new account speaks English: the receipt is in English whatever the
    # cashier's language.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name=re.compile("^Receipt"))).to_be_visible()
    expect(page.locator("#receipt-tenders")).to_contain_text("Cheque number 1001")
    expect(page.locator("#receipt-totals")).to_contain_text("€20.00")
    page.shot(f"receipt-{lang}")
    pdf = page.request.get(page.url + ".pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"


def _greek_customer(server: Server) -> str:
    """Γιώργος Παπαδόπουλος with an account; returns the account number."""
    from paydesk.accounts import service as accounts
    from paydesk.accounts.service import ContractSpec
    from paydesk.db.engine import Database

    db = Database(server.database_url)
    try:
        with db.transaction() as s:
            number = f"GR-{accounts.search_accounts(s, query=None, limit=1000, offset=0).__len__()}"
            customer = accounts.create_customer(s, name="Γιώργος Παπαδόπουλος", language="el")
            accounts.create_account(
                s,
                customer=customer,
                number=number,
                currency="EUR",
                customer_class="balance_forward",
                contracts=[ContractSpec("service", 10)],
            )
            return number
    finally:
        db.dispose()


@pytest.mark.parametrize("lang", ["en", "el", "pl"])
def test_the_header_search_finds_a_greek_name_typed_without_accents_and_an_rf_code(
    page, server: Server, lang: str
):
    from playwright.sync_api import expect

    number = _greek_customer(server)
    _sign_in(page, server, "cashier")
    _language(page, lang)
    box = page.get_by_role("search").first.get_by_role("searchbox")
    box.fill("παπαδοπουλος")
    box.press("Enter")
    expect(page.locator("#found-accounts")).to_contain_text(number)
    expect(page.locator("#found-accounts")).to_contain_text("Γιώργος Παπαδόπουλος")
    expect(page.locator("#f-q")).to_be_focused()  # the search page's own field
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        _fits(page)
        page.shot(f"search-{lang}-{width}")

    code = server.book.counter_invoice_code
    page.locator("#f-q").fill(" ".join(code[i : i + 4] for i in range(0, len(code), 4)).lower())
    page.locator("#f-q").press("Enter")
    page.locator("#found-codes a").click()
    expect(page).to_have_url(f"{server.url}/codes/{code}")


CONFIRM_WORDS = {
    "en": ("Cancel payment", "Reason for cancelling", "Please confirm", "Cancelled"),
    "el": ("Ακύρωση πληρωμής", "Λόγος ακύρωσης", "Παρακαλώ επιβεβαιώστε", "Ακυρώθηκε"),
    "pl": ("Anuluj płatność", "Powód anulowania", "Potwierdź", "Anulowano"),
}


@pytest.mark.parametrize("lang", ["en", "el", "pl"])
def test_cancelling_a_payment_asks_for_confirmation_on_its_own_page(
    page, server: Server, lang: str
):
    from playwright.sync_api import expect

    cancel, reason, please, cancelled = CONFIRM_WORDS[lang]
    account_id, _number = _owing_account(server, "30.00")
    _sign_in(page, server, "cashier")
    _language(page, lang)
    page.goto(f"{server.url}/one-time-payment?account={account_id}")
    page.locator("#f-t_cash_amount").fill("30")
    page.locator("#payment-form button.primary").click()
    payment = page.locator("article.payment").first
    payment.locator("summary").filter(has_text=cancel).click()
    payment.get_by_label(reason).fill("keyed on the wrong account")
    payment.get_by_role("button", name=cancel).click()
    expect(page.get_by_role("heading", name=please)).to_be_visible()
    expect(page.locator("#confirm-question")).to_contain_text("keyed on the wrong account")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        _fits(page)
        page.shot(f"confirm-{lang}-{width}")
    page.get_by_role("button", name=cancel).click()
    expect(page.locator(".payment-status")).to_have_text(cancelled)


LIST_WORDS = {
    "en": ("Paid", "From", "Show", "Export CSV"),
    "el": ("Πληρωμένο", "Από ημερομηνία", "Εμφάνιση", "Εξαγωγή σε CSV"),
    "pl": ("Zapłacono", "Od dnia", "Pokaż", "Eksportuj do CSV"),
}


@pytest.mark.parametrize("lang", ["en", "el", "pl"])
def test_the_events_list_sorts_filters_by_date_and_exports_csv(page, server: Server, lang: str):
    from datetime import date

    from playwright.sync_api import expect

    paid, date_from, show, export = LIST_WORDS[lang]
    account_id, number = _owing_account(server, "500.00")
    _sign_in(page, server, "cashier")
    _language(page, lang)
    for amount in ("7", "300"):
        page.goto(f"{server.url}/one-time-payment?account={account_id}")
        page.locator("#f-amount").fill(amount)
        page.locator("#f-t_cash_amount").fill(amount)
        page.locator("#payment-form button.primary").click()
        expect(page.locator(".payment-status")).to_have_count(1)

    page.goto(f"{server.url}/payment-events")
    page.get_by_label(date_from, exact=True).fill(date.today().isoformat())
    page.get_by_role("button", name=show, exact=True).click()
    expect(page).to_have_url(re.compile(r"from=\d{4}-\d\d-\d\d"))
    page.locator("#events thead").get_by_role("link", name=paid).click()  # ascending
    page.locator("#events thead").get_by_role("link", name=paid).click()  # descending
    expect(page.locator("#events thead th[aria-sort=descending]")).to_contain_text(paid)
    first = page.locator("#events tbody tr").first
    expect(first).to_contain_text(number)
    expect(first).to_contain_text({"en": "€300.00"}.get(lang, "300,00\u00a0€"))
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.shot(f"events-{lang}-{width}")

    with page.expect_download() as download:
        page.get_by_role("link", name=export).click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("event,date,source,by,account,customer,currency,tendered,paid")
    assert f",{number}," in text and ",300.00," in text


CODE_WORDS = {
    "en": ("Take payment", "€45.90", "Still due"),
    "el": ("Καταχώριση πληρωμής", "45,90\u00a0€", "Υπόλοιπο προς πληρωμή"),
    "pl": ("Przyjmij płatność", "45,90\u00a0€", "Pozostało do zapłaty"),
}


@pytest.mark.parametrize("lang", ["en", "el", "pl"])
def test_the_code_page_shows_what_is_due_and_takes_payment_at_the_desk(
    page, server: Server, lang: str
):
    from playwright.sync_api import expect

    from tests.web.test_browser import _issue_counter_invoice

    take, due, still_due = CODE_WORDS[lang]
    rf_code = _issue_counter_invoice(server, f"CI-DUE-{lang}")
    _sign_in(page, server, "cashier")
    _language(page, lang)
    page.goto(f"{server.url}/codes/{rf_code}")
    expect(page.locator("#code-status")).to_contain_text(still_due)
    expect(page.locator("#code-still-due")).to_have_text(due)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        _fits(page)
        page.shot(f"code-{lang}-{width}")
    page.get_by_role("link", name=take).click()
    expect(page.locator("#payer-account")).to_have_text(server.book.account_number)
    expect(page.locator("#f-amount")).to_have_value("45.90")
    expect(page.locator("#f-match_value")).to_have_value(f"CI-DUE-{lang}")
    page.shot(f"take-payment-{lang}")


DRAWER_WORDS = {
    "en": ("Open drawer", "Close drawer", "Print drawer report", "Drawer report"),
    "el": ("Άνοιγμα ταμείου", "Κλείσιμο ταμείου", "Εκτύπωση αναφοράς ταμείου", "Αναφορά ταμείου"),
    "pl": ("Otwórz kasę", "Zamknij kasę", "Drukuj raport kasowy", "Raport kasowy"),
}


@pytest.mark.parametrize("lang", ["en", "el", "pl"])
def test_closing_the_drawer_prints_a_drawer_report(page, server: Server, lang: str):
    from playwright.sync_api import expect

    open_drawer, close_drawer, print_report, report = DRAWER_WORDS[lang]
    account_id, _number = _owing_account(server, "20.00")
    _sign_in(page, server, "supervisor")  # a drawer of their own, apart from the cashier's
    _language(page, lang)
    page.goto(f"{server.url}/cash-drawer")
    if page.get_by_role("button", name=close_drawer).count():  # left open by another language
        page.locator("#drawer-count input").first.fill("0")
        page.get_by_role("button", name=close_drawer).click()
        page.get_by_role("button", name=close_drawer).click()
    page.locator("#f-float_amount").fill("10")
    page.get_by_role("button", name=open_drawer).click()
    page.goto(f"{server.url}/one-time-payment?account={account_id}")
    page.locator("#f-t_cash_amount").fill("20")
    page.locator("#payment-form button.primary").click()
    page.goto(f"{server.url}/cash-drawer")
    page.locator("#f-counted_cash").fill("30")
    page.get_by_role("button", name=close_drawer).click()
    page.get_by_role("button", name=close_drawer).click()  # the confirm page
    page.get_by_role("link", name=print_report).click()
    expect(page.get_by_role("heading", name=re.compile(f"^{report}"))).to_be_visible()
    expect(page.locator("#report-cash")).to_contain_text({"en": "€30.00"}.get(lang, "30,00\u00a0€"))
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        _fits(page)
        page.shot(f"drawer-report-{lang}-{width}")


BANK_LIST_WORDS = {
    "en": ("Every bank entry: filter, sort, export", "Amount"),
    "el": ("Όλες οι τραπεζικές κινήσεις: φιλτράρισμα, ταξινόμηση, εξαγωγή", "Ποσό"),
    "pl": ("Wszystkie operacje bankowe: filtrowanie, sortowanie, eksport", "Kwota"),
}


@pytest.mark.parametrize("lang", ["en", "el", "pl"])
def test_every_bank_entry_is_listed_sorted_and_exported(page, server: Server, lang: str):
    from datetime import date

    from playwright.sync_api import expect

    from paydesk.db.engine import Database
    from tests.reporting.test_collections import bank_credit

    link, amount = BANK_LIST_WORDS[lang]
    db = Database(server.database_url)
    try:
        bank_credit(db, "RF18539007547034", "12345.67", "ETHNGRAA", date.today(),
                    f"BL-{lang}", "unmatched")  # fmt: skip
    finally:
        db.dispose()
    _sign_in(page, server, "supervisor")
    _language(page, lang)
    page.goto(f"{server.url}/bank")
    page.get_by_role("link", name=link).click()
    page.locator("#entry-table thead").get_by_role("link", name=amount).click()
    page.locator("#entry-table thead").get_by_role("link", name=amount).click()
    expect(page.locator("#entry-table tbody tr").first).to_contain_text(
        {"en": "€12,345.67", "el": "12.345,67\u00a0€", "pl": "12\u00a0345,67\u00a0€"}[lang]
    )
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.shot(f"bank-list-{lang}-{width}")


def test_the_accessibility_check_finds_a_serious_violation(browser):
    """The check itself: an image without a text alternative is a critical violation."""
    context = browser.new_context()
    tab = context.new_page()
    try:
        tab.set_content('<html lang="en"><body><main><img src="x.png"></main></body></html>')
        with pytest.raises(AssertionError, match="image-alt"):
            _accessible(tab)
    finally:
        context.close()


NEW_ACCOUNT_WORDS = {
    "en": ("New customer and account", "Create customer and account", "created."),
    "el": ("Νέος πελάτης και λογαριασμός", "Δημιουργία πελάτη και λογαριασμού", "δημιουργήθηκε."),
    "pl": ("Nowy klient i konto", "Utwórz klienta i konto", "utworzone."),
}


@pytest.mark.parametrize("lang", ["en", "el", "pl"])
def test_a_supervisor_creates_a_customer_and_account_on_the_page(page, server: Server, lang: str):
    from playwright.sync_api import expect

    link, create, created = NEW_ACCOUNT_WORDS[lang]
    _sign_in(page, server, "supervisor")
    _language(page, lang)
    page.goto(f"{server.url}/accounts")
    page.get_by_role("link", name=link).click()
    page.locator("#f-customer_name").fill("Ζωή Καραγιάννη")
    page.locator("#f-number").fill(f"NEW-{lang}")
    page.locator("#f-c1_priority").fill("first")
    page.get_by_role("button", name=create).click()
    expect(page.locator("#f-c1_priority")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-customer_name")).to_have_value("Ζωή Καραγιάννη")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        _fits(page)
        page.shot(f"new-account-{lang}-{width}")
    page.locator("#f-c1_priority").fill("10")
    page.get_by_role("button", name=create).click()
    expect(page.locator("#messages")).to_contain_text(created)
    from paydesk.web import i18n

    excess = i18n.translations(lang).gettext("Excess credit")  # contract types are translated
    expect(page.locator("#contracts")).to_contain_text(excess)
