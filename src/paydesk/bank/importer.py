"""Import camt.053/054 files: parse as a stream, drop duplicates, match RF codes, post payments.

On PostgreSQL one file is one database transaction: a file that turns out malformed half-way
posts nothing (the parser raises :class:`~paydesk.bank.camt.InvalidBankFile`, the transaction
rolls back and the failure is recorded on its own). On SQLite, whose one write lock would
otherwise keep every other writer waiting for the whole file, a file commits every
:data:`SQLITE_STEP` entries (see :func:`_import_in_steps`). Within a step, entries are handled
with a few set-based statements each — duplicate check, code lookup, the one payment writer —
so the cost per entry is a few microseconds of SQL, not a round trip.

What happens to each transaction the file reports:

* booked credit with a payable RF → **matched**: posted as a frozen payment on the code;
* booked credit that cannot be matched → **unmatched**, held with its reason for a person;
* reversal of an earlier matched credit → **reversal**; the payment is cancelled by reversing
  ledger entries, the code's paid amount and status go back, the original becomes **reversed**;
* entry the parser could not read (no amount, bad currency …) → **rejected**, stored with the
  reason, nothing posted: the rest of the file still imports (a bank file is not all-or-nothing
  for one bad entry; a file that is not well-formed is);
* pending / information entries and debits → **ignored** (counted, not stored: a pending entry
  comes again booked, with the same key);
* an entry whose key was imported before → **duplicate**, counted, nothing changes.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import BinaryIO

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from paydesk.accounts.service import lock_accounts
from paydesk.audit import trail
from paydesk.bank import camt
from paydesk.bank.banks import bank_name
from paydesk.bank.credits import credit_intake
from paydesk.bank.matching import decide
from paydesk.bank.models import FILE_COUNTS, BankEntry, BankFile
from paydesk.bank.parser_process import (
    IN_PROCESS_BYTES,
    Descriptor,
    FileOnDisk,
    entries_in_process,
)
from paydesk.bank.read_ahead import read_ahead
from paydesk.bank.remittance import rf_cuts
from paydesk.bank.set_aside import is_outage
from paydesk.codes.service import code_states
from paydesk.codes.status import CodeState
from paydesk.collection import fewer_collections
from paydesk.db.base import utcnow
from paydesk.db.bulk import allocate_ids, among_param, insert_rows, update_rows
from paydesk.db.engine import Database
from paydesk.directdebits import pain002
from paydesk.directdebits import service as direct_debits
from paydesk.directdebits.service import ReturnRules
from paydesk.payments import events
from paydesk.payments import service as money_in
from paydesk.payments.debts import AccountDebts
from paydesk.payments.models import Payment, Tender
from paydesk.payments.plan import Policy
from paydesk.settings import Settings
from paydesk.webhooks import outbox

CHUNK = 5000
#: Entries an import on SQLite commits at a time (about half a second of work), so that other
#: writers — a desk payment — wait for one step, never for a whole file.
SQLITE_STEP = 2000
#: Times a file is imported before a race with concurrent imports is given up.
RACE_ATTEMPTS = 5

log = logging.getLogger(__name__)


@dataclass
class ImportSummary:
    """What one import did; also stored on its :class:`BankFile` row."""

    name: str
    file_id: int | None = None
    kind: str | None = None
    version: str | None = None
    entries: int = 0
    matched: int = 0
    unmatched: int = 0
    duplicates: int = 0
    reversed: int = 0
    rejected: int = 0
    ignored: int = 0
    #: Direct-debit collections the bank booked, and returned (see :mod:`paydesk.directdebits`).
    collected: int = 0
    returned: int = 0
    #: False when nobody listens (no webhook subscription): events are then not even built.
    listening: bool = True

    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in FILE_COUNTS}


Source = str | os.PathLike[str] | bytes | BinaryIO
Events = list[tuple[str, dict[str, object]]]
Publisher = Callable[[Session, Events], None]


def publish_webhooks(session: Session, events: Events) -> None:
    """Queue the events for webhook subscribers in the import's transaction (outbox)."""
    outbox.emit_many(session, events)  # type: ignore[arg-type]


def entry_rules(settings: Settings) -> camt.EntryRules:
    """The installation's rules for entries: its own accounts and the window of dates."""
    return camt.EntryRules(
        accounts=frozenset(settings.business_accounts),
        days_ahead=settings.bank_entry_days_ahead,
        days_back=settings.bank_entry_days_back,
    )


