"""Languages of the web pages: catalogs complete and compiled, amounts and dates per CLDR."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from paydesk.errors import InvalidAmount
from paydesk.web import i18n

ROOT = Path(__file__).resolve().parents[2]


def _source_messages() -> set[str]:
    """Every message the templates and page code mark for translation, extracted afresh."""
    method_map = [
        ("src/paydesk/web/**.py", "python"),
        ("src/paydesk/web/templates/**.html", "jinja2"),
    ]
    options = {"src/paydesk/web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("lang", ["el", "pl"])
def test_every_message_on_the_pages_has_a_translation(lang: str):
    po = ROOT / f"src/paydesk/web/locale/{lang}/LC_MESSAGES/messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    translated = {m.id for m in catalog if m.id and m.string and "fuzzy" not in m.flags}
    missing = _source_messages() - translated
    assert not missing, f"untranslated in {lang} (run `make messages`): {sorted(missing)}"


@pytest.mark.parametrize("lang", ["el", "pl"])
def test_the_compiled_catalog_matches_its_source(lang: str):
    folder = ROOT / f"src/paydesk/web/locale/{lang}/LC_MESSAGES"
    with (folder / "messages.po").open("rb") as f:
        source = {m.id: m.string for m in read_po(f, locale=lang) if m.id}
    with (folder / "messages.mo").open("rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    assert compiled == source, "run `make messages` to compile the catalog"


@pytest.mark.parametrize("lang", ["el", "pl"])
def test_translations_keep_their_placeholders(lang: str):
    po = ROOT / f"src/paydesk/web/locale/{lang}/LC_MESSAGES/messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    for message in catalog:
        if message.id and "%(" in message.id:
            values = {name: "x" for name in _names(message.id)}
            assert (message.string % values) is not None
            assert set(_names(message.string)) == set(_names(message.id)), message.id


def _names(text: str) -> list[str]:
    import re

    return re.findall(r"%\((\w+)\)s", text)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "€1,234.56"), ("el", "1.234,56\u00a0€"), ("pl", "1\u00a0234,56\u00a0€")],
)
def test_amounts_are_written_as_each_locale_writes_them(lang: str, expected: str):
    assert i18n.format_money(123456, "EUR", lang) == expected


def test_dates_are_written_in_the_pages_language():
    day = date(2026, 3, 5)
    assert i18n.format_day(day, "en") == "5 Mar 2026"
    assert "Μαρ" in i18n.format_day(day, "el")
    assert "mar" in i18n.format_day(day, "pl")


@pytest.mark.parametrize(
    ("text", "lang", "minor"),
    [
        ("1.234,56", "el", 123456),
        ("1234,5", "el", 123450),
        ("1 234,56", "pl", 123456),
        ("1\u00a0234,56", "pl", 123456),
        ("1,234.56", "en", 123456),
        ("1234.56", "el", 123456),  # a plain decimal is read as such in every language
        ("7", "en", 700),
    ],
)
def test_a_typed_amount_is_read_as_the_locale_writes_it(text: str, lang: str, minor: int):
    assert i18n.parse_amount(text, "EUR", lang).minor == minor


@pytest.mark.parametrize(
    ("text", "lang"),
    [("12.345", "en"), ("1.234,567", "el"), ("abc", "pl"), ("-5", "en"), ("0", "el"), ("", "en"),
     ("1.2.3", "en"), ("12,34,5", "pl")],
)  # fmt: skip
def test_a_bad_amount_is_refused(text: str, lang: str):
    with pytest.raises(InvalidAmount):
        i18n.parse_amount(text, "EUR", lang)


@given(
    minor=st.integers(min_value=1, max_value=99_999_999_999), lang=st.sampled_from(i18n.LANGUAGES)
)
def test_an_amount_written_for_a_locale_reads_back_exactly(minor: int, lang: str):
    written = i18n.format_money(minor, "EUR", lang).replace("€", "").strip()
    assert i18n.parse_amount(written, "EUR", lang).amount == Decimal(minor).scaleb(-2)


@pytest.mark.parametrize(
    ("header", "lang"),
    [(None, "en"), ("el-GR,el;q=0.9", "el"), ("de-DE,pl;q=0.8,el;q=0.5", "pl"),
     ("fr, el;q=0.1, pl;q=0.2", "pl"), ("de", "en")],
)  # fmt: skip
def test_the_browsers_preferred_language_is_chosen_among_ours(header: str | None, lang: str):
    assert i18n.preferred_language(header) == lang


def test_timestamps_are_shown_in_the_installations_time_zone():
    from datetime import UTC, datetime

    moment = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    assert i18n.format_moment(moment, "en") == "1 Jul 2026, 09:30"
    assert i18n.format_moment(moment, "el", "Europe/Athens") == "1 Ιουλ 2026, 12:30"
    assert i18n.format_moment(datetime(2026, 7, 1, 13, 5, tzinfo=UTC), "el") == "1 Ιουλ 2026, 13:05"
    assert i18n.format_moment(moment, "pl", "Europe/Warsaw") == "1 lip 2026, 11:30"


def test_an_unknown_time_zone_is_refused_in_the_settings():
    from pydantic import ValidationError

    from paydesk.settings import Settings

    with pytest.raises(ValidationError, match="IANA time zone"):
        Settings(timezone="Mars/Olympus")
