"""The camt writer and the parser agree: what is written is read back."""

from __future__ import annotations

import io
from datetime import date

import pytest

from paydesk.bank.camt import check_file, parse_camt
from paydesk.bank.camt_writer import (
    SUPPORTED_VERSIONS,
    Balance,
    OutgoingCredit,
    write_camt053,
    write_camt054,
)
from paydesk.codes import rf
from paydesk.errors import InvalidInput
from paydesk.money import Money

ACCOUNT = "GR1601101250000000012300695"

CREDITS = [
    OutgoingCredit(
        amount=Money.parse("12.50", "EUR"),
        booking_date=date(2026, 3, 2),
        value_date=date(2026, 3, 3),
        rf=rf.create("100234"),
        debtor_name="Jan Kowalski",
        debtor_iban="PL61109010140000071219812874",
        debtor_bic="BPKOPLPWXXX",
        end_to_end_id="E2E-1",
        account_servicer_ref="ASR-1",
        entry_ref="N-1",
    ),
    OutgoingCredit(
        amount=Money.parse("7", "EUR"),
        booking_date=date(2026, 3, 2),
        remittance_text="paid with rf18 5390 0754 7034",
        account_servicer_ref="ASR-2",
        status="PDNG",
    ),
    OutgoingCredit(
        amount=Money.parse("12.50", "EUR"),
        booking_date=date(2026, 3, 4),
        rf=rf.create("100234"),
        account_servicer_ref="ASR-3",
        reversal=True,
    ),
]


def _round_trip(writer, version: str, **options):
    out = io.BytesIO()
    count = writer(CREDITS, out, version=version, account_iban=ACCOUNT, message_id="M-1", **options)
    assert count == len(CREDITS)
    out.seek(0)
    return list(parse_camt(out))


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
@pytest.mark.parametrize("writer", [write_camt054, write_camt053])
def test_every_version_written_is_read_back_unchanged(writer, version):
    first, text_only, reversal = _round_trip(writer, version)
    assert first.key == f"{ACCOUNT}/asr:ASR-1"
    assert first.amount == CREDITS[0].amount
    assert (first.booking_date, first.value_date) == (date(2026, 3, 2), date(2026, 3, 3))
    assert first.rf == "RF83100234"
    assert (first.debtor_name, first.debtor_iban, first.debtor_agent_bic) == (
        "Jan Kowalski",
        "PL61109010140000071219812874",
        "BPKOPLPWXXX",
    )
    assert (first.end_to_end_id, first.entry_ref, first.status) == ("E2E-1", "N-1", "BOOK")
    assert text_only.rf == "RF18539007547034" and text_only.status == "PDNG"
    assert text_only.amount == Money.parse("7.00", "EUR")
    assert reversal.reversal and not reversal.credit
    assert all(e.ok for e in (first, text_only, reversal))


def test_statement_with_balances_is_read_and_counted():
    out = io.BytesIO()
    write_camt053(
        CREDITS,
        out,
        account_iban=ACCOUNT,
        message_id="S-1",
        balances=[Balance("OPBD", Money.parse("100", "EUR"), date(2026, 3, 1))],
    )
    out.seek(0)
    summary = check_file(out)
    assert (summary.kind, summary.entries, summary.message_id) == ("camt.053", 3, "S-1")


def test_many_entries_are_read_across_chunks_with_unique_keys():
    many = (
        OutgoingCredit(
            amount=Money.from_minor(100 + i, "EUR"),
            booking_date=date(2026, 3, 2),
            rf=rf.create(str(500000 + i)),
            account_servicer_ref=f"A{i}",
        )
        for i in range(4500)
    )
    out = io.BytesIO()
    write_camt054(many, out, account_iban=ACCOUNT, message_id="BIG")
    out.seek(0)
    read = list(parse_camt(out))
    assert len(read) == 4500
    assert len({e.key for e in read}) == 4500
    assert read[4499].amount == Money.from_minor(4599, "EUR")
    assert read[2000].rf == rf.create("502000")


def test_unknown_version_is_refused_by_the_writer():
    with pytest.raises(InvalidInput):
        write_camt054([], io.BytesIO(), version="001.01", account_iban=ACCOUNT, message_id="M")