def _digest(source: Source) -> str:
    if isinstance(source, bytes):
        return hashlib.sha256(source).hexdigest()
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    position = source.tell()
    digest = hashlib.file_digest(source, "sha256").hexdigest()
    source.seek(position)
    return digest


def import_file(
    db: Database,
    source: Source,
    *,
    name: str,
    origin: str,
    actor: str,
    max_bytes: int = camt.DEFAULT_MAX_BYTES,
    progress: Callable[[int], None] | None = None,
    publish: Publisher = publish_webhooks,
    policy: Policy | None = None,
    rules: camt.EntryRules | None = None,
    returns: ReturnRules | None = None,
) -> ImportSummary:
    """Import one camt file (path, bytes or binary stream). Raises ``InvalidBankFile``.

    ``policy`` is the distribution policy of the settings (:func:`~paydesk.payments.service.
    policy_of`); the default is the settings' default. ``rules`` (see :func:`entry_rules`) say
    which accounts and dates an entry may have; without them every account is taken and dates
    keep to the parser's default window. ``returns`` (:meth:`ReturnRules.of` the settings)
    say what a returned direct debit costs the payer; the default is the settings' default.

    Two imports of the same entries at once (a bank pushing a document twice, the same file
    uploaded twice) race for the entries' keys: the loser's transaction is rolled back and the
    file imported again from its start, when the winner's entries count as duplicates."""
    digest = _digest(source)
    start = None if isinstance(source, bytes | str | os.PathLike) else source.tell()
    for attempt in range(1, RACE_ATTEMPTS + 1):
        if start is not None:
            source.seek(start)  # type: ignore[union-attr]
        stream = io.BytesIO(source) if isinstance(source, bytes) else source
        try:
            job = _Job(
                db,
                stream,
                name,
                origin,
                actor,
                max_bytes,
                progress,
                publish,
                policy,
                rules,
                digest,
                returns or ReturnRules(),
                start or 0,
            )
            with fewer_collections():
                return _import_once(job)
        except Exception as error:
            if attempt == RACE_ATTEMPTS or not lost_race(error):
                raise
            log.info("import of %s lost a race with another import; again (%s)", name, error)
    raise AssertionError("unreachable")


def lost_race(error: BaseException) -> bool:
    """True when ``error`` is a transaction lost to a concurrent one: a unique key another
    transaction took first, a deadlock or a serialization failure. Trying again resolves it."""
    original = getattr(error, "orig", None) or error
    if getattr(original, "sqlstate", None) in ("23505", "40P01", "40001"):
        return True
    return isinstance(original, sqlite3.IntegrityError) and "UNIQUE" in str(original)


@dataclass(frozen=True)
class _Job:
    """One import: the file and how to import it."""

    db: Database
    stream: str | os.PathLike[str] | BinaryIO
    name: str
    origin: str
    actor: str
    max_bytes: int
    progress: Callable[[int], None] | None
    publish: Publisher
    policy: Policy | None
    rules: camt.EntryRules | None
    digest: str
    returns: ReturnRules
    #: Where the file begins in ``stream`` (a file object).
    start: int = 0


def _on_disk(job: _Job) -> FileOnDisk | None:
    """The job's file as the parser process can read it — a path, or the descriptor of an
    uploaded file spooled to disk — when a process is worth it: a large file, on SQLite.

    On PostgreSQL the server writes in a process of its own, and the importer's thread does not
    give Python's lock up for every row: there the parsing thread costs the writes nothing, and
    a parser process would only add the pipe's work on the same cores (measured 2–3% slower)."""
    if job.db.dialect != "sqlite":
        return None
    stream = job.stream
    if isinstance(stream, str | os.PathLike):
        return stream if os.path.getsize(stream) >= IN_PROCESS_BYTES else None
    try:
        here = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(here)
        if end - job.start < IN_PROCESS_BYTES:
            return None
        return Descriptor(stream.fileno(), job.start)
    except (OSError, ValueError):  # io.UnsupportedOperation: in memory, or not seekable
        return None


def _chunks(job: _Job, opened: camt.CamtFile, size: int) -> Iterator[list[camt.ReportedEntry]]:
    """The file's entries in lists of ``size``, read ahead of the import: by a process of its
    own for a large file on disk on SQLite, by a thread otherwise
    (:mod:`paydesk.bank.parser_process`)."""
    source = _on_disk(job)
    if source is not None:
        return entries_in_process(source, size, max_bytes=job.max_bytes, rules=job.rules)
    return read_ahead(opened.entries(), size)


