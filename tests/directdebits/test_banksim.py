"""The bank simulator as the business's bank for direct debits: takes pain.008 files, settles
them on their collection date, and returns what its documented rules refuse."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from paydesk.bank.camt import parse_camt
from paydesk.banksim.app import create_app
from paydesk.banksim.config import BankSimSettings
from paydesk.directdebits import pain002, pain008

DAY = date.today() + timedelta(days=3)
GOOD, CLOSED, BAD_DIGITS, REVOKED = (
    "DE89370400440532013000",
    "FR1420041010050500013M02606",
    "DE00370400440532013000",
    "GR1601101250000000012300695",
)


@pytest.fixture
def bank(tmp_path):
    with TestClient(create_app(BankSimSettings(data_dir=str(tmp_path / "sim")))) as client:
        yield client


def _file(message_id: str = "PD-DD-1") -> bytes:
    def tx(n: int, iban: str) -> pain008.Transaction:
        return pain008.Transaction(
            f"E2E{n}",
            1000 * n,
            "EUR",
            f"M{n}",
            date(2026, 11, 1),
            f"Payer {n}",
            iban,
            "FRST",
            DAY,
        )

    return pain008.write(
        [tx(1, GOOD), tx(2, CLOSED), tx(3, BAD_DIGITS), tx(4, REVOKED)],
        creditor=pain008.Creditor("Shop", "GR9601401010101002320015006", "DE98ZZZ09999999999"),
        message_id=message_id,
        created_at=datetime(2026, 11, 30, 9),
    )


def _entries(bank, after: int = 0):
    feed = bank.get("/api/feed", params={"after": after}).json()
    return [[e for e in parse_camt(io.BytesIO(item["document"].encode()))] for item in feed]


def test_collections_settle_on_their_date_and_refused_ones_come_back_with_the_reason(bank):
    rules = (
        {"iban": CLOSED, "reason": "AC04"},
        {"mandate_id": "M4", "reason": "MD01", "before_settlement": True},
    )
    for rule in rules:
        assert bank.post("/api/direct-debits/rules", json=rule).status_code == 201
    taken = bank.post("/api/direct-debits", content=_file())
    assert taken.status_code == 201 and taken.json()["collections"] == 4
    assert bank.post("/api/direct-debits", content=_file()).status_code == 201  # adds nothing
    # Rejected at once, before settlement: one pain.002 on the feed.
    [item] = bank.get("/api/feed").json()
    report = pain002.parse(item["document"].encode())
    assert report.original_message_id == "PD-DD-1"
    assert [(r.end_to_end_id, r.code) for r in report.rejects] == [
        ("E2E3", "AC01"),
        ("E2E4", "MD01"),
    ]
    settled = bank.post("/api/direct-debits/settle", json={"on": DAY.isoformat()}).json()
    assert (settled["booked"], settled["returned"]) == (2, 1)
    booked, returned = _entries(bank, after=int(item["cursor"]))
    assert [(e.end_to_end_id, e.mandate_id, e.credit, e.return_code) for e in booked] == [
        ("E2E1", "M1", True, None),
        ("E2E2", "M2", True, None),
    ]
    assert all(e.ok and e.booking_date == DAY for e in booked)
    assert [(e.end_to_end_id, e.credit, e.return_code) for e in returned] == [
        ("E2E2", False, "AC04"),
    ]
    again = bank.post("/api/direct-debits/settle", json={"on": DAY.isoformat()}).json()
    assert (again["booked"], again["cursors"]) == (0, [])


def test_a_file_that_is_not_a_valid_pain008_is_refused(bank):
    refused = bank.post("/api/direct-debits", content=b"<Document/>")
    assert refused.status_code == 422 and refused.json()["status"] == "refused"
    broken = _file().replace(b"<NbOfTxs>4</NbOfTxs>", b"<NbOfTxs>four</NbOfTxs>", 1)
    assert bank.post("/api/direct-debits", content=broken).status_code == 422
