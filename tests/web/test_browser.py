"""The pages in a real Chromium (Playwright), against a real uvicorn server process.

The server runs ``paydesk.api.asgi:app`` on a free 127.0.0.1 port with its own database (a
temporary SQLite file, and a fresh PostgreSQL database); screenshots of each step are kept in
``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from paydesk.db.engine import Database
from paydesk.db.migrate import upgrade
from paydesk.settings import Settings
from tests.conftest import BACKENDS, POSTGRES_URL, TEST_SECRET
from tests.gateway.conftest import wait_until_up
from tests.web.accessibility import check_accessible
from tests.web.conftest import PASSWORDS, Book, make_book, make_users

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("PAYDESK_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
TIMEOUT_MS = 8000


@dataclass(frozen=True)
class Server:
    url: str
    book: Book
    backend: str
    database_url: str
    bank: str  # the bank simulator, whose feed the server reads on "Update status"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url(backend: str, tmp: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'browser.db'}"
        return
    admin = Database(POSTGRES_URL)
    name = f"paydesk_browser_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A uvicorn process serving paydesk on a free port, with users and a small book loaded,
    and the bank simulator (its own process) whose feed paydesk reads on "Update status"."""
    from paydesk.auth import service as auth_service

    backend = request.param
    tmp = tmp_path_factory.mktemp("browser")
    urls = _database_url(backend, tmp)
    url = next(urls)
    upgrade(url)
    db = Database(url)
    settings = Settings(database_url=url)
    make_users(db)
    book = make_book(db, settings)
    with db.transaction() as session:
        network = auth_service.create_user(session, username="bank-network", role="integration")
        bank_key = auth_service.create_key(session, network)
    db.dispose()
    port, bank_port = _free_port(), _free_port()
    base, bank = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bank_port}"
    env = {
        **os.environ,
        "PAYDESK_DATABASE_URL": url,
        "PAYDESK_CONFIG": "/nonexistent/paydesk.toml",
        "PAYDESK_SECRET_KEY": TEST_SECRET,  # the server refuses to start without one
        "PAYDESK_BANK_FEED_URL": f"{bank}/api/feed",
        "PAYDESK_DIRECT_DEBIT__CREDITOR_ID": "DE98ZZZ09999999999",  # the direct-debit page
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).resolve().parents[2] / "src"), os.environ.get("PYTHONPATH", "")]
        ),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "paydesk.api.asgi:app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    simulator = subprocess.Popen(
        [sys.executable, "-m", "paydesk.cli.main", "banksim", "--port", str(bank_port),
         "--paydesk-url", base, "--api-key", bank_key, "--data-dir", str(tmp / "banksim")],
        env=env,
    )  # fmt: skip
    try:
        for running, ready in ((process, f"{base}/sign-in"), (simulator, f"{bank}/health")):
            wait_until_up(ready, process=running)
        yield Server(base, book, backend, url, bank)
    finally:
        for running in (simulator, process):
            running.terminate()
            try:
                running.wait(timeout=10)
            except subprocess.TimeoutExpired:
                running.kill()
        for _ in urls:  # drop the PostgreSQL database
            pass


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        missing = f"Chromium is not installed at {CHROMIUM} (scripts/setup --system)"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"{missing}; in CI the browser tests must run")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server: Server, request: pytest.FixtureRequest):
    """A fresh browser context (no cookies) sized like a laptop; shots named after the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.shot = _shooter(tab, request.node.name)
    problems: list[str] = []
    tab.on("dialog", lambda dialog: dialog.accept())  # htmx's confirm dialogs: say yes
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "Failed to load resource" not in message.text
            else None
        ),
    )
    yield tab
    context.close()
    assert not problems, f"script errors or refused content on the pages: {problems}"


def _shooter(tab, test_name: str):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name)

    def shot(step: str) -> None:
        tab.screenshot(path=str(SCREENSHOTS / f"{slug}-{step}.png"), full_page=True)
        check_accessible(tab)  # every page shot is also checked by axe-core

    return shot


def _sign_in(tab, server: Server, username: str) -> None:
    tab.goto(f"{server.url}/")
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password").fill(PASSWORDS[username])
    tab.get_by_label("Password").press("Enter")  # the keyboard submits the form
    tab.wait_for_url(f"{server.url}/")


def test_a_supervisor_takes_a_repair_order_to_its_code_and_cancels_it(page, server: Server):
    from playwright.sync_api import expect

    book = server.book
    _sign_in(page, server, "supervisor")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").click()
    page.shot("1-accounts")

    page.get_by_role("link", name=book.account_number).click()
    expect(page.get_by_role("heading", name=f"Account {book.account_number}")).to_be_visible()
    contracts = page.locator("#contracts")
    expect(contracts).to_contain_text("Workshop service")
    expect(contracts).to_contain_text("€45.90")
    expect(page.locator("#documents")).to_contain_text("RO-7001")
    expect(page.locator("#documents")).to_contain_text("CI-7002")
    page.shot("2-account-360")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Documents").click()
    row = page.locator(f"#document-{book.repair_order_id}")
    expect(row.get_by_role("link", name=re.compile("^RF"))).to_have_count(0)
    row.get_by_role("button", name="Mark ready for invoicing").click()
    code_link = page.locator(f"#document-{book.repair_order_id}").get_by_role(
        "link", name=re.compile("^RF")
    )
    expect(code_link).to_be_visible()  # swapped in by htmx, without a page load
    expect(page.locator(f"#document-{book.repair_order_id}")).to_contain_text("Ready for invoicing")
    page.shot("3-code-issued")

    code_link.click()
    expect(page.locator("#code-status-value")).to_have_text("Active")
    page.get_by_role("button", name="Cancel code").click()
    expect(page.locator("#e-reason")).to_have_text("Give the reason for cancelling.")
    expect(page.locator("#code-status-value")).to_have_text("Active")
    page.shot("4-cancel-refused")

    page.get_by_label("Reason for cancelling").fill("order paid at the counter")
    page.get_by_role("button", name="Cancel code").click()
    expect(page.locator("#confirm-question")).to_contain_text("order paid at the counter")
    page.shot("5-asked-to-confirm")
    page.get_by_role("button", name="Cancel code").click()
    expect(page.locator("#messages")).to_contain_text("cancelled.")
    expect(page.locator("#code-status-value")).to_have_text("Cancelled")
    expect(page.get_by_role("button", name="Cancel code")).to_have_count(0)
    page.shot("5-cancelled")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("You have signed out.")
    page.goto(f"{server.url}/accounts/{book.account_id}")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_greek_and_polish_pages_show_translated_labels_and_local_amounts(page, server: Server):
    from playwright.sync_api import expect

    _sign_in(page, server, "cashier")
    page.goto(f"{server.url}/accounts/{server.book.account_id}")
    page.get_by_role("button", name="Ελληνικά").click()
    expect(page.locator("html")).to_have_attribute("lang", "el")
    expect(page.get_by_role("heading", name="Συμβάσεις")).to_be_visible()
    expect(page.locator("#contracts")).to_contain_text("Υπόλοιπο")
    expect(page.locator("#documents")).to_contain_text("1.234,56\u00a0€")
    expect(page.locator("#documents")).to_contain_text("45,90\u00a0€")
    expect(page.locator("#documents")).to_contain_text("Εντολή επισκευής")
    page.shot("el-account-360")

    # A tablet held upright: the page fits its width, nothing scrolls sideways but tables.
    page.set_viewport_size({"width": 768, "height": 1024})
    page.get_by_role("button", name="Polski").click()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.get_by_role("heading", name="Umowy")).to_be_visible()
    expect(page.locator("#documents")).to_contain_text("1\u00a0234,56\u00a0€")
    expect(page.locator("#documents")).to_contain_text("Zlecenie naprawy")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.shot("pl-account-360-tablet")


def test_a_cashier_gets_no_cancel_button_and_the_server_refuses_the_post(page, server: Server):
    from playwright.sync_api import expect

    rf_code = server.book.counter_invoice_code
    _sign_in(page, server, "cashier")
    page.goto(f"{server.url}/codes/{rf_code}")
    expect(page.locator("#code-status-value")).to_have_text("Active")
    expect(page.get_by_role("button", name="Cancel code")).to_have_count(0)
    page.shot("cashier-code")
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    # The same browser session, posting the form by hand: refused for the role, and without
    # the CSRF token refused before anything else.
    forbidden = page.request.post(
        f"{server.url}/codes/{rf_code}/cancel",
        form={"csrf_token": token, "reason": "trying anyway"},
    )
    assert forbidden.status == 403
    no_token = page.request.post(f"{server.url}/codes/{rf_code}/cancel", form={"reason": "x"})
    assert no_token.status == 403
    page.reload()
    expect(page.locator("#code-status-value")).to_have_text("Active")

    # A payment arrives on the code; "Update status" brings it in without leaving the page.
    _receive_payment(server, rf_code)
    expect(page.locator("#code-payments")).not_to_contain_text("Piraeus Bank")
    page.get_by_role("button", name="Update status").click()
    expect(page.locator("#code-status")).to_contain_text("Status is up to date.")
    expect(page.locator("#code-payments")).to_contain_text("Piraeus Bank")
    expect(page.locator("#code-payments")).to_contain_text("€20.00")
    page.shot("payment-brought-in")


def _receive_payment(server: Server, rf_code: str) -> None:
    from datetime import date

    from sqlalchemy import select

    from paydesk.codes.models import CodePayment, PaymentCode

    db = Database(server.database_url)
    try:
        with db.transaction() as session:
            code = session.scalar(select(PaymentCode).where(PaymentCode.rf == rf_code))
            assert code is not None
            session.add(
                CodePayment(
                    code_id=code.id,
                    paid_on=date(2026, 3, 6),
                    bank_bic="PIRBGRAA",
                    bank_name="Piraeus Bank",
                    amount_minor=2000,
                    currency="EUR",
                )
            )
    finally:
        db.dispose()


def test_the_new_document_form_refuses_a_bad_amount_and_keeps_what_was_typed(page, server: Server):
    from playwright.sync_api import expect

    _sign_in(page, server, "cashier")
    page.goto(f"{server.url}/documents/new")
    page.get_by_label("Kind").select_option("invoice")
    page.get_by_label("Account number").fill(server.book.account_number)
    page.get_by_label("Document number").fill("INV-BAD-1")
    page.get_by_label("Amount", exact=True).fill("12.345")
    page.get_by_label("Amount", exact=True).press("Enter")
    amount = page.get_by_label("Amount", exact=True)
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#e-amount")).to_contain_text("Enter an amount greater than zero")
    expect(page.get_by_label("Document number")).to_have_value("INV-BAD-1")
    page.shot("bad-amount")
    page.goto(f"{server.url}/documents?account={server.book.account_number}")
    expect(page.locator("#document-table")).not_to_contain_text("INV-BAD-1")


def _issue_counter_invoice(server: Server, number: str) -> str:
    """A new issued counter invoice (fixed 45.90) on the book's account; returns its RF code."""
    from datetime import date

    from paydesk.accounts import service as accounts
    from paydesk.documents import service as documents
    from paydesk.money import Money

    db = Database(server.database_url)
    try:
        with db.transaction() as session:
            made = documents.create(
                session,
                Settings(database_url=server.database_url),
                account=accounts.get_account(session, server.book.account_id),
                kind="counter_invoice",
                number=number,
                amount=Money.parse("45.90", "EUR"),
                issue_date=date(2026, 11, 19),
                status="issued",
                actor="test",
            )
            assert made.code is not None
            return made.code.rf
    finally:
        db.dispose()


