"""Import camt.053/054 files: parse as a stream, drop duplicates, match RF codes, post payments.

One file is one database transaction: a file that turns out malformed half-way posts nothing
(the parser raises :class:`~paydesk.bank.camt.InvalidBankFile`, the transaction rolls back and
the failure is recorded on its own). Within the file, entries are handled in chunks with a few
set-based statements each — duplicate check, code lookup (rows locked), bulk inserts — so the
cost per entry is a few microseconds of SQL, not a round trip.

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
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import BinaryIO

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from paydesk.audit import trail
from paydesk.audit.models import AuditEvent
from paydesk.bank import camt
from paydesk.bank.banks import bank_name
from paydesk.bank.events import code_paid_event
from paydesk.bank.matching import CodeState, apply, decide, unapply
from paydesk.bank.models import BankEntry, BankFile
from paydesk.bank.posting import Balances, Credit, post_credits
from paydesk.codes.models import CodePayment, PaymentCode
from paydesk.db.base import utcnow
from paydesk.db.bulk import allocate_ids, among, insert_rows, update_rows
from paydesk.db.engine import Database
from paydesk.money import format_minor
from paydesk.payments.models import Payment, Tender
from paydesk.payments.posting import reverse_payment
from paydesk.settings import Settings
from paydesk.webhooks import outbox

CHUNK = 5000
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
    #: Events raised by the chunk being imported: (event type, payload); handed to the
    #: publisher in the chunk's transaction, then cleared (memory stays flat).
    events: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    #: False when nobody listens (no webhook subscription): events are then not even built.
    listening: bool = True

    def counts(self) -> dict[str, int]:
        return {
            k: getattr(self, k)
            for k in (
                "entries",
                "matched",
                "unmatched",
                "duplicates",
                "reversed",
                "rejected",
                "ignored",
            )
        }


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
    rules: camt.EntryRules | None = None,
) -> ImportSummary:
    """Import one camt file (path, bytes or binary stream). Raises ``InvalidBankFile``.

    ``rules`` (see :func:`entry_rules`) say which accounts and dates an entry may have; without
    them every account is taken and dates keep to the parser's default window.

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
            return _import_once(
                db, stream, name, origin, actor, max_bytes, progress, publish, rules, digest
            )
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


def _import_once(
    db: Database,
    stream: str | os.PathLike[str] | BinaryIO,
    name: str,
    origin: str,
    actor: str,
    max_bytes: int,
    progress: Callable[[int], None] | None,
    publish: Publisher,
    rules: camt.EntryRules | None,
    digest: str,
) -> ImportSummary:
    summary = ImportSummary(name=name)
    try:
        with db.transaction() as session:
            opened = camt.open_camt(stream, max_bytes=max_bytes, rules=rules)
            summary.kind, summary.version = opened.kind, opened.version
            record = BankFile(
                name=name[:300],
                sha256=digest,
                kind=opened.kind,
                version=opened.version,
                message_id=opened.message_id,
                source=origin,
                status="imported",
                imported_by=actor,
            )
            session.add(record)
            session.flush()
            summary.file_id = record.id
            balances = Balances()
            summary.listening = publish is not publish_webhooks or outbox.has_subscribers(session)
            for chunk in _chunks(opened.entries(), CHUNK):
                _import_chunk(session, record.id, chunk, summary, actor, balances)
                publish(session, summary.events)
                summary.events.clear()
                if progress:
                    progress(len(chunk))
            for key, value in summary.counts().items():
                setattr(record, key, value)
    except camt.InvalidBankFile as error:
        with db.transaction() as session:
            session.add(
                BankFile(
                    name=name[:300],
                    sha256=digest,
                    source=origin,
                    status="failed",
                    error=error.detail,
                    imported_by=actor,
                )
            )
        raise
    return summary


def import_document(
    db: Database, settings: Settings, data: bytes, *, source: str, actor: str
) -> ImportSummary:
    """Import one camt document received from the bank gateway (feed or push)."""
    origin = source.split(":", 1)[0]  # "feed" or "push"; a feed's URL stays in the name
    return import_file(
        db,
        data,
        name=f"{source} document",
        origin=origin,
        actor=actor,
        rules=entry_rules(settings),
    )


def _chunks(entries: Iterable[camt.BankEntry], size: int) -> Iterator[list[camt.BankEntry]]:
    iterator = iter(entries)
    while chunk := list(islice(iterator, size)):
        yield chunk


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
    "code_id",
    "reverses_id",
    "created_at",
)


