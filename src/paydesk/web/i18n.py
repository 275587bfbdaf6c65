"""Languages of the web pages: gettext catalogs, and amounts and dates as each locale writes them.

Catalogs live in ``locale/<lang>/LC_MESSAGES/messages.po`` (compiled ``.mo`` beside them); the
source language is English. ``make messages`` extracts, updates and compiles them.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from gettext import NullTranslations
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberFormatError, format_currency, parse_decimal
from babel.support import Translations

from paydesk.errors import InvalidAmount
from paydesk.money import Money

LANGUAGES: Final = ("en", "el", "pl")
DEFAULT_LANGUAGE: Final = "en"
#: The CLDR locale used for numbers and dates in each language.
LOCALES: Final = {"en": "en_IE", "el": "el_GR", "pl": "pl_PL"}
#: Each language's name in itself, for the language switch.
NAMES: Final = {"en": "English", "el": "Ελληνικά", "pl": "Polski"}
LOCALE_DIR: Final = Path(__file__).parent / "locale"
DOMAIN: Final = "messages"

_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


def check_language(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalog of ``lang``; English is the source language and needs none."""
    lang = check_language(lang)
    if lang == DEFAULT_LANGUAGE:
        return NullTranslations()
    found = Translations.load(str(LOCALE_DIR), [lang], domain=DOMAIN)
    if not isinstance(found, Translations):
        raise RuntimeError(f"no compiled catalog for {lang!r} in {LOCALE_DIR}")
    return found


def preferred_language(accept_language: str | None) -> str:
    """The first of our languages the browser asks for (``Accept-Language``), else English."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, index, tag.strip().lower().split("-")[0]))
    for _quality, _index, primary in sorted(weighted):
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def format_money(minor: int | None, currency: str, lang: str) -> str:
    """Stored minor units as the locale writes money: ``€1,234.56``, ``1.234,56 €`` (el)."""
    if minor is None:
        return ""
    money = Money.from_minor(minor, currency)
    return format_currency(money.amount, currency, locale=LOCALES[check_language(lang)])


def format_day(day: date | None, lang: str) -> str:
    """A date in the locale's medium form: ``22 Nov 2026``, ``22 Νοε 2026``, ``22 lis 2026``."""
    if day is None:
        return ""
    return format_date(day, format="medium", locale=LOCALES[check_language(lang)])


def format_moment(moment: datetime | None, lang: str, timezone: str = "UTC") -> str:
    """A timestamp in the installation's time zone: the day as :func:`format_day` writes it and
    the time on the 24-hour clock in every language (``30 Νοε 2026, 15:05``)."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(timezone))
    locale = LOCALES[check_language(lang)]
    return f"{format_date(local.date(), format='medium', locale=locale)}, {local:%H:%M}"


def decimal_hint(lang: str) -> str:
    """An example amount as the locale writes it (for placeholders): ``1234.56`` / ``1234,56``."""
    symbol = Locale.parse(LOCALES[check_language(lang)]).number_symbols["latn"]["decimal"]
    return f"1234{symbol}56"


def parse_amount(text: str, currency: str, lang: str, *, allow_zero: bool = False) -> Money:
    """An amount typed in a form, as the locale writes it (``1.234,56`` in Greek) or as a plain
    decimal (``1234.56``). Refuses anything else, more decimals than the currency has, and
    negative amounts."""
    text = (text or "").strip()
    locale = LOCALES[check_language(lang)]
    symbols = Locale.parse(locale).number_symbols["latn"]
    group, decimal = symbols["group"], symbols["decimal"]
    if group.isspace():  # typed with an ordinary space where the locale groups with a no-break one
        text = re.sub(r"[ \u00a0\u202f]", group, text)
    if not text:
        raise InvalidAmount("an amount is required")
    if _PLAIN_DECIMAL.fullmatch(text):
        return Money.parse(text, currency, allow_zero=allow_zero)
    if set(text) - set("0123456789" + group + decimal):
        # ASCII digits and the locale's own separators only: no exponent, sign or other scripts
        raise InvalidAmount(f"{text!r} is not an amount")
    try:
        value = parse_decimal(text, locale=locale, strict=True)
    except NumberFormatError:
        raise InvalidAmount(f"{text!r} is not an amount") from None
    return Money.parse(value, currency, allow_zero=allow_zero)