def _import_once(job: _Job) -> ImportSummary:
    if job.db.dialect == "sqlite":
        return _import_in_steps(job)
    summary = ImportSummary(name=job.name)
    try:
        with job.db.transaction() as session:
            opened = camt.open_camt(job.stream, max_bytes=job.max_bytes, rules=job.rules)
            summary.kind, summary.version = opened.kind, opened.version
            record = _new_record(job, opened, "imported")
            session.add(record)
            session.flush()
            summary.file_id = record.id
            summary.listening = job.publish is not publish_webhooks or outbox.has_subscribers(
                session
            )
            with closing(_chunks(job, opened, CHUNK)) as chunks:
                for chunk in chunks:
                    _import_chunk(session, record.id, chunk, summary, job)
                    if job.progress:
                        job.progress(len(chunk))
            for key, value in summary.counts().items():
                setattr(record, key, value)
    except camt.InvalidBankFile as error:
        _failed(job, error)
        raise
    return summary


def refusal(error: camt.InvalidBankFile, **more: object) -> dict[str, object]:
    """A refused file's refusal as stored on its row: the code and the parameters that are text
    or whole numbers (``more`` adds to it)."""
    params = {k: v for k, v in error.extra.items() if isinstance(v, str | int)}
    return {"code": error.code, "params": params, **more}


def _failed(job: _Job, error: camt.InvalidBankFile) -> None:
    """Record a file refused before any of it was imported."""
    with job.db.transaction() as session:
        session.add(
            BankFile(
                name=job.name[:300],
                sha256=job.digest,
                source=job.origin,
                status="failed",
                error=error.detail,
                refusal=refusal(error),
                imported_by=job.actor,
            )
        )


#: Columns of a new file row, in the order :func:`_file_row` fills them; the counts start at 0
#: and are set once the import knows them.
FILE_COLUMNS = (
    "name",
    "sha256",
    "kind",
    "version",
    "message_id",
    "source",
    "status",
    "imported_by",
    "created_at",
    *FILE_COUNTS,
)


def _file_row(job: _Job, opened: camt.CamtFile, status: str, now: datetime) -> tuple[object, ...]:
    """A new file row, as a tuple in :data:`FILE_COLUMNS` order (written in bulk for a group
    of pushed documents; :func:`_new_record` makes the same row an ORM object)."""
    return (
        job.name[:300],
        job.digest,
        opened.kind,
        opened.version,
        opened.message_id,
        job.origin,
        status,
        job.actor,
        now,
        *(0,) * len(FILE_COUNTS),
    )


def _new_record(job: _Job, opened: camt.CamtFile, status: str) -> BankFile:
    """A new file row as an ORM object (a file imported on its own)."""
    return BankFile(
        **dict(zip(FILE_COLUMNS, _file_row(job, opened, status, utcnow()), strict=True))
    )


def _save_progress(
    session: Session,
    file_id: int,
    summary: ImportSummary,
    status: str,
    error: str | None = None,
    refused: dict[str, object] | None = None,
) -> None:
    record = session.get(BankFile, file_id)
    assert record is not None
    record.status, record.error, record.refusal = status, error, refused
    for key, value in summary.counts().items():
        setattr(record, key, value)


class _CarriedDebts:
    """The debts of the accounts an import's SQLite steps paid, as they are once committed,
    handed to the next step while nothing else wrote to the database in between.

    Reading an account's debts sums its whole ledger, so a file that pays the same accounts
    step after step would read ever longer ledgers again and again. Between two steps the write
    lock is free and another writer (a desk payment) may change what an account owes: the
    debts are kept only when the next step runs on the same connection, whose
    ``PRAGMA data_version`` says no other connection committed and whose ``total_changes``
    says nobody else wrote through it. Reading them again would give the same values."""

    #: Accounts kept at most (about a kilobyte each); beyond, the next step reads afresh.
    LIMIT = 20_000

    def __init__(self) -> None:
        self.debts: dict[int, AccountDebts] = {}
        self._seal: tuple[object, int, int] | None = None

    def begin(self, session: Session) -> dict[int, AccountDebts]:
        """The debts still true in this step's transaction (empty when anyone else wrote)."""
        raw = session.connection().connection.driver_connection
        version = raw.execute("PRAGMA data_version").fetchone()[0]
        if self._seal is None or self._seal != (raw, version, raw.total_changes):
            self.debts.clear()
        self._seal = (raw, version, -1)
        return self.debts

    def seal(self, session: Session) -> None:
        """Mark the end of this step's writes (call last in its transaction)."""
        session.flush()
        raw = session.connection().connection.driver_connection
        assert self._seal is not None and self._seal[0] is raw
        self._seal = (raw, self._seal[1], raw.total_changes)
        if len(self.debts) > self.LIMIT:
            self.debts.clear()


