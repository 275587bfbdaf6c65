"""The imported files' list, a refused upload and a rejected bank entry in a real Chromium, in
English, Greek and Polish, at 1366 and 800 px wide (screenshots in test-artifacts/screenshots/,
each checked by axe-core): the list sorts, pages, filters by import date and exports CSV on the
shared list layout; a refusal and a rejected entry's problem are written in the page's language
from their codes, amounts the local way."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.web import test_browser as shared
from tests.web.test_browser import Server, _sign_in
from tests.web.test_browser_backoffice import WIDTHS, _fits, _language

browser, server, page = shared.browser, shared.server, shared.page

pytestmark = pytest.mark.browser

#: Each language's files are imported in a month of their own, so the date filter finds them.
MONTHS = {"en": 1, "el": 2, "pl": 3}
FILES = 55

#: What the pages say, per language: the refusal of a file cut in the middle, and the problems
#: of an amount with three decimals and of one over the largest amount.
REFUSED = {
    "en": "The file was refused. The file is not well-formed XML (line",
    "el": "Το αρχείο απορρίφθηκε. Το αρχείο δεν είναι σωστά δομημένο XML (γραμμή",
    "pl": "Plik został odrzucony. Plik nie jest poprawnie zbudowanym XML (wiersz",
}
DECIMALS = {
    "en": "The amount “12.500” has more decimals than EUR has (2).",
    "el": "Το ποσό «12.500» έχει περισσότερα δεκαδικά ψηφία από όσα έχει το EUR (2).",
    "pl": "Kwota „12.500” ma więcej miejsc po przecinku, niż ma EUR (2).",
}
TOO_LARGE = {
    "en": "The amount €1,234,567,890,123.00 is larger than €999,999,999,999.99.",
    "el": "Το ποσό 1.234.567.890.123,00\u00a0€ είναι μεγαλύτερο από 999.999.999.999,99\u00a0€.",
    "pl": "Kwota 1\u00a0234\u00a0567\u00a0890\u00a0123,00\u00a0€ jest większa niż "
    "999\u00a0999\u00a0999\u00a0999,99\u00a0€.",
}


def _translated(lang: str, message: str) -> str:
    from paydesk.web import i18n

    return i18n.translations(lang).gettext(message)


def _files(server: Server, lang: str) -> None:
    """``FILES`` imported files of ``lang``'s month; file ``n`` matched ``n`` entries."""
    from paydesk.bank.models import BankFile
    from paydesk.db.engine import Database

    db = Database(server.database_url)
    try:
        with db.transaction() as s:
            s.add_all(
                BankFile(name=f"{lang}-file-{n:02}.xml", sha256=f"{n:064x}", kind="camt.054",
                         version="001.08", source=("web", "api", "feed:alpha")[n % 3],
                         status="imported", entries=n + 1, matched=n, unmatched=1,
                         imported_by="supervisor",
                         created_at=datetime(2024, MONTHS[lang], 1 + n % 28, 9, tzinfo=UTC))
                for n in range(1, FILES + 1)
            )  # fmt: skip
    finally:
        db.dispose()


def _camt(*credits: tuple[str, str]) -> bytes:
    """A camt.054 of credits (reference, amount as written in the file)."""
    from paydesk.bank.camt_writer import OutgoingCredit, write_camt054
    from paydesk.money import Money

    out = io.BytesIO()
    write_camt054(
        [
            OutgoingCredit(amount=Money.parse(f"{n + 1}.00", "EUR"), booking_date=date.today(),
                           rf="RF18539007547034", debtor_name="Maria Papadopoulou",
                           debtor_bic="ETHNGRAA", end_to_end_id=f"E2E-{ref}",
                           account_servicer_ref=ref)
            for n, (ref, _amount) in enumerate(credits)
        ],
        out,
        version="001.08",
        account_iban="GR1601101250000000012300695",
        message_id=f"MSG-{credits[0][0]}",
    )  # fmt: skip
    data = out.getvalue()
    for n, (_ref, amount) in enumerate(credits):
        data = data.replace(f">{n + 1}.00<".encode(), f">{amount}<".encode())
    return data


def _upload(tab, name: str, data: bytes) -> None:
    tab.locator("#f-file").set_input_files(
        files=[{"name": name, "mimeType": "application/xml", "buffer": data}]
    )
    tab.locator("#upload-file").click()


