"""A large bank file parsed by a process of its own: the same entries and errors as the
in-process parse, no process left over, and an import through it the same as without."""

from __future__ import annotations

import io
import os
import pickle
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from paydesk.bank import importer
from paydesk.bank.camt import EntryRules, InvalidBankFile, parse_camt
from paydesk.bank.importer import import_file
from paydesk.bank.models import BankEntry
from paydesk.bank.parser_process import (
    _HEAD,
    Descriptor,
    ParserStopped,
    _frames,
    entries_in_process,
)
from paydesk.codes.models import CodePayment, PaymentCode
from tests.bank.test_importer import camt054, credit


def _children() -> set[int]:
    """Process ids of this process's children (Linux)."""
    found: set[int] = set()
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as listing:
            found.update(int(pid) for pid in listing.read().split())
    return found


def _parsers() -> set[int]:
    parsers = set()
    for pid in _children():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if b"paydesk.bank.parser_process" in cmdline.read():
                    parsers.add(pid)
        except FileNotFoundError:
            continue
    return parsers


def _file(tmp_path: Path, count: int, *, cut: int | None = None) -> Path:
    data = camt054(*(credit(None, f"{10 + i}.25", f"R-{i}") for i in range(count)))
    path = tmp_path / "camt054.xml"
    path.write_bytes(data if cut is None else data[:cut])
    return path


def test_same_entries_in_the_same_chunks(tmp_path: Path) -> None:
    path = _file(tmp_path, 25)
    chunks = list(entries_in_process(path, 10))
    assert [len(chunk) for chunk in chunks] == [10, 10, 5]
    assert [entry for chunk in chunks for entry in chunk] == list(parse_camt(path))
    assert _parsers() == set()


def test_the_installation_rules_apply_in_the_parser_process(tmp_path: Path) -> None:
    path = _file(tmp_path, 4)
    rules = EntryRules(accounts=frozenset({"GR9608100010000001234567890"}), days_back=1)
    (chunk,) = entries_in_process(path, 10, rules=rules)
    assert chunk == list(parse_camt(path, rules=rules))
    assert all(entry.problems for entry in chunk)  # another account than the business's


