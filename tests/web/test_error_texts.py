"""Every domain error a page shows has a Greek and a Polish text: the codes raised in ``src``
(``code="…"`` where raised, a class's ``text_code``, a lookup's ``no-<what>``) and every error
class's slug; and the pages write an error from its code and parameters, not its English."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import paydesk
from paydesk.accounts import service as accounts
from paydesk.codes import rf
from paydesk.errors import NotFound, PaydeskError
from paydesk.slips.service import CodeNotPayable
from paydesk.web import error_texts
from paydesk.web.labels import reason_label

SRC = Path(paydesk.__file__).parent
LOCALE = SRC / "web" / "locale"


def _catalogue(lang: str) -> dict[str, str]:
    with open(LOCALE / lang / "LC_MESSAGES" / "messages.po", "rb") as po:
        return {m.id: m.string for m in read_po(po) if m.id and not m.fuzzy}


def _raised_codes() -> set[str]:
    """``raise …(…, code="…")``, ``text_code = "…"`` class attributes, and the ``no-<what>``
    code of every ``fetch(…, what="…")`` in the source."""
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                for kw in node.exc.keywords:
                    if kw.arg == "code" and isinstance(kw.value, ast.Constant):
                        found.add(kw.value.value)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "fetch":
                for kw in node.keywords:
                    if kw.arg == "what" and isinstance(kw.value, ast.Constant):
                        found.add("no-" + kw.value.value.replace(" ", "-"))
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and [getattr(t, "id", None) for t in node.targets] == ["text_code"]
            ):
                found.add(node.value.value)
    return found


def _slugs() -> set[str]:
    for module in pkgutil.walk_packages(paydesk.__path__, "paydesk."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)

    def walk(cls: type[PaydeskError]):
        yield cls
        for sub in cls.__subclasses__():
            yield from walk(sub)

    return {cls.slug for cls in walk(PaydeskError)}


def test_every_code_raised_has_a_sentence_and_every_class_a_title():
    assert _raised_codes() - set(error_texts.TEXTS) == set()
    assert _slugs() - set(error_texts.TITLES) == set()


@pytest.mark.parametrize("lang", ["el", "pl"])
def test_every_error_text_has_a_greek_and_a_polish_translation(lang: str):
    catalogue = _catalogue(lang)
    texts = [*error_texts.TEXTS.values(), *error_texts.TITLES.values()]
    missing = [t for t in texts if not catalogue.get(t)]
    assert missing == []


@pytest.mark.parametrize(
    ("error", "lang", "expected"),
    [
        (NotFound("no account 999", code="no-account", key="999"), "el",
         "Δεν υπάρχει λογαριασμός 999."),
        (NotFound("no account 999", code="no-account", key="999"), "pl", "Nie ma konta 999."),
        (
            CodeNotPayable("payment code RF18 5390 is paid; no payment slip is made for it",
                           code_status="paid", rf="RF18539007547034"),
            "el",
            "Ο κωδικός πληρωμής RF18 5390 0754 7034 έχει κατάσταση «πληρωμένο»: "
            "δεν εκδίδεται δελτίο πληρωμής γι’ αυτόν.",
        ),
    ],
)  # fmt: skip
def test_an_error_is_written_from_its_code_and_parameters(error, lang, expected):
    assert error_texts.error_text(error, lang) == expected


@pytest.mark.parametrize("lang", ["el", "pl"])
def test_no_english_in_the_errors_of_rf_codes_or_lookups(lang: str, db):
    errors = []
    for typed in ("RF18539007547035", "XX18", "RF1X5390", "RF18 5390 0754 703$"):
        with pytest.raises(rf.InvalidPaymentCode) as caught:
            rf.validate(typed)
        errors.append(caught.value)
    with pytest.raises(NotFound) as caught, db.reading() as s:
        accounts.get_contract(s, 12345)
    errors.append(caught.value)
    for error in errors:
        text = error_texts.error_text(error, lang)
        assert error.code in error_texts.TEXTS, error.code
        assert text != error_texts.error_text(error, "en")
        assert error.detail not in text


def test_a_bank_entrys_reason_shows_its_amounts_the_local_way():
    reason = "fixed-amount code RF18539007547034 asks for 1234.50 EUR, 20.00 paid"
    el = reason_label(reason, _gettext("el"), "el")
    assert "1.234,50\u00a0€" in el and "20,00\u00a0€" in el and "asks for" not in el
    assert "€1,234.50" in reason_label(reason, _gettext("en"), "en")


def _gettext(lang: str):
    from paydesk.web import i18n

    return i18n.translations(lang).gettext
