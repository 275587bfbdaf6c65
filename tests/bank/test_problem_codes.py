"""Why an entry is rejected and why a file is refused, as codes with parameters: the parser
gives them, the importer stores them beside the English text, the API lists them (SQLite and
PostgreSQL)."""

from __future__ import annotations

import dataclasses
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from paydesk.bank.camt import InvalidBankFile, parse_camt
from paydesk.bank.importer import import_file
from paydesk.bank.models import BankEntry, BankFile
from tests.bank.test_bad_input import _with
from tests.bank.test_importer import TODAY, camt054, credit
from tests.conftest import auth

RF = "RF18539007547034"
#: A good file cut in the middle.
HALF = camt054(credit(RF, "5.00", "H"))[:900]


def _problems(data: bytes) -> list[tuple[str, dict[str, str | int]]]:
    [entry] = parse_camt(io.BytesIO(data))
    assert not entry.ok
    assert entry.problem == "; ".join(p.text for p in entry.problems)
    return [(p.code, p.params) for p in entry.problems]


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1e9", ("amount-not-decimal", {"value": "1e9"})),
        ("12.500", ("amount-decimals", {"value": "12.500", "currency": "EUR", "digits": 2})),
        ("-3.00", ("amount-negative", {"amount": "-3.00", "currency": "EUR"})),
        (
            "1000000000000.00",
            ("amount-too-large",
             {"amount": "1000000000000.00", "currency": "EUR", "max_amount": "999999999999.99"}),
        ),
        ("0.00", ("amount-zero", {})),
    ],
)  # fmt: skip
def test_an_amount_refused_is_a_code_with_its_parameters(amount: str, expected):
    data = _with(camt054(credit(RF, "77.70", "A")), ">77.70<", f">{amount}<")
    assert _problems(data) == [expected]


def test_an_unknown_or_missing_currency_is_a_code():
    data = camt054(credit(RF, "5.00", "C"))
    assert _problems(_with(data, 'Ccy="EUR"', 'Ccy="XXY"'))[0] == (
        "amount-currency",
        {"currency": "XXY"},
    )
    assert _problems(_with(data, ' Ccy="EUR"', ""))[0] == ("amount-no-currency", {})


def _long(field: str, length: int, limit: int) -> tuple[str, dict[str, str | int]]:
    return ("text-too-long", {"field": field, "length": length, "limit": limit})


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("debtor_name", "N" * 141, _long("Dbtr/Nm", 141, 140)),
        ("end_to_end_id", "E" * 36, _long("EndToEndId", 36, 35)),
        ("rf", "RF" + "1" * 40, _long("SCOR", 42, 35)),
        ("debtor_bic", "ethngraa", ("not-identifier", {"field": "BIC", "value": "ethngraa"})),
        ("remittance_text", "T" * 141, ("remittance-line-too-long", {"limit": 140})),
    ],
)
def test_a_field_over_its_limit_is_a_code_naming_the_field(field: str, value: str, expected):
    bad = dataclasses.replace(credit(RF, "5.00", "F"), **{field: value})
    assert _problems(camt054(bad)) == [expected]


def test_dates_and_references_are_codes():
    ahead = TODAY + timedelta(days=400)
    assert _problems(camt054(credit(RF, "5.00", "D", on=ahead))) == [
        ("date-ahead", {"field": "BookgDt", "date": ahead.isoformat(), "days": 366})
    ]
    data = camt054(credit(RF, "5.00", "D", value_date=TODAY))
    data = _with(data, f"<Dt>{TODAY.isoformat()}</Dt>\n  </BookgDt>", "<Dt>tomorrow</Dt></BookgDt>")
    assert _problems(data) == [("date-not-iso", {"field": "BookgDt", "value": "tomorrow"})]
    keyless = dataclasses.replace(
        credit(RF, "5.00", "K"), end_to_end_id="", account_servicer_ref=""
    )
    assert _problems(camt054(keyless)) == [("no-key", {})]


def test_a_usable_entry_has_no_problems():
    [entry] = parse_camt(io.BytesIO(camt054(credit(RF, "5.00", "OK"))))
    assert entry.ok and entry.problems == ()


def test_the_importer_stores_the_codes_and_the_api_lists_them(
    db, client: TestClient, keys: dict[str, str]
):
    data = _with(camt054(credit(RF, "77.70", "BAD"), credit(RF, "1.00", "OK")), ">77.70<", ">1e9<")
    summary = import_file(db, data, name="n.xml", origin="cli", actor="t")
    assert summary.rejected == 1
    with db.reading() as session:
        stored = session.scalars(select(BankEntry).order_by(BankEntry.id)).all()
        assert [e.problems for e in stored] == [
            [{"code": "amount-not-decimal", "params": {"value": "1e9"}}],
            [],  # a usable entry stores none
        ]
        assert stored[0].reason.startswith("amount: '1e9' is not a decimal amount")
    listed = client.get(
        "/v1/bank/entries", params={"status": "rejected"}, headers=auth(keys["supervisor"])
    ).json()
    assert [(e["reason"][:7], e["problems"]) for e in listed] == [
        ("amount:", [{"code": "amount-not-decimal", "params": {"value": "1e9"}}])
    ]


@pytest.mark.parametrize(
    ("data", "code", "params"),
    [
        (HALF, "bank-file-not-xml", {"line", "column", "message"}),
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><Document/>',
            "bank-file-doctype",
            set(),
        ),
        (b'<?xml version="1.0"?><Invoice xmlns="urn:x"/>', "bank-file-not-camt", {"root", "line"}),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.01"/>',
            "bank-file-version",
            {"kind", "version"},
        ),
    ],
)
def test_a_refused_file_is_stored_with_its_code(db, data: bytes, code: str, params: set[str]):
    with pytest.raises(InvalidBankFile) as refused:
        import_file(db, data, name="bad.xml", origin="cli", actor="t")
    assert refused.value.code == code
    with db.reading() as session:
        stored = session.scalars(select(BankFile)).one()
    assert stored.status == "failed" and stored.error.startswith(refused.value.detail)
    assert stored.refusal is not None and stored.refusal["code"] == code
    assert set(stored.refusal["params"]) == params


def test_a_file_over_the_limit_keeps_the_limit(db):
    data = camt054(credit(RF, "5.00", "L"))
    with pytest.raises(InvalidBankFile):
        import_file(db, data, name="big.xml", origin="cli", actor="t", max_bytes=1000)
    with db.reading() as session:
        stored = session.scalars(select(BankFile)).one()
    assert stored.refusal == {"code": "bank-file-too-large", "params": {"limit": 1000}}