def test_an_error_of_the_file_comes_after_the_chunks_before_it(tmp_path: Path) -> None:
    whole = _file(tmp_path, 30).read_bytes()
    path = _file(tmp_path, 30, cut=len(whole) * 2 // 3)
    with pytest.raises(InvalidBankFile) as in_process:
        taken = []
        for chunk in entries_in_process(path, 5):
            taken.extend(chunk)
    before = []
    with pytest.raises(InvalidBankFile) as here:
        for entry in parse_camt(path):
            before.append(entry)
    assert type(in_process.value) is type(here.value)
    assert in_process.value.code == here.value.code
    assert in_process.value.detail == here.value.detail
    assert in_process.value.extra == here.value.extra
    assert taken == before[: len(before) // 5 * 5]
    assert _parsers() == set()


def test_leaving_early_stops_the_parser(tmp_path: Path) -> None:
    path = _file(tmp_path, 400)
    chunks = entries_in_process(path, 10)
    assert len(next(chunks)) == 10
    assert len(_parsers()) == 1
    chunks.close()
    assert _parsers() == set()


def test_a_parser_that_dies_is_an_error_not_a_short_file(tmp_path: Path) -> None:
    path = _file(tmp_path, 2000)
    chunks = entries_in_process(path, 10, depth=1)
    next(chunks)
    (parser,) = _parsers()
    os.kill(parser, 9)
    deadline = time.monotonic() + 10
    with pytest.raises(RuntimeError, match="parser stopped"):
        while time.monotonic() < deadline:
            next(chunks)
    assert _parsers() == set()


def _recording(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The sources the importer hands to the parser process, which it still runs."""
    used: list[object] = []

    def recorded(source, *args, **kwargs):
        used.append(source)
        return entries_in_process(source, *args, **kwargs)

    monkeypatch.setattr(importer, "entries_in_process", recorded)
    monkeypatch.setattr(importer, "IN_PROCESS_BYTES", 0)
    return used


def test_an_import_through_the_parser_process_is_the_same(
    db, world, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite a large file goes through the parser process; on PostgreSQL through the
    thread (the server does the writes: a process would only cost). The same either way."""
    credits = [credit(world["open"], "10.00", f"R-{i}") for i in range(7)]
    credits.append(credit(None, "3.00", "R-unknown"))
    path = tmp_path / "camt054.xml"
    path.write_bytes(camt054(*credits))
    used = _recording(monkeypatch)
    monkeypatch.setattr(importer, "SQLITE_STEP", 3)
    monkeypatch.setattr(importer, "CHUNK", 3)
    summary = import_file(db, path, name="big.xml", origin="cli", actor="t")
    assert summary.counts()["matched"] == 7 and summary.counts()["unmatched"] == 1
    with db.reading() as session:
        code = session.scalars(select(PaymentCode).where(PaymentCode.rf == world["open"])).one()
        assert code.paid_minor == 7000 and code.status == "partially_paid"
        paid = session.scalars(select(CodePayment).where(CodePayment.code_id == code.id)).all()
        assert len(paid) == 7
        stored = session.execute(
            select(BankEntry.account_servicer_ref, BankEntry.amount_minor, BankEntry.status)
        ).all()
    reported = [(e.account_servicer_ref, e.amount.minor, e.rf) for e in parse_camt(path)]
    assert sorted(stored) == sorted(
        (ref, minor, "matched" if rf else "unmatched") for ref, minor, rf in reported
    )
    again = import_file(db, path, name="big.xml", origin="cli", actor="t")
    assert again.counts()["duplicates"] == 8
    assert used == ([path, path] if db.dialect == "sqlite" else [])
    assert _parsers() == set()


def test_a_chunk_cut_short_by_the_parser_dying_is_an_error() -> None:
    frame = pickle.dumps([("row",)])
    whole = _HEAD.pack(b"c", len(frame)) + frame
    frames = _frames(io.BytesIO(whole[:-3]))
    with pytest.raises(ParserStopped, match="middle of a chunk"):
        next(frames)
    assert list(_frames(io.BytesIO(whole + _HEAD.pack(b"e", 0)))) == [(b"c", frame), (b"e", b"")]


def test_an_open_file_is_read_from_its_start_without_moving_its_position(tmp_path: Path) -> None:
    data = _file(tmp_path, 12).read_bytes()
    with tempfile.TemporaryFile() as spooled:
        spooled.write(b"<!-- before the file -->" + data)
        spooled.seek(7)
        chunks = list(entries_in_process(Descriptor(spooled.fileno(), 24), 5))
        assert spooled.tell() == 7
    assert [entry for chunk in chunks for entry in chunk] == list(parse_camt(io.BytesIO(data)))


def test_an_upload_spooled_to_disk_is_imported_through_the_parser_process(
    db, world, monkeypatch: pytest.MonkeyPatch
) -> None:
    used = _recording(monkeypatch)
    data = camt054(*(credit(world["open"], "5.00", f"U-{i}") for i in range(4)))
    with tempfile.TemporaryFile() as upload:
        upload.write(b"xx" + data)
        upload.seek(2)
        summary = import_file(db, upload, name="upload.xml", origin="api", actor="t")
    assert [type(source) for source in used] == ([Descriptor] if db.dialect == "sqlite" else [])
    assert summary.counts()["matched"] == 4
    with db.reading() as session:
        code = session.scalars(select(PaymentCode).where(PaymentCode.rf == world["open"])).one()
        assert code.paid_minor == 2000
    in_memory = import_file(db, data, name="again.xml", origin="api", actor="t")
    assert in_memory.counts()["duplicates"] == 4
    assert len(used) == (1 if db.dialect == "sqlite" else 0)  # bytes: the thread