def _import_in_steps(job: _Job) -> ImportSummary:
    """SQLite's way: one transaction per :data:`SQLITE_STEP` entries, so the database's one
    write lock is free between them and a desk payment never waits for a whole file.

    Each step is whole (its entries, payments, codes and file counts commit together); the
    entries' keys make importing the file again harmless, so a file cut short — by a crash, or
    by XML that turns out malformed after the first steps — keeps the steps it committed, its
    row says how far it got (status ``importing`` or ``failed``), and importing it again
    completes it, the committed entries counting as duplicates."""
    summary = ImportSummary(name=job.name)
    try:
        opened = camt.open_camt(job.stream, max_bytes=job.max_bytes, rules=job.rules)
    except camt.InvalidBankFile as error:
        _failed(job, error)
        raise
    summary.kind, summary.version = opened.kind, opened.version
    with job.db.transaction() as session:
        record = _new_record(job, opened, "importing")
        session.add(record)
        session.flush()
        file_id = summary.file_id = record.id
        summary.listening = job.publish is not publish_webhooks or outbox.has_subscribers(session)
    carried = _CarriedDebts()
    with closing(_chunks(job, opened, SQLITE_STEP)) as chunks:
        while True:
            try:
                chunk = next(chunks, None)
            except camt.InvalidBankFile as error:
                with job.db.transaction() as session:
                    before = f"the {summary.entries} entries before it were imported"
                    reason = f"{error.detail} ({before})"
                    refused = refusal(error, entries_before=summary.entries)
                    _save_progress(session, file_id, summary, "failed", reason, refused)
                raise
            if chunk is None:
                break
            with job.db.transaction() as session:
                debts = carried.begin(session)
                _import_chunk(session, file_id, chunk, summary, job, debts)
                _save_progress(session, file_id, summary, "importing")
                carried.seal(session)
            if job.progress:
                job.progress(len(chunk))
    with job.db.transaction() as session:
        _save_progress(session, file_id, summary, "imported")
    return summary


def import_document(
    db: Database, settings: Settings, data: bytes, *, source: str, actor: str
) -> ImportSummary:
    """Import one camt document received from the bank gateway (feed or push); a pain.002
    status report is handed to the direct debits (its rejected collections are returned)."""
    origin = source.split(":", 1)[0]  # "feed" or "push"; a feed's URL stays in the name
    if pain002.is_status_report(data):
        summary = ImportSummary(name=f"{source} document", kind="pain.002")
        with db.transaction() as session:
            results = direct_debits.apply_status_report(
                session, data, actor=actor, returns=ReturnRules.of(settings)
            )
        summary.entries = len(results)
        summary.returned = sum(r.outcome == "returned" for r in results)
        summary.duplicates = sum(r.outcome == "duplicate" for r in results)
        return summary
    return import_file(
        db,
        data,
        name=f"{source} document",
        origin=origin,
        actor=actor,
        policy=money_in.policy_of(settings),
        rules=entry_rules(settings),
        returns=ReturnRules.of(settings),
    )


@dataclass(frozen=True)
class Document:
    """One camt document received from the bank gateway: its bytes, where from, who sent it."""

    data: bytes
    source: str
    actor: str