def test_a_supervisor_uploads_a_camt_file_and_assigns_the_held_credit_to_a_code(
    page, server: Server
):
    import io
    from datetime import date

    from playwright.sync_api import expect

    from paydesk.bank.camt_writer import OutgoingCredit, write_camt054
    from paydesk.codes import rf
    from paydesk.money import Money

    target = _issue_counter_invoice(server, "CI-BANK-1")
    unknown = rf.create("7700770077")
    camt = io.BytesIO()
    write_camt054(
        [
            OutgoingCredit(
                amount=Money.parse("45.90", "EUR"),
                booking_date=date(2026, 11, 20),
                rf=unknown,
                remittance_text="counter invoice CI-BANK-1",
                debtor_name="Maria Papadopoulou",
                debtor_bic="ETHNGRAA",
                end_to_end_id="E2E-BROWSER-1",
                account_servicer_ref="ASR-BROWSER-1",
            )
        ],
        camt,
        version="001.08",
        account_iban="GR1601101250000000012300695",
        message_id="BROWSER-1",
    )

    _sign_in(page, server, "supervisor")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Bank entries").click()
    expect(page.get_by_role("heading", name="Bank entries", exact=True)).to_be_visible()
    page.get_by_label("camt.053 statement or camt.054 notification (XML)").set_input_files(
        files=[{"name": "november.xml", "mimeType": "application/xml", "buffer": camt.getvalue()}]
    )
    page.shot("1-file-chosen")
    page.get_by_role("button", name="Upload and import").click()
    summary = page.locator("#import-summary")
    expect(summary).to_contain_text("Import of november.xml")
    expect(page.locator("#sum-unmatched")).to_have_text("1")
    expect(page.locator("#sum-matched")).to_have_text("0")
    expect(page.locator("#messages")).to_contain_text("File november.xml imported.")
    held = page.locator("#unmatched tbody tr").filter(has_text="counter invoice CI-BANK-1")
    expect(held).to_contain_text(f"Unknown RF {unknown}")
    expect(held).to_contain_text("€45.90")
    expect(held).to_contain_text("Maria Papadopoulou")
    page.shot("2-held-with-reason")

    # A code that does not exist: the error by the field, the entry still held.
    held.get_by_label("Assign to RF code").fill(unknown)
    held.get_by_role("button", name=re.compile("^Assign entry")).click()
    expect(held.locator("p.error")).to_have_text(f"There is no payment code {unknown}.")
    expect(held.get_by_label("Assign to RF code")).to_have_attribute("aria-invalid", "true")
    page.shot("3-unknown-code-refused")

    held.get_by_label("Assign to RF code").fill(rf.format(target))
    held.get_by_role("button", name=re.compile("^Assign entry")).click()
    expect(page.locator("#messages")).to_contain_text(
        f"assigned to payment code {rf.format(target)}."
    )
    expect(page.locator("#unmatched")).to_have_count(0)
    page.shot("4-assigned")

    page.goto(f"{server.url}/codes/{target}")
    expect(page.locator("#code-status-value")).to_have_text("Paid")
    received = page.locator("#received")
    expect(received).to_contain_text("20 Nov 2026")
    expect(received).to_contain_text("NATIONAL BANK OF GREECE")
    expect(received).to_contain_text("€45.90")
    page.shot("5-code-shows-the-payment")


