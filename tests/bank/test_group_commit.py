"""Group commit of pushed documents: documents that arrive together are imported in one
transaction through the one pipeline, each answered with its own summary once committed."""

from __future__ import annotations

import asyncio
import threading

from sqlalchemy import func, select

from paydesk.bank import camt
from paydesk.bank.group_commit import GroupImporter
from paydesk.bank.importer import Document, ImportSummary, import_documents
from paydesk.bank.models import BankEntry, BankFile
from paydesk.payments.models import Payment
from tests.bank.test_importer import camt054, code, credit

SOURCE = {"source": "push", "actor": "t"}


def _count(db, model, *where) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_documents_imported_together_each_get_their_own_file_and_summary(db, settings, world):
    documents = [
        Document(camt054(credit(world["open"], "100.00", "A1")), "push", "bank-a"),
        Document(camt054(credit(world["open"], "50.00", "B1")), "push", "bank-b"),
        Document(camt054(credit("RF00NOTACODE", "5.00", "C1")), "push", "bank-c"),
    ]
    results = import_documents(db, settings, documents)
    assert [(r.matched, r.unmatched, r.entries) for r in results] == [
        (1, 0, 1),
        (1, 0, 1),
        (0, 1, 1),
    ]
    assert len({r.file_id for r in results}) == 3
    assert code(db, world["open"]).paid_minor == 15_000
    with db.reading() as session:
        files = {f.id: f for f in session.scalars(select(BankFile))}
        entries = list(session.scalars(select(BankEntry).order_by(BankEntry.id)))
    assert [files[r.file_id].imported_by for r in results] == ["bank-a", "bank-b", "bank-c"]
    assert [(files[r.file_id].status, files[r.file_id].matched) for r in results] == [
        ("imported", 1),
        ("imported", 1),
        ("imported", 0),
    ]
    assert [e.file_id for e in entries] == [r.file_id for r in results]


def test_the_same_document_twice_in_one_group_posts_once(db, settings, world):
    data = camt054(credit(world["fixed"], "45.90", "R1"))
    first, second = import_documents(
        db, settings, [Document(data, "push", "t"), Document(data, "push", "t")]
    )
    assert (first.matched, first.duplicates, second.matched, second.duplicates) == (1, 0, 0, 1)
    assert _count(db, Payment) == 1
    assert code(db, world["fixed"]).status == "paid"


def test_a_document_that_is_not_camt_is_refused_alone(db, settings, world):
    good = camt054(credit(world["open"], "10.00", "G1"))
    results = import_documents(
        db, settings, [Document(b"<not camt", "push", "t"), Document(good, "push", "t")]
    )
    assert isinstance(results[0], camt.InvalidBankFile)
    assert isinstance(results[1], ImportSummary) and results[1].matched == 1
    assert _count(db, BankFile, BankFile.status == "failed") == 1
    assert code(db, world["open"]).paid_minor == 1_000


def test_pushes_waiting_while_an_import_runs_are_taken_as_one_group(
    db, settings, world, monkeypatch
):
    importer = GroupImporter(db, settings)
    block = threading.Event()
    entered = threading.Event()
    blocking = camt054(credit(world["open"], "1.00", "FIRST"))
    original = import_documents

    def slow(db_, settings_, documents):  # hold the first group until the others queue up
        if documents[0].data == blocking:
            entered.set()
            block.wait(30)
        return original(db_, settings_, documents)

    monkeypatch.setattr("paydesk.bank.group_commit.import_documents", slow)
    answers: dict[int, ImportSummary] = {}

    def push(n: int, data: bytes) -> None:
        answers[n] = importer.submit(data, source="push", actor="t")

    first = threading.Thread(target=push, args=(0, blocking))
    first.start()
    assert entered.wait(30)
    others = [
        threading.Thread(target=push, args=(n, camt054(credit(world["open"], "1.00", f"N{n}"))))
        for n in range(1, 11)
    ]
    for thread in others:
        thread.start()
    while importer._queue.qsize() < 10:  # every later push waits for the running import
        threading.Event().wait(0.01)
    assert 0 not in answers  # not answered before its commit
    block.set()
    for thread in [first, *others]:
        thread.join(30)
    assert importer.groups == 2
    assert sorted(answers) == list(range(11))
    assert all(a.matched == 1 for a in answers.values())
    assert code(db, world["open"]).paid_minor == 1_100
    assert _count(db, Payment) == 11


def test_an_awaited_push_whose_caller_left_before_its_import_is_left_out(
    db, settings, world, monkeypatch
):
    importer = GroupImporter(db, settings)
    block = threading.Event()
    entered = threading.Event()
    blocking = camt054(credit(world["open"], "1.00", "HOLD"))
    original = import_documents

    def slow(db_, settings_, documents):
        if documents[0].data == blocking:
            entered.set()
            block.wait(30)
        return original(db_, settings_, documents)

    monkeypatch.setattr("paydesk.bank.group_commit.import_documents", slow)
    held = threading.Thread(target=importer.submit, args=(blocking,), kwargs=SOURCE)
    held.start()
    assert entered.wait(30)

    async def pushes() -> tuple[ImportSummary, bool]:
        left = asyncio.ensure_future(
            importer.submitted(camt054(credit(world["open"], "2.00", "GONE")), **SOURCE)
        )
        stays = asyncio.ensure_future(
            importer.submitted(camt054(credit(world["open"], "3.00", "STAY")), **SOURCE)
        )
        while importer._queue.qsize() < 2:
            await asyncio.sleep(0.01)
        left.cancel()  # the bank hung up while the running import held its document
        await asyncio.sleep(0)
        block.set()
        return await stays, left.cancelled()

    stayed, cancelled = asyncio.run(pushes())
    held.join(30)
    assert cancelled and stayed.matched == 1
    # Its document was not imported (the bank, unanswered, sends it again) and the importer
    # still answers the next push.
    again = importer.submit(camt054(credit(world["open"], "2.00", "GONE")), **SOURCE)
    assert again.matched == 1 and again.duplicates == 0
    assert code(db, world["open"]).paid_minor == 600
    assert _count(db, Payment) == 3


def test_pushes_back_to_back_are_gathered_into_one_group(db, settings, world):
    importer = GroupImporter(db, settings, gather_seconds=2.0)
    first = importer.submit(camt054(credit(world["open"], "1.00", "Q1")), **SOURCE)
    assert first.matched == 1 and importer.groups == 1  # after a quiet spell: at once
    answers: dict[str, ImportSummary] = {}

    def push(ref: str) -> None:
        answers[ref] = importer.submit(camt054(credit(world["open"], "1.00", ref)), **SOURCE)

    # Right after a group: the next one waits for company, so these three travel together.
    threads = [threading.Thread(target=push, args=(f"B{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
        threading.Event().wait(0.05)
    for thread in threads:
        thread.join(30)
    assert importer.groups == 2
    assert sorted(answers) == ["B0", "B1", "B2"]
    assert all(a.matched == 1 for a in answers.values())
    assert code(db, world["open"]).paid_minor == 400