def import_documents(
    db: Database, settings: Settings, documents: list[Document]
) -> list[ImportSummary | Exception]:
    """Import documents that arrived together in **one transaction** (group commit).

    Each document gets its own file row and summary, as :func:`import_document` gives it; their
    entries are checked for duplicates, matched and posted together — one code lookup, one
    :func:`~paydesk.payments.service.take` through the one pipeline, one commit. The answer is
    each document's summary, or the error it alone was refused with (a document that is not
    camt is recorded as failed and takes nothing else down). A document larger than an
    SQLite step, or a group whose transaction fails for another reason than a race, is
    imported one document at a time by :func:`import_document`.
    """
    results: list[ImportSummary | Exception | None] = [None] * len(documents)
    parsed: list[tuple[int, camt.CamtFile, list[camt.ReportedEntry], str]] = []
    rules = entry_rules(settings)
    policy = money_in.policy_of(settings)
    for index, document in enumerate(documents):
        digest = hashlib.sha256(document.data).hexdigest()
        try:
            opened = camt.open_camt(io.BytesIO(document.data), rules=rules)
            entries = list(opened.entries())
        except camt.InvalidBankFile as error:
            job = _document_job(db, document, digest, policy, rules, ReturnRules.of(settings))
            _failed(job, error)
            results[index] = error
            continue
        if len(entries) > SQLITE_STEP:
            results[index] = _alone(db, settings, document)
            continue
        parsed.append((index, opened, entries, digest))
    for attempt in range(1, RACE_ATTEMPTS + 1):
        try:
            for index, summary in _import_group(
                db, documents, parsed, policy, ReturnRules.of(settings)
            ):
                results[index] = summary
            break
        except Exception as error:
            if attempt < RACE_ATTEMPTS and lost_race(error):
                log.info("a group of %d documents lost a race; again (%s)", len(parsed), error)
                continue
            if is_outage(error):  # nothing to learn by importing one at a time
                raise
            log.warning("a group of %d documents failed, one at a time now: %s", len(parsed), error)
            for index, *_ in parsed:
                results[index] = _alone(db, settings, documents[index])
            break
    return [r if r is not None else RuntimeError("not imported") for r in results]


def _alone(db: Database, settings: Settings, document: Document) -> ImportSummary | Exception:
    try:
        return import_document(
            db, settings, document.data, source=document.source, actor=document.actor
        )
    except Exception as error:  # the document's own answer
        return error


def _document_job(
    db: Database,
    document: Document,
    digest: str,
    policy: Policy,
    rules: camt.EntryRules,
    returns: ReturnRules,
) -> _Job:
    return _Job(
        db,
        io.BytesIO(document.data),
        f"{document.source} document",
        document.source.split(":", 1)[0],
        document.actor,
        camt.DEFAULT_MAX_BYTES,
        None,
        publish_webhooks,
        policy,
        rules,
        digest,
        returns,
    )


def _import_group(
    db: Database,
    documents: list[Document],
    parsed: list[tuple[int, camt.CamtFile, list[camt.ReportedEntry], str]],
    policy: Policy,
    returns: ReturnRules,
) -> list[tuple[int, ImportSummary]]:
    if not parsed:
        return []
    done: list[tuple[int, ImportSummary]] = []
    with db.transaction() as session:
        subscriptions = outbox.listeners(session)
        listening = bool(subscriptions)
        jobs: list[tuple[list[camt.ReportedEntry], _Job]] = []
        rows: list[tuple[object, ...]] = []
        now = utcnow()
        for index, opened, entries, digest in parsed:
            document = documents[index]
            job = _document_job(db, document, digest, policy, camt.EntryRules(), returns)
            rows.append(_file_row(job, opened, "imported", now))
            summary = ImportSummary(
                name=job.name, kind=opened.kind, version=opened.version, listening=listening
            )
            done.append((index, summary))
            jobs.append((entries, job))
        # The file rows as two bulk statements (insert now, counts once known), not ORM objects.
        conn = session.connection()
        table = BankFile.__table__
        file_ids = allocate_ids(conn, table, len(rows))  # type: ignore[arg-type]
        insert_rows(
            conn,
            table,  # type: ignore[arg-type]
            ("id", *FILE_COLUMNS),
            [(file_id, *row) for file_id, row in zip(file_ids, rows, strict=True)],
        )
        parts: list[_Part] = []
        for file_id, (entries, job), (_, summary) in zip(file_ids, jobs, done, strict=True):
            summary.file_id = file_id
            parts.append(_Part(file_id, entries, summary, job))
        _import_parts(
            session,
            parts,
            policy,
            lambda s, events: outbox.emit_many(s, events, subscriptions=subscriptions),  # type: ignore[arg-type]
        )
        update_rows(
            conn,
            table,  # type: ignore[arg-type]
            FILE_COUNTS,
            [
                (*summary.counts().values(), file_id)
                for file_id, (_, summary) in zip(file_ids, done, strict=True)
            ],
        )
    return done


