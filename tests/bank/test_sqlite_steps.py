"""On SQLite a long import commits in steps: other writers get in between, and a file cut
short keeps its committed steps and completes when imported again."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from paydesk.accounts.models import Contract
from paydesk.bank import camt, importer
from paydesk.bank.camt import InvalidBankFile
from paydesk.bank.importer import import_file
from paydesk.bank.models import BankEntry, BankFile
from paydesk.ledger.models import LedgerEntry
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


def _posted(db, account_id: int) -> dict[str, int]:
    """What the account's payments put on each contract, by contract type."""
    with db.reading() as session:
        rows = session.execute(
            select(Contract.contract_type, func.sum(LedgerEntry.amount_minor))
            .join(Contract, Contract.id == LedgerEntry.contract_id)
            .where(LedgerEntry.account_id == account_id, LedgerEntry.kind == "payment")
            .group_by(Contract.contract_type)
        )
        return {kind: -int(total) for kind, total in rows}


@pytest.mark.parametrize("writer", ["another thread", "the same thread"])
def test_a_step_plans_with_what_another_writer_posted_after_the_step_before(
    sqlite_only, world, monkeypatch, writer
):
    """Each step distributes over the debts as they are when it begins: a payment another
    writer posted between two steps counts (the import keeps an account's debts from one step
    to the next only while nobody else wrote)."""
    db = sqlite_only
    monkeypatch.setattr(importer, "SQLITE_STEP", 1)
    done: list[int] = []

    def pay_the_rest_of_the_order() -> None:
        import_file(
            db, camt054(credit(world["open"], "700.00", "W1")), name="w", origin="cli", actor="t"
        )

    def progress(n: int) -> None:
        done.append(n)
        if len(done) == 1:  # after the first step's commit
            if writer == "the same thread":
                pay_the_rest_of_the_order()
            else:
                other = threading.Thread(target=pay_the_rest_of_the_order)
                other.start()
                other.join(60)

    file = camt054(credit(world["open"], "300.00", "S1"), credit(world["open"], "800.00", "S2"))
    summary = import_file(db, file, name="s", origin="cli", actor="t", progress=progress)
    assert (summary.matched, done) == (2, [1, 1])
    # 300 + 700 paid the order's 1 000; the 800 after them found it paid: all of it is excess.
    assert _posted(db, world["account_id"]) == {"sales": 100000, "excess": 80000}
    with db.reading() as session:
        assert violations(session) == []


def test_steps_in_a_row_plan_as_one_import_would(sqlite_only, world, monkeypatch):
    """Debts kept from one step to the next give what reading them again gives."""
    db = sqlite_only
    amounts = ["250.00", "500.00", "400.00", "100.00"]
    monkeypatch.setattr(importer, "SQLITE_STEP", 1)
    file = camt054(*(credit(world["open"], a, f"K{i}") for i, a in enumerate(amounts)))
    assert import_file(db, file, name="k", origin="cli", actor="t").matched == 4
    assert _posted(db, world["account_id"]) == {"sales": 100000, "excess": 25000}