def _owing_account(server: Server, amount: str) -> tuple[int, str]:
    """A new account owing ``amount`` on an issued invoice; returns its id and number."""
    from datetime import date

    from paydesk.accounts.models import Account
    from tests.desk.helpers import build_account

    db = Database(server.database_url)
    try:
        built = build_account(
            db,
            Settings(database_url=server.database_url),
            contracts=[("service", 10)],
            invoices=[("service", "INV", amount, date(2026, 11, 2))],
        )
        with db.reading() as session:
            return built.account_id, session.get(Account, built.account_id).number
    finally:
        db.dispose()


def test_a_cashier_takes_a_cheque_over_the_debt_and_gives_cash_back(page, server: Server):
    from playwright.sync_api import expect

    account_id, number = _owing_account(server, "100.00")
    _sign_in(page, server, "cashier")
    page.goto(f"{server.url}/accounts/{account_id}")
    page.get_by_role("link", name="Make payment").click()
    expect(page.get_by_role("heading", name="Add one-time payment")).to_be_visible()
    expect(page.locator("#payer-account")).to_have_text(number)
    expect(page.get_by_label("Payment amount")).to_have_value("100.00")
    page.locator("#f-t_cheque_amount").fill("120.00")
    expect(page.locator("#cash-back")).to_contain_text("Cash back: €20.00")  # live, by htmx
    page.get_by_label("Cheque number").fill("1001")
    page.shot("1-cheque-with-cash-back")
    page.get_by_role("button", name="Take payment").click()

    expect(page.get_by_role("heading", name=re.compile(r"^Payment event \d+$"))).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("saved.")
    tenders = page.locator("#tenders")
    expect(tenders.locator("tr").filter(has_text="Cheque number 1001")).to_contain_text("€120.00")
    cash_back = tenders.locator("tr").filter(has_text="cash back")
    expect(cash_back).to_contain_text("Cash")
    expect(cash_back).to_contain_text("-€20.00")
    expect(page.locator(".payment-status")).to_have_text("Frozen")
    expect(page.locator("#event-status")).to_have_text("Balanced")
    expect(page.locator(".segments")).to_contain_text("€100.00")
    page.shot("2-event-frozen")