#: Columns of a stored bank entry, in the order :func:`_row` fills them.
ENTRY_COLUMNS = (
    "key",
    "file_id",
    "account_iban",
    "booking_date",
    "value_date",
    "amount_minor",
    "currency",
    "credit",
    "reversal",
    "rf",
    "rf_candidate",
    "remittance_text",
    "debtor_name",
    "debtor_iban",
    "debtor_bic",
    "bank_name",
    "end_to_end_id",
    "account_servicer_ref",
    "status",
    "reason",
    "problems_json",
    "code_id",
    "reverses_id",
    "created_at",
)


def _row(
    entry: camt.ReportedEntry,
    file_id: int,
    status: str,
    reason: str | None,
    now: datetime,
    *,
    code_id: int | None = None,
    reverses_id: int | None = None,
    keyed: bool = True,
    rf: str | None = None,
    problems: str | None = None,
) -> tuple[object, ...]:
    """A bank entry as stored. A rejected entry is stored without its key (``keyed=False``):
    it posted nothing, so the same transaction sent again correctly must not be a duplicate;
    its ``problems`` (JSON text, :func:`_problems_json`) say why as codes."""
    amount = entry.amount
    return (
        entry.key if keyed else None,
        file_id,
        entry.account_iban,
        entry.booking_date,
        entry.value_date,
        amount.minor if amount else None,
        amount.currency if amount else None,
        entry.credit,
        entry.reversal,
        rf or entry.rf,
        None if rf or entry.rf else (entry.rf_candidate[:60] if entry.rf_candidate else None),
        entry.remittance_text,
        entry.debtor_name,
        entry.debtor_iban,
        entry.debtor_agent_bic,
        bank_name(entry.debtor_agent_bic),
        entry.end_to_end_id,
        entry.account_servicer_ref,
        status,
        reason,
        problems,
        code_id,
        reverses_id,
        now,
    )


def _problems_json(entry: camt.ReportedEntry) -> str:
    """A rejected entry's problems as stored: JSON text of their codes and parameters."""
    return json.dumps([p.stored() for p in entry.problems], ensure_ascii=False)


def _insert_entries(session: Session, rows: list[tuple[object, ...]]) -> list[int]:
    conn = session.connection()
    ids = allocate_ids(conn, BankEntry.__table__, len(rows))
    insert_rows(
        conn,
        BankEntry.__table__,
        ("id", *ENTRY_COLUMNS),
        [(entry_id, *row) for entry_id, row in zip(ids, rows, strict=True)],
    )
    return ids


def _codes_for(
    session: Session, fresh: list[camt.ReportedEntry]
) -> tuple[dict[str, CodeState], dict[int, str]]:
    """The codes the credits name, locked (their accounts first), and for credits whose RF
    is not a known code but whose free text holds one, that code (by position in ``fresh``)."""
    named = {e.rf for e in fresh if e.rf}
    first = code_states(session, rfs=named, lock=False) if named else {}
    found: dict[int, str] = {}
    for index, entry in enumerate(fresh):
        if entry.rf in first or not entry.remittance_text:
            continue
        cuts = [c for c in rf_cuts(entry.remittance_text) if c != entry.rf]
        if cuts:
            more = code_states(session, rfs=cuts, lock=False)
            first.update(more)
            known = next((c for c in cuts if c in more), None)
            if known is not None:
                found[index] = known
    if not first or session.get_bind().dialect.name != "postgresql":
        return first, found  # SQLite: the import's transaction holds the one write lock
    lock_accounts(session, {c.account_id for c in first.values()})
    return code_states(session, rfs=list(first)), found


@dataclass(frozen=True)
class _Part:
    """The entries of one file (or document) in a step, with the file's row, summary and job."""

    file_id: int
    entries: list[camt.ReportedEntry]
    summary: ImportSummary
    job: _Job


def _import_chunk(
    session: Session,
    file_id: int,
    chunk: list[camt.ReportedEntry],
    summary: ImportSummary,
    job: _Job,
    debts: dict[int, AccountDebts] | None = None,
) -> None:
    _import_parts(
        session, [_Part(file_id, chunk, summary, job)], job.policy or Policy(), job.publish, debts
    )


@cache
def _known_keys(dialect: str) -> Select:
    """The stored entries' keys among ``:keys`` (built once)."""
    return select(BankEntry.key).where(among_param(dialect, BankEntry.key, "keys"))


