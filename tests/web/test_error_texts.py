"""Every domain error a page shows has a Greek and a Polish text: the codes raised in ``src``
(``code="…"`` where raised or returned to be raised, a class's ``text_code``, a lookup's
``no-<what>``), every error class's slug, and every problem code the camt parser gives a
rejected entry (with the fields it names); and the pages write an error from its code and
parameters, not its English."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import paydesk
from paydesk.accounts import service as accounts
from paydesk.bank import camt
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
    """``raise …(…, code="…")`` (or ``return …(…, code="…")``, an error made to be raised),
    ``text_code = "…"`` class attributes, and the ``no-<what>`` code of every
    ``fetch(…, what="…")`` in the source."""
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            made = node.exc if isinstance(node, ast.Raise) else None
            if isinstance(node, ast.Return) and path.parent.name == "bank":
                made = node.value
            if isinstance(made, ast.Call):
                for kw in made.keywords:
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


#: Where the parser names a field of an entry: the function and the place of the field.
_FIELD_ARGUMENT = {"_text": 2, "_date": 1, "_identifier": 2}


def _entry_problem_codes() -> tuple[set[str], set[str]]:
    """The codes of every ``EntryProblem("…", …)`` the parser makes, and the fields its checks
    name (``_text(value, limit, "NtryRef", …)`` …)."""
    codes: set[str] = set()
    fields: set[str] = set()
    for node in ast.walk(ast.parse(Path(camt.__file__).read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        name = node.func.id
        if name == "EntryProblem" and isinstance(node.args[0], ast.Constant):
            codes.add(node.args[0].value)
        where = _FIELD_ARGUMENT.get(name)
        if where is not None and isinstance(node.args[where], ast.Constant):
            fields.add(node.args[where].value)
    return codes, fields


def test_every_problem_of_a_rejected_entry_has_a_sentence_and_every_field_a_name():
    codes, fields = _entry_problem_codes()
    assert len(codes) > 15 and {"NtryRef", "BookgDt", "IBAN"} <= fields
    assert codes == set(error_texts.ENTRY_PROBLEMS)
    assert fields - set(error_texts.FIELDS) == set()


@pytest.mark.parametrize("lang", ["el", "pl"])
def test_every_error_text_has_a_greek_and_a_polish_translation(lang: str):
    catalogue = _catalogue(lang)
    texts = [
        *error_texts.TEXTS.values(),
        *error_texts.TITLES.values(),
        *error_texts.ENTRY_PROBLEMS.values(),
        *error_texts.FIELDS.values(),
    ]
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


class _Entry:
    """A stored bank entry as the pages read it: its English reason and its problems."""

    def __init__(self, reason: str, problems: list[dict]) -> None:
        self.reason, self.problems = reason, problems


class _File:
    def __init__(self, error: str, refusal: dict | None) -> None:
        self.error, self.refusal = error, refusal


TOO_LARGE = {
    "code": "amount-too-large",
    "params": {"amount": "1234567.5", "currency": "EUR", "max_amount": "999999999999.99"},
}
LONG_NAME = {"code": "text-too-long", "params": {"field": "Dbtr/Nm", "length": 1412, "limit": 140}}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "The amount €1,234,567.50 is larger than €999,999,999,999.99. "
               "Payer's name: 1,412 characters, more than 140."),
        ("el", "Το ποσό 1.234.567,50\u00a0€ είναι μεγαλύτερο από 999.999.999.999,99\u00a0€. "
               "Όνομα του πληρωτή: 1.412 χαρακτήρες, περισσότεροι από 140."),
        ("pl", "Kwota 1\u00a0234\u00a0567,50\u00a0€ jest większa niż "
               "999\u00a0999\u00a0999\u00a0999,99\u00a0€. "
               "Nazwa płatnika: 1\u00a0412 znaków, więcej niż 140."),
    ],
)  # fmt: skip
def test_a_rejected_entry_is_written_from_its_codes_with_local_amounts(lang: str, expected: str):
    entry = _Entry("amount: …; the debtor's name is 1412 characters long", [TOO_LARGE, LONG_NAME])
    assert error_texts.entry_reason(entry, lang) == expected


def test_an_entry_stored_before_codes_shows_its_text_as_it_is():
    old = _Entry("CdtDbtInd is 'XX', not CRDT or DBIT", [])
    assert error_texts.entry_reason(old, "el") == "CdtDbtInd is 'XX', not CRDT or DBIT"
    unknown = _Entry("English as stored", [{"code": "a-code-of-tomorrow", "params": {}}])
    assert error_texts.entry_reason(unknown, "pl") == "English as stored"
    held = _Entry("unknown RF RF18539007547034", [])
    assert error_texts.entry_reason(held, "el") == "Άγνωστος κωδικός RF RF18539007547034"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "The file is not well-formed XML (line 3, column 17). The parser says: "
               "Premature end of data Entries imported before the fault: 2,000."),
        ("el", "Το αρχείο δεν είναι σωστά δομημένο XML (γραμμή 3, στήλη 17). Μήνυμα του "
               "αναλυτή: Premature end of data Κινήσεις που εισήχθησαν πριν από το σφάλμα: 2.000."),
        ("pl", "Plik nie jest poprawnie zbudowanym XML (wiersz 3, kolumna 17). Komunikat "
               "parsera: Premature end of data Operacje zaimportowane przed błędem: 2\u00a0000."),
    ],
)  # fmt: skip
def test_a_refused_file_is_written_in_the_pages_language_around_the_parsers_message(
    lang: str, expected: str
):
    refusal = {
        "code": "bank-file-not-xml",
        "params": {"line": 3, "column": 17, "message": "Premature end of data"},
        "entries_before": 2000,
    }
    assert error_texts.refusal_text(_File("English", refusal), lang) == expected
    assert error_texts.refusal_text(_File("the bank file is …", None), lang) == (
        "the bank file is …"
    )


@pytest.mark.parametrize(
    ("lang", "limit"),
    [("en", "50 MB"), ("el", "50 MB"), ("pl", "1,5 kB"), ("el", "2.048 MB")],
)
def test_a_file_over_the_limit_says_the_limit_the_local_way(lang: str, limit: str):
    size = {"50 MB": 50 * 1024**2, "1,5 kB": 1536, "2.048 MB": 2 * 1024**3}[limit]
    refused = camt.BankFileTooLarge("the bank file is larger", limit=size)
    assert limit in error_texts.error_text(refused, lang)
    assert "larger" not in error_texts.error_text(refused, lang) or lang == "en"