def _row(
    entry: camt.BankEntry,
    file_id: int,
    status: str,
    reason: str | None,
    now: datetime,
    *,
    code_id: int | None = None,
    reverses_id: int | None = None,
    keyed: bool = True,
) -> tuple[object, ...]:
    """A bank entry as stored. A rejected entry is stored without its key (``keyed=False``):
    it posted nothing, so the same transaction sent again correctly must not be a duplicate."""
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
        entry.rf,
        entry.rf_candidate[:60] if entry.rf_candidate else None,
        entry.remittance_text,
        entry.debtor_name,
        entry.debtor_iban,
        entry.debtor_agent_bic,
        bank_name(entry.debtor_agent_bic),
        entry.end_to_end_id,
        entry.account_servicer_ref,
        status,
        reason,
        code_id,
        reverses_id,
        now,
    )


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


def _load_codes(session: Session, rfs: set[str]) -> dict[str, CodeState]:
    if not rfs:
        return {}
    rows = session.execute(
        select(
            PaymentCode.id,
            PaymentCode.rf,
            PaymentCode.status,
            PaymentCode.amount_type,
            PaymentCode.amount_minor,
            PaymentCode.paid_minor,
            PaymentCode.currency,
            PaymentCode.account_id,
            PaymentCode.document_id,
            PaymentCode.expires_on,
        )
        .where(among(session.get_bind().dialect.name, PaymentCode.rf, list(rfs)))
        .with_for_update()
    )
    return {row.rf: CodeState(*row) for row in rows}


def _import_chunk(
    session: Session,
    file_id: int,
    chunk: list[camt.BankEntry],
    summary: ImportSummary,
    actor: str,
    balances: Balances,
) -> None:
    summary.entries += len(chunk)
    dialect = session.get_bind().dialect.name
    keys = [e.key for e in chunk if e.key is not None]
    seen = (
        set(session.scalars(select(BankEntry.key).where(among(dialect, BankEntry.key, keys))))
        if keys
        else set()
    )
    now = utcnow()
    rows: list[tuple[object, ...]] = []
    matched: list[tuple[int, camt.BankEntry, CodeState]] = []
    reversals: list[camt.BankEntry] = []
    fresh: list[camt.BankEntry] = []
    for entry in chunk:
        if entry.problem is not None:
            summary.rejected += 1
            rows.append(_row(entry, file_id, "rejected", entry.problem, now, keyed=False))
            continue
        if entry.status != "BOOK" or (not entry.credit and not entry.reversal):
            summary.ignored += 1
            continue
        if entry.key in seen:
            summary.duplicates += 1
            continue
        seen.add(entry.key)
        if entry.reversal:
            reversals.append(entry)
        else:
            fresh.append(entry)
    codes = _load_codes(session, {e.rf for e in fresh if e.rf})
    changed: dict[int, tuple[CodeState, str]] = {}
    for entry in fresh:
        assert entry.amount is not None and entry.date is not None
        code = codes.get(entry.rf) if entry.rf else None
        decision = decide(
            rf=entry.rf,
            rf_candidate=entry.rf_candidate,
            amount_minor=entry.amount.minor,
            currency=entry.amount.currency,
            booked_on=entry.date,
            code=code,
        )
        if not decision.matched:
            summary.unmatched += 1
            rows.append(_row(entry, file_id, "unmatched", decision.reason, now))
            if summary.listening:
                summary.events.append(
                    (
                        "bank_entry.unmatched",
                        {
                            "key": entry.key,
                            "rf": entry.rf or entry.rf_candidate,
                            "reason": decision.reason,
                            "amount": str(entry.amount.amount),
                            "currency": entry.amount.currency,
                            "booking_date": entry.date.isoformat(),
                            "payer_name": entry.debtor_name,
                        },
                    )
                )
            continue
        assert code is not None
        previous = code.status
        before = changed.get(code.id, (code, previous))[1]
        apply(code, entry.amount.minor)
        changed[code.id] = (code, before)
        if summary.listening:
            summary.events.append(
                code_paid_event(
                    code,
                    previous,
                    entry.amount.minor,
                    entry.date,
                    entry.debtor_agent_bic,
                    bank_name(entry.debtor_agent_bic),
                    entry.debtor_name,
                )
            )
        summary.matched += 1
        matched.append((len(rows), entry, code))
        rows.append(_row(entry, file_id, "matched", None, now, code_id=code.id))
    if rows:
        ids = _insert_entries(session, rows)
        credits = [
            Credit(
                bank_entry_id=ids[index],
                code=code,
                amount_minor=entry.amount.minor,
                currency=entry.amount.currency,
                paid_on=entry.date,
                payer_name=entry.debtor_name,
                bank_bic=entry.debtor_agent_bic,
                bank_name=bank_name(entry.debtor_agent_bic),
                bank_reference=entry.account_servicer_ref or entry.end_to_end_id,
            )
            for index, entry, code in matched
        ]
        post_credits(session, credits, actor=actor, balances=balances)
        if summary.listening:
            summary.events.extend(
                (
                    "payment.frozen",
                    {
                        "payment_id": c.payment_id,
                        "rf": c.code.rf,
                        "account_id": c.code.account_id,
                        "amount": format_minor(c.amount_minor, c.currency),
                        "currency": c.currency,
                        "source": "bank",
                    },
                )
                for c in credits
            )
    _save_codes(session, changed, summary, actor)
    for entry in reversals:
        _reverse(session, file_id, entry, summary, actor)