def _import_parts(
    session: Session,
    parts: list[_Part],
    policy: Policy,
    publish: Publisher,
    debts: dict[int, AccountDebts] | None = None,
) -> None:
    """Import the entries of one or more files in the caller's transaction: one duplicate
    check, one code lookup and one :func:`~paydesk.payments.service.take` for them all.

    ``debts`` are accounts' debts known to be true in this transaction (see
    :class:`_CarriedDebts`); they are used instead of reading them, and updated with the debts
    of the accounts paid here as they are once this step is stored."""
    listening = any(part.summary.listening for part in parts)
    dialect = session.get_bind().dialect.name
    keys = [e.key for part in parts for e in part.entries if e.key is not None]
    seen = (
        set(session.connection().execute(_known_keys(dialect), {"keys": keys}).scalars())
        if keys
        else set()
    )
    now = utcnow()
    rows: list[tuple[object, ...]] = []
    reversals: list[tuple[_Part, camt.ReportedEntry]] = []
    fresh: list[camt.ReportedEntry] = []
    owners: list[_Part] = []
    collected: dict[int, list[camt.ReportedEntry]] = {}
    for number, part in enumerate(parts):
        summary, file_id = part.summary, part.file_id
        summary.entries += len(part.entries)
        for entry in part.entries:
            if entry.problem is not None:
                summary.rejected += 1
                rows.append(
                    _row(
                        entry,
                        file_id,
                        "rejected",
                        entry.problem,
                        now,
                        keyed=False,
                        problems=_problems_json(entry),
                    )
                )
                continue
            returned = entry.return_code is not None and not entry.credit
            if entry.status != "BOOK" or (not entry.credit and not entry.reversal and not returned):
                summary.ignored += 1
                continue
            if entry.key in seen:
                summary.duplicates += 1
                continue
            seen.add(entry.key)
            if returned or (entry.mandate_id and entry.credit and not entry.reversal):
                collected.setdefault(number, []).append(entry)
            elif entry.reversal:
                reversals.append((part, entry))
            else:
                fresh.append(entry)
                owners.append(part)
    codes, from_text = _codes_for(session, fresh)
    initial: dict[int, CodeState] = {}
    running: dict[int, CodeState] = {}
    matched: list[tuple[int, camt.ReportedEntry, CodeState, str]] = []
    held: list[tuple[int, camt.ReportedEntry, str, str | None]] = []
    for index, entry in enumerate(fresh):
        summary, file_id = owners[index].summary, owners[index].file_id
        assert entry.amount is not None and entry.date is not None
        rf = from_text.get(index, entry.rf)
        code = codes.get(rf) if rf else None
        if code is not None:
            code = running.get(code.id, code)
        decision = decide(
            rf=rf,
            rf_candidate=entry.rf_candidate,
            amount_minor=entry.amount.minor,
            currency=entry.amount.currency,
            booked_on=entry.date,
            code=code,
        )
        if not decision.matched:
            summary.unmatched += 1
            held.append((len(rows), entry, decision.reason or "", rf))
            rows.append(_row(entry, file_id, "unmatched", decision.reason, now, rf=rf))
            continue
        assert code is not None
        initial.setdefault(code.id, codes[code.rf])
        running[code.id] = code.with_paid(code.paid_minor + entry.amount.minor)
        summary.matched += 1
        matched.append((len(rows), entry, code, owners[index].job.actor))
        rows.append(_row(entry, file_id, "matched", None, now, code_id=code.id, rf=rf))
    if rows:
        ids = _insert_entries(session, rows)
        intakes = [
            credit_intake(
                bank_entry_id=ids[index],
                code=code,
                amount_minor=entry.amount.minor,
                currency=entry.amount.currency,
                paid_on=entry.date,
                payer_name=entry.debtor_name,
                bank_bic=entry.debtor_agent_bic,
                bank_name=bank_name(entry.debtor_agent_bic),
                reference=entry.account_servicer_ref or entry.end_to_end_id,
                actor=actor,
            )
            for index, entry, code, actor in matched
            if entry.amount is not None and entry.date is not None
        ]
        money_in.take(
            session,
            intakes,
            policy=policy,
            codes=initial,
            tell=listening,
            publish=publish,
            debts=debts,
            carry=debts,
        )
        if listening and held:
            publish(
                session,
                [
                    events.bank_entry_held(
                        ids[index],
                        key=entry.key,
                        rf=rf or entry.rf_candidate,
                        reason=reason,
                        amount_minor=entry.amount.minor,
                        currency=entry.amount.currency,
                        booking_date=entry.date,
                        payer_name=entry.debtor_name,
                    )
                    for index, entry, reason, rf in held
                    if entry.amount is not None
                ],
            )
    if debts is not None and (reversals or collected):
        debts.clear()  # cancelled payments and direct debits change debts beside the plan
    for part, entry in reversals:
        _reverse(session, part.file_id, entry, part.summary, part.job.actor)
    for number, entries in collected.items():
        part = parts[number]
        _settle_direct_debits(session, part.file_id, entries, part.summary, part.job)


