"""Reading camt.053/054 files into bank entries."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from paydesk.bank.camt import (
    BankFileTooLarge,
    InvalidBankFile,
    UnsafeBankFile,
    check_file,
    open_camt,
    parse_camt,
)
from paydesk.errors import InvalidInput
from paydesk.money import Money

FILES = Path(__file__).parent / "files"
ACCOUNT = "GR1601101250000000012300695"


def entries(name: str):
    return list(parse_camt(FILES / name))


def test_camt054_v02_single_credit_is_read_with_all_its_fields():
    first = entries("camt054_v02_batch.xml")[0]
    assert first.key == f"{ACCOUNT}/asr:20260302ETHN000101"
    assert first.account_iban == ACCOUNT  # spaces in the file's IBAN are removed
    assert first.amount == Money(Decimal("150.00"), "EUR")
    assert first.credit and not first.reversal
    assert first.status == "BOOK"
    assert first.booking_date == first.value_date == date(2026, 3, 2)
    assert first.rf == "RF83100234"
    assert first.debtor_name == "Georgios Papadopoulos"
    assert first.debtor_iban == "GR9601101250000000012300695"
    assert first.debtor_agent_bic == "ETHNGRAA"
    assert first.end_to_end_id == "INV-2026-0042"
    assert first.entry_ref == "1"
    assert first.problem is None and first.ok


def test_batch_entry_gives_one_record_per_transaction_with_distinct_keys():
    batch = entries("camt054_v02_batch.xml")[1:]
    assert [str(e.amount) for e in batch] == ["10.00 EUR", "20.00 EUR", "30.00 EUR"]
    assert [e.rf for e in batch] == ["RF56100235", "RF29100236", "RF02100237"]
    assert {e.batch_size for e in batch} == {3}
    assert len({e.key for e in batch}) == 3
    assert batch[2].key.endswith("/tx:TX-3")  # EndToEndId NOTPROVIDED falls back to TxId
    assert batch[2].end_to_end_id is None


def test_rf_typed_in_unstructured_text_is_found():
    paid = entries("camt054_v04_text.xml")[0]
    assert paid.rf == "RF18539007547034"
    assert paid.remittance_text == "Zaplata za fakture 12/2026 kod: r f 18 5390 0754 7034, dziekuje"
    assert paid.debtor_agent_bic == "BPKOPLPWXXX"  # BICFI from 001.04
    assert paid.amount == Money(Decimal("99.90"), "PLN")


def test_rf_like_text_that_does_not_validate_is_kept_as_candidate():
    typo = entries("camt054_v04_text.xml")[1]
    assert typo.rf is None
    assert typo.rf_candidate == "RF17539007547034"
    assert typo.problem is None  # the importer holds it as unmatched, reason "invalid RF"


def test_pending_entry_has_status_pdng_and_no_booking_date():
    pending = entries("camt054_v04_text.xml")[2]
    assert pending.status == "PDNG"
    assert pending.booking_date is None
    assert pending.value_date == date(2026, 3, 4)
    assert pending.date == date(2026, 3, 4)
    assert pending.ok


def test_reversal_is_a_debit_with_reversal_flag():
    credit, reversal, _info = entries("camt054_v08_reversal.xml")
    assert credit.credit and not credit.reversal
    assert not reversal.credit and reversal.reversal
    assert reversal.rf == credit.rf == "RF777700001"
    assert reversal.key != credit.key


def test_version_08_status_code_and_datetime_booking_are_read():
    credit, _, info = entries("camt054_v08_reversal.xml")
    assert credit.status == "BOOK"  # Sts/Cd
    assert credit.booking_date == date(2026, 3, 5)  # BookgDt/DtTm
    assert credit.debtor_name == "Auto Dimitriou IKE"  # Dbtr/Pty/Nm
    assert credit.rf == "RF777700001"  # structured RF printed with spaces
    assert info.status == "INFO"
    assert info.key == f"{ACCOUNT}/ntry:88-3"  # no AcctSvcrRef: NtryRef
    assert info.amount == Money(Decimal("45.00"), "EUR")  # no TxDtls: Ntry/Amt


def test_same_transaction_in_camt054_and_camt053_has_the_same_key():
    notified = entries("camt054_v08_reversal.xml")[0]
    stated = entries("camt053_v13_statement.xml")[0]
    assert notified.key == stated.key
    assert notified.entry_ref != stated.entry_ref


def test_camt053_v02_repeats_the_camt054_v02_key():
    assert entries("camt053_v02_statement.xml")[0].key == entries("camt054_v02_batch.xml")[0].key


def test_statement_balances_are_skipped_and_entries_read():
    stmt = open_camt(FILES / "camt053_v13_statement.xml")
    assert (stmt.kind, stmt.version, stmt.message_id) == (
        "camt.053",
        "001.13",
        "EUROBANK-053-20260305",
    )
    assert [str(e.amount) for e in stmt.entries()] == ["1200.00 EUR", "75.50 EUR"]


def test_broken_entry_is_yielded_with_a_problem_and_the_good_one_is_kept():
    good, broken = entries("one_broken_entry.xml")
    assert good.ok and good.rf == "RF237700003"
    assert broken.problem == "amount: 20.005 has more decimals than EUR allows (2)"
    assert broken.amount is None
    assert broken.key == f"{ACCOUNT}/asr:BAD-1"
    assert broken.line == 20


def test_malformed_file_is_refused_with_its_line():
    with pytest.raises(InvalidBankFile, match=r"line 24") as caught:
        check_file(FILES / "malformed.xml")
    assert caught.value.extra["line"] == 24
    with pytest.raises(InvalidBankFile):
        entries("malformed.xml")


def test_check_file_counts_entries_of_a_good_file():
    summary = check_file(FILES / "camt054_v02_batch.xml")
    assert (summary.kind, summary.version, summary.entries) == ("camt.054", "001.02", 2)
    assert summary.message_id == "ETHN-054-20260302-0001"


@pytest.mark.parametrize("name", ["xxe.xml", "billion_laughs.xml"])
def test_files_with_a_doctype_are_refused_as_unsafe(name):
    with pytest.raises(UnsafeBankFile, match="DOCTYPE"):
        parse_camt(FILES / name)
    assert issubclass(UnsafeBankFile, InvalidInput)


def test_doctype_is_refused_from_a_file_object_too():
    data = (FILES / "xxe.xml").read_bytes()
    with pytest.raises(UnsafeBankFile):
        check_file(io.BytesIO(data))


def test_other_iso20022_message_is_refused():
    with pytest.raises(InvalidBankFile, match=r"not an ISO 20022 camt\.053 or camt\.054"):
        parse_camt(FILES / "pain001_not_camt.xml")


def test_unsupported_version_is_refused():
    data = (FILES / "camt054_v08_reversal.xml").read_bytes().replace(b"001.08", b"001.14")
    with pytest.raises(InvalidBankFile, match=r"001\.14 is not supported"):
        parse_camt(io.BytesIO(data))


def test_camt054_namespace_with_camt053_body_is_refused():
    data = (FILES / "camt053_v02_statement.xml").read_bytes().replace(b"camt.053", b"camt.054")
    with pytest.raises(InvalidBankFile, match="must hold BkToCstmrDbtCdtNtfctn"):
        parse_camt(io.BytesIO(data))


def test_empty_and_non_xml_input_is_refused():
    with pytest.raises(InvalidBankFile):
        parse_camt(io.BytesIO(b""))
    with pytest.raises(InvalidBankFile, match="not well-formed"):
        parse_camt(io.BytesIO(b"Date;Amount\n2026-03-02;10.00\n"))


def test_file_larger_than_the_limit_is_refused():
    path = FILES / "camt054_v02_batch.xml"
    with pytest.raises(BankFileTooLarge):
        parse_camt(path, max_bytes=1000)
    with pytest.raises(BankFileTooLarge):
        check_file(io.BytesIO(path.read_bytes()), max_bytes=1000)


def test_file_object_gives_the_same_entries_as_the_path():
    path = FILES / "camt054_v02_batch.xml"
    with path.open("rb") as stream:
        assert list(parse_camt(stream)) == entries("camt054_v02_batch.xml")


def test_entries_are_immutable():
    entry = entries("camt053_v02_statement.xml")[0]
    with pytest.raises(AttributeError):
        entry.rf = "RF18539007547034"  # type: ignore[misc]
