"""On SQLite a long import commits in steps: other writers get in between, and a file cut
short keeps its committed steps and completes when imported again."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from paydesk.bank import camt, importer
from paydesk.bank.camt import InvalidBankFile
from paydesk.bank.importer import import_file
from paydesk.bank.models import BankEntry, BankFile
from paydesk.payments.invariants import violations
from tests.bank.test_importer import camt054, code, credit


@pytest.fixture
def sqlite_only(db):
    if db.dialect != "sqlite":
        pytest.skip("PostgreSQL imports a file in one transaction; its writers lock rows")
    return db


def _credits(rf: str, n: int, tag: str):
    return [credit(rf, "1.00", f"{tag}{i}") for i in range(n)]


def test_a_desk_write_gets_in_between_the_steps_of_a_long_import(sqlite_only, world, monkeypatch):
    db = sqlite_only
    monkeypatch.setattr(importer, "SQLITE_STEP", 20)
    between, written = threading.Event(), threading.Event()
    steps: list[int] = []

    def progress(n: int) -> None:
        steps.append(n)
        if len(steps) == 1:
            between.set()
            # The import waits here, after its first step's commit, until another writer
            # got its transaction through: it would never come if the import held the lock.
            assert written.wait(60), "no other writer got in between the import's steps"

    result: dict[str, object] = {}

    def run() -> None:
        try:
            result["summary"] = import_file(
                db,
                camt054(*_credits(world["open"], 100, "S")),
                name="s",
                origin="cli",
                actor="t",
                progress=progress,
            )
        except BaseException as error:  # shown by the assertion below
            result["error"] = error

    worker = threading.Thread(target=run)
    worker.start()
    assert between.wait(60)
    with db.transaction() as session:  # a desk payment's transaction, meanwhile
        record = session.scalars(select(BankFile)).one()
        assert record.status == "importing" and record.entries == 20
    written.set()
    worker.join(120)
    assert "error" not in result, result.get("error")
    assert steps == [20] * 5
    with db.reading() as session:
        record = session.scalars(select(BankFile)).one()
        assert (record.status, record.entries, record.matched) == ("imported", 100, 100)
    assert code(db, world["open"]).paid_minor == 100 * 100


def test_a_file_malformed_after_its_first_steps_keeps_them_and_completes_when_fixed(
    sqlite_only, world, monkeypatch
):
    db = sqlite_only
    monkeypatch.setattr(importer, "SQLITE_STEP", 100)
    monkeypatch.setattr(camt, "CHUNK", 100)  # the parser hands entries on in hundreds too
    good = camt054(*_credits(world["open"], 400, "M"))
    # Cut the file inside its 301st entry: well-formed up to there (past the parser's first
    # read), then broken.
    cut = good.index(b"<Ntry>", good.index(b"M300"))
    broken = good[:cut] + b"<Ntry><Amt Ccy='EUR'>1.00</Amt></Oops>"
    with pytest.raises(InvalidBankFile):
        import_file(db, broken, name="broken", origin="cli", actor="t")
    with db.reading() as session:
        failed = session.scalars(select(BankFile)).one()
        stored = session.scalar(select(func.count()).select_from(BankEntry))
        assert failed.status == "failed" and "were imported" in failed.error
        assert failed.entries == stored and stored in (100, 200, 300)
        assert violations(session) == []
    again = import_file(db, good, name="fixed", origin="cli", actor="t")
    assert (again.duplicates, again.matched) == (stored, 400 - stored)
    assert code(db, world["open"]).paid_minor == 400 * 100
    with db.reading() as session:
        assert violations(session) == []