@pytest.mark.parametrize("lang", ["en", "el", "pl"])
def test_the_imported_files_list_sorts_pages_filters_by_date_and_exports_csv(
    page, server: Server, lang: str
):
    from playwright.sync_api import expect

    _files(server, lang)
    month = f"2024-{MONTHS[lang]:02}"
    _sign_in(page, server, "supervisor")
    _language(page, lang)
    page.goto(f"{server.url}/bank")
    page.get_by_role(
        "link", name=_translated(lang, "Every imported file: filter, sort, export")
    ).click()
    expect(page.get_by_role("heading", name=_translated(lang, "Imported files"))).to_be_visible()
    page.get_by_label(_translated(lang, "Imported from"), exact=True).fill(f"{month}-01")
    page.get_by_label(_translated(lang, "Imported to"), exact=True).fill(f"{month}-28")
    page.get_by_role("button", name=_translated(lang, "Show"), exact=True).click()
    expect(page.locator("#file-count")).to_contain_text(str(FILES))
    expect(page.locator("#file-table tbody tr")).to_have_count(50)  # a page of 50

    matched = _translated(lang, "Matched")
    header = page.locator("#file-table thead").get_by_role("link", name=matched, exact=True)
    header.click()  # ascending
    header.click()  # descending
    expect(page.locator("#file-table thead th[aria-sort=descending]")).to_contain_text(matched)
    expect(page.locator("#file-table tbody tr").first).to_contain_text(f"{lang}-file-55.xml")
    expect(page.locator("#file-table tbody tr").nth(2)).to_contain_text(
        _translated(lang, "Bank feed")  # file 53 came from the feed "alpha"
    )
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        _fits(page)
        page.shot(f"bank-files-{lang}-{width}")

    page.get_by_role("navigation", name=_translated(lang, "Pages")).get_by_role(
        "link", name=_translated(lang, "Next")
    ).click()
    expect(page.locator("#file-table tbody tr")).to_have_count(FILES - 50)
    expect(page.locator("#file-table tbody tr").first).to_contain_text(f"{lang}-file-05.xml")
    page.shot(f"bank-files-page-2-{lang}")

    with page.expect_download() as download:
        page.get_by_role("link", name=_translated(lang, "Export CSV")).click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert len(rows) == FILES  # every filtered file, not one page
    assert [r["name"] for r in rows[:2]] == [f"{lang}-file-55.xml", f"{lang}-file-54.xml"]
    assert all(r["imported_at"].startswith(month) for r in rows)


@pytest.mark.parametrize("lang", ["en", "el", "pl"])
def test_a_refused_upload_says_why_in_the_pages_language(page, server: Server, lang: str):
    from playwright.sync_api import expect

    good = _camt((f"CUT-{lang}", "5.00"))
    _sign_in(page, server, "supervisor")
    _language(page, lang)
    page.goto(f"{server.url}/bank")
    _upload(page, f"cut-{lang}.xml", good[: len(good) // 2])
    refusal = page.locator("#e-file")
    expect(refusal).to_contain_text(REFUSED[lang])
    expect(page.locator("#f-file")).to_have_attribute("aria-invalid", "true")
    if lang != "en":
        expect(refusal).not_to_contain_text("well-formed")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        _fits(page)
        page.shot(f"upload-refused-{lang}-{width}")

    page.goto(f"{server.url}/bank")  # the failed file, listed with the same words
    failed = page.locator("#recent-files tbody tr").filter(has_text=f"cut-{lang}.xml")
    expect(failed).to_contain_text(REFUSED[lang].split(". ", 1)[1])
    expect(failed).to_contain_text(_translated(lang, "Failed"))


@pytest.mark.parametrize("lang", ["en", "el", "pl"])
def test_a_rejected_entry_says_its_problem_in_the_pages_language(page, server: Server, lang: str):
    from playwright.sync_api import expect

    data = _camt(
        (f"RJ-{lang}-1", "12.500"), (f"RJ-{lang}-2", "1234567890123.00"), (f"RJ-{lang}-3", "7.00")
    )
    _sign_in(page, server, "supervisor")
    _language(page, lang)
    page.goto(f"{server.url}/bank")
    _upload(page, f"rejected-{lang}.xml", data)
    expect(page.locator("#sum-rejected")).to_have_text("2")
    expect(page.locator("#sum-unmatched")).to_have_text("1")

    page.get_by_role(
        "link", name=_translated(lang, "Every bank entry: filter, sort, export")
    ).click()
    page.get_by_label(_translated(lang, "Status"), exact=True).select_option("rejected")
    page.get_by_role("button", name=_translated(lang, "Show"), exact=True).click()
    rows = page.locator("#entry-table tbody")
    expect(rows).to_contain_text(DECIMALS[lang])
    expect(rows).to_contain_text(TOO_LARGE[lang])
    if lang != "en":
        expect(rows).not_to_contain_text("more decimals")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        _fits(page)
        page.shot(f"rejected-entry-{lang}-{width}")