def _settle_direct_debits(
    session: Session,
    file_id: int,
    entries: list[camt.ReportedEntry],
    summary: ImportSummary,
    job: _Job,
) -> None:
    """Direct-debit collections the bank booked (``collected``) or returned (``dd_return``):
    stored as bank entries, handed to :mod:`paydesk.directdebits`, never posted as credits.
    A booking of a collection paydesk did not send is held as an unmatched credit."""
    now = utcnow()
    ids = _insert_entries(
        session,
        [
            _row(e, file_id, "collected" if e.return_code is None else "dd_return", None, now)
            for e in entries
        ],
    )
    for entry_id, entry in zip(ids, entries, strict=True):
        settled = direct_debits.settle(
            session,
            end_to_end_id=entry.end_to_end_id,
            amount_minor=entry.amount.minor if entry.amount else None,
            currency=entry.amount.currency if entry.amount else None,
            return_code=entry.return_code,
            actor=job.actor,
            returns=job.returns,
            bank_entry_id=entry_id,
            on=entry.date,
        )
        if settled.outcome == "confirmed":
            summary.collected += 1
        elif settled.outcome == "returned":
            summary.returned += 1
        elif settled.outcome == "duplicate":
            summary.duplicates += 1
        if settled.outcome in ("unknown", "duplicate"):
            row = session.get(BankEntry, entry_id)
            assert row is not None
            row.reason = settled.reason or f"direct debit {entry.end_to_end_id} reported again"
            if settled.outcome == "unknown" and entry.return_code is None:
                row.status = "unmatched"
                summary.unmatched += 1


def _reverse(
    session: Session, file_id: int, entry: camt.ReportedEntry, summary: ImportSummary, actor: str
) -> None:
    """A bank took a credit back: cancel its payment (ledger reversed, the code's amount taken
    back, the entry ``reversed``). A credit still held, or whose payment a person already
    cancelled, leaves the held entries as ``reversed`` and nothing else changes."""
    assert entry.amount is not None
    query = select(BankEntry).where(
        BankEntry.status.in_(("matched", "unmatched")),
        BankEntry.amount_minor == entry.amount.minor,
        BankEntry.currency == entry.amount.currency,
        BankEntry.reversal.is_(False),
    )
    if entry.end_to_end_id:
        query = query.where(BankEntry.end_to_end_id == entry.end_to_end_id)
    elif entry.rf:
        query = query.where(BankEntry.rf == entry.rf)
    else:
        query = query.where(BankEntry.id.is_(None))
    original = session.scalars(
        query.order_by((BankEntry.status == "matched").desc(), BankEntry.id.desc())
    ).first()
    if original is None:
        summary.unmatched += 1
        reason = "reversal of a credit paydesk has not received"
        _insert_entries(session, [_row(entry, file_id, "unmatched", reason, utcnow())])
        return
    why = f"bank reversal {entry.key}"
    payment = session.scalar(
        select(Payment.id)
        .join(Tender, Tender.event_id == Payment.event_id)
        .where(Tender.bank_entry_id == original.id, Tender.status == "valid")
    )
    note = f"reverses bank entry {original.id}"
    if original.status == "unmatched":
        note += " (held, nothing was posted for it)"
    session.refresh(original, with_for_update=True)
    _insert_entries(
        session,
        [_row(entry, file_id, "reversal", note, utcnow(), reverses_id=original.id)],
    )
    if payment is not None and original.status == "matched":
        money_in.cancel(
            session, payment, reason=why, actor=actor, on=entry.date or date.today(), by_bank=True
        )
    else:
        trail.record(
            session,
            actor=actor,
            entity_type="bank_entry",
            entity_id=original.id,
            from_status=original.status,
            to_status="reversed",
            reason=why,
        )
        original.status, original.reason = "reversed", why
    summary.reversed += 1