def test_a_cashier_opens_the_drawer_takes_cash_and_closes_with_a_difference(page, server: Server):
    from playwright.sync_api import expect

    account_id, _number = _owing_account(server, "45.90")
    _sign_in(page, server, "cashier")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Cash drawer").click()
    page.get_by_label("Float (cash in the drawer at the start)").fill("50.00")
    page.get_by_role("button", name="Open drawer").click()
    expect(page.locator("#messages")).to_contain_text("opened.")
    expect(page.locator("#drawer-float")).to_have_text("€50.00")
    page.shot("1-drawer-open")

    page.goto(f"{server.url}/one-time-payment?account={account_id}")
    page.locator("#f-t_cash_amount").fill("45.90")
    page.get_by_role("button", name="Take payment").click()
    expect(page.locator(".payment-status")).to_have_text("Frozen")

    nav.get_by_role("link", name="Cash drawer").click()
    expect(page.locator("#drawer-tenders")).to_contain_text("€45.90")
    expect(page.locator("#expected-cash")).to_have_text("€95.90")
    page.get_by_role("row", name=re.compile("^Cash")).get_by_role("textbox").fill("95.00")
    page.shot("2-counted")
    page.get_by_role("button", name="Close drawer").click()
    expect(page.get_by_role("heading", name="Please confirm")).to_be_visible()
    page.get_by_role("button", name="Close drawer").click()
    expect(page.locator("#messages")).to_contain_text("closed.")
    result = page.locator("#close-result")
    expect(result).to_contain_text("€95.90")
    expect(result).to_contain_text("€95.00")
    expect(page.locator("#difference-cash")).to_have_text("-€0.90 (short)")
    expect(page.get_by_role("button", name="Open drawer")).to_be_visible()
    page.shot("3-closed-with-difference")