def _save_codes(
    session: Session, changed: dict[int, tuple[CodeState, str]], summary: ImportSummary, actor: str
) -> None:
    if not changed:
        return
    now = utcnow()
    update_rows(
        session.connection(),
        PaymentCode.__table__,
        ("paid_minor", "status", "updated_at"),
        [(code.paid_minor, code.status, now, code.id) for code, _ in changed.values()],
    )
    audits = []
    for code, before in changed.values():
        if code.status != before:
            audits.append(
                {
                    "at": now,
                    "actor": actor,
                    "entity_type": "payment_code",
                    "entity_id": code.rf,
                    "from_status": before,
                    "to_status": code.status,
                    "detail": None,
                }
            )
    if audits:
        session.connection().execute(insert(AuditEvent.__table__), audits)


def _reverse(
    session: Session, file_id: int, entry: camt.BankEntry, summary: ImportSummary, actor: str
) -> None:
    """A bank took a credit back: cancel its payment by reversal, give the code its amount back."""
    assert entry.amount is not None
    query = select(BankEntry).where(
        BankEntry.status == "matched",
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
    original = session.scalars(query.order_by(BankEntry.id.desc()).with_for_update()).first()
    if original is None:
        summary.unmatched += 1
        reason = "reversal of a credit paydesk has not posted"
        _insert_entries(session, [_row(entry, file_id, "unmatched", reason, utcnow())])
        return
    _insert_entries(
        session,
        [
            _row(
                entry,
                file_id,
                "reversal",
                f"reverses bank entry {original.id}",
                utcnow(),
                reverses_id=original.id,
            )
        ],
    )
    original.status = "reversed"
    reverse_code_payment(
        session,
        original.id,
        reason=f"bank reversal {entry.key}",
        actor=actor,
        on=entry.date or date.today(),
    )
    summary.reversed += 1


def reverse_code_payment(
    session: Session, bank_entry_id: int, *, reason: str, actor: str, on: date
) -> int | None:
    """Cancel the payment a bank entry was posted as (ledger reversal), give the code its amount
    back; returns the cancelled payment's id."""
    code_payment = session.scalar(
        select(CodePayment).where(CodePayment.bank_entry_id == bank_entry_id).with_for_update()
    )
    if code_payment is None or code_payment.status == "reversed":
        return None
    code_payment.status = "reversed"
    payment = session.get(Payment, code_payment.payment_id)
    if payment is not None and payment.status != "cancelled":
        reverse_payment(session, payment.id, reason=reason, actor=actor, today=on)
        session.execute(
            update(Tender)
            .where(Tender.bank_entry_id == bank_entry_id)
            .values(status="cancelled", cancel_reason=reason)
        )
    code = session.get(PaymentCode, code_payment.code_id, with_for_update=True)
    assert code is not None
    state = CodeState(
        code.id,
        code.rf,
        code.status,
        code.amount_type,
        code.amount_minor,
        code.paid_minor,
        code.currency,
        code.account_id,
        code.document_id,
        code.expires_on,
    )
    before = code.status
    unapply(state, code_payment.amount_minor)
    code.paid_minor, code.status = state.paid_minor, state.status
    if code.status != before:
        trail.record(
            session,
            actor=actor,
            entity_type="payment_code",
            entity_id=code.rf,
            from_status=before,
            to_status=code.status,
            reason=reason,
        )
    return code_payment.payment_id