def test_a_clerk_updates_the_status_of_a_code_paid_at_the_bank_and_sees_each_payment(
    page, server: Server
):
    from datetime import date

    from playwright.sync_api import expect

    from paydesk.accounts import service as accounts
    from paydesk.codes import service as codes
    from paydesk.documents import service as documents
    from paydesk.money import Money
    from paydesk.web.i18n import format_day

    db = Database(server.database_url)
    settings = Settings(database_url=server.database_url)
    try:
        with db.transaction() as session:
            order = documents.create(
                session,
                settings,
                account=accounts.get_account(session, server.book.account_id),
                kind="vehicle_order",
                number=f"VO-BANK-{server.backend}",
                amount=Money.parse("9000.00", "EUR"),
                issue_date=date.today(),
                actor="test",
            )
            code = codes.issue_for_document(session, settings, order.document, actor="t").code.rf
    finally:
        db.dispose()
    for amount, bic in (("1500.00", "ETHNGRAA"), ("720.35", "BPKOPLPW")):
        paid = httpx.post(
            f"{server.bank}/api/payments",
            json={"rf": code, "amount": amount, "bank_bic": bic, "payer_name": "Eleni Georgiou"},
            timeout=30,
        )
        assert paid.status_code == 201, paid.text

    _sign_in(page, server, "cashier")
    page.goto(f"{server.url}/codes/{code}")
    expect(page.locator("#code-status-value")).to_have_text("Active")
    expect(page.locator("#code-payments")).to_contain_text(
        "Nothing has been paid on this code yet."
    )
    page.shot("1-before-update")

    page.get_by_role("button", name="Update status").click()
    expect(page.locator("#code-status-value")).to_have_text("Partially paid")
    expect(page.locator("#code-status")).to_contain_text("Status is up to date.")
    rows = page.locator("#received tbody tr")
    expect(rows).to_have_count(2)
    today = format_day(date.today(), "en")
    expect(rows.nth(0)).to_contain_text(today)
    expect(rows.nth(0)).to_contain_text("NATIONAL BANK OF GREECE")
    expect(rows.nth(0)).to_contain_text("€1,500.00")
    expect(rows.nth(1)).to_contain_text(today)
    expect(rows.nth(1)).to_contain_text("PKO")
    expect(rows.nth(1)).to_contain_text("€720.35")
    expect(page.locator("#code-paid")).to_have_text("€2,220.35")
    page.shot("2-payments-fetched-from-the-bank")
