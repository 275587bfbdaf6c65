"""The simulator's state: payments, the notification feed and known account holders (SQLite)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from paydesk.banksim import directdebits

SCHEMA = """
CREATE TABLE IF NOT EXISTS payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    bank_reference TEXT UNIQUE,
    rf TEXT NOT NULL,
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    bank_bic TEXT NOT NULL,
    payer_name TEXT,
    payer_iban TEXT,
    end_to_end_id TEXT NOT NULL,
    booked_on TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'accepted',
    idempotency_key TEXT UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feed (
    cursor INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    bank_reference TEXT NOT NULL,
    document TEXT NOT NULL,
    created_at TEXT NOT NULL,
    pushed_at TEXT,
    push_error TEXT
);
CREATE TABLE IF NOT EXISTS holders (
    iban TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class StoredPayment:
    id: int
    bank_reference: str
    rf: str
    amount: str
    currency: str
    bank_bic: str
    payer_name: str | None
    payer_iban: str | None
    end_to_end_id: str
    booked_on: str
    status: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _stored_payment(row: sqlite3.Row) -> StoredPayment:
    return StoredPayment(**{k: row[k] for k in StoredPayment.__dataclass_fields__})


class Store:
    """One SQLite file; a lock serialises writers (the simulator is one process)."""

    def __init__(self, data_dir: str | Path) -> None:
        path = Path(data_dir)
        path.mkdir(parents=True, exist_ok=True)
        self.path = path / "banksim.db"
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(SCHEMA)
        self._conn.executescript(directdebits.SCHEMA)

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``), committed unless the block raises."""
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    # payments ---------------------------------------------------------------------------

    def payment_by_key(self, key: str) -> StoredPayment | None:
        return self._one("SELECT * FROM payments WHERE idempotency_key = ?", key)

    def payment(self, bank_reference: str) -> StoredPayment | None:
        return self._one("SELECT * FROM payments WHERE bank_reference = ?", bank_reference)

    def _one(self, sql: str, *args: object) -> StoredPayment | None:
        with self._lock:
            row = self._conn.execute(sql, args).fetchone()
        if row is None:
            return None
        return _stored_payment(row)

    def add_payment(
        self,
        *,
        rf: str,
        amount: str,
        currency: str,
        bank_bic: str,
        payer_name: str | None,
        payer_iban: str | None,
        end_to_end_id: str,
        booked_on: str,
        idempotency_key: str | None,
        reference_of,
        document_of,
    ) -> tuple[StoredPayment, int]:
        """Book a payment and publish its notification in one transaction; (payment, cursor).

        ``reference_of(id)`` names the bank reference; ``document_of(payment)`` writes the
        camt.054 text.
        """
        booked = (rf, amount, currency, bank_bic, payer_name, payer_iban, end_to_end_id, booked_on)
        with self._writing() as conn:
            cur = conn.execute(
                "INSERT INTO payments (rf, amount, currency, bank_bic, payer_name, payer_iban,"
                " end_to_end_id, booked_on, idempotency_key, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*booked, idempotency_key, _now()),
            )
            payment_id = int(cur.lastrowid)
            reference = reference_of(payment_id)
            conn.execute(
                "UPDATE payments SET bank_reference = ? WHERE id = ?", (reference, payment_id)
            )
            payment = StoredPayment(payment_id, reference, *booked, "accepted")
            cursor = self._publish(conn, "payment", reference, document_of(payment))
            if payer_iban and payer_name:
                conn.execute(
                    "INSERT OR IGNORE INTO holders (iban, name) VALUES (?, ?)",
                    (payer_iban, payer_name),
                )
        return payment, cursor

    def reverse(self, bank_reference: str, document_of) -> int | None:
        """Mark the payment reversed and publish the reversal; None if it already was."""
        with self._writing() as conn:
            cur = conn.execute(
                "UPDATE payments SET status = 'reversed'"
                " WHERE bank_reference = ? AND status = 'accepted'",
                (bank_reference,),
            )
            if cur.rowcount != 1:
                return None  # nothing was changed: the transaction ends empty
            row = conn.execute(
                "SELECT * FROM payments WHERE bank_reference = ?", (bank_reference,)
            ).fetchone()
            payment = _stored_payment(row)
            cursor = self._publish(conn, "reversal", bank_reference, document_of(payment))
        return cursor

    # feed -------------------------------------------------------------------------------

    @staticmethod
    def _publish(conn: sqlite3.Connection, kind: str, reference: str, document: str) -> int:
        cur = conn.execute(
            "INSERT INTO feed (kind, bank_reference, document, created_at) VALUES (?, ?, ?, ?)",
            (kind, reference, document, _now()),
        )
        return int(cur.lastrowid)

    def feed_after(self, after: int, limit: int) -> list[tuple[int, str]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT cursor, document FROM feed WHERE cursor > ? ORDER BY cursor LIMIT ?",
                (after, limit),
            ).fetchall()
        return [(row["cursor"], row["document"]) for row in rows]

    def feed_document(self, cursor: int) -> str | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT document FROM feed WHERE cursor = ?", (cursor,)
            ).fetchone()
        return None if row is None else row["document"]

    def mark_pushed(self, cursor: int, error: str | None) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE feed SET pushed_at = ?, push_error = ? WHERE cursor = ?",
                (_now(), error, cursor),
            )

    # account holders (payee verification) -----------------------------------------------

    def add_holder(self, iban: str, name: str) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO holders (iban, name) VALUES (?, ?)"
                " ON CONFLICT (iban) DO UPDATE SET name = excluded.name",
                (iban, name),
            )

    def holder(self, iban: str) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT name FROM holders WHERE iban = ?", (iban,)).fetchone()
        return None if row is None else row["name"]

    # direct debits ----------------------------------------------------------------------

    def add_collections(self, message_id: str, rows: list[directdebits.Collection]) -> int | None:
        """Keep a file's collections (``pending``) and publish a pain.002 for those rejected at
        once; a file seen before adds nothing. The feed cursor of the pain.002, if any."""
        with self._writing() as conn:
            rules = self._rules(conn)
            rejects: list[tuple[str, str]] = []
            for c in rows:
                reason = directdebits.rejected_at_once(c, rules)
                added = conn.execute(
                    "INSERT OR IGNORE INTO dd_collections (message_id, end_to_end_id,"
                    " mandate_id, debtor_name, debtor_iban, amount, currency, sequence,"
                    " collection_date, status, reason)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        message_id,
                        c.end_to_end_id,
                        c.mandate_id,
                        c.debtor_name,
                        c.debtor_iban,
                        c.amount,
                        c.currency,
                        c.sequence,
                        c.collection_date,
                        "rejected" if reason else "pending",
                        reason,
                    ),
                )
                if reason and added.rowcount == 1:
                    rejects.append((c.end_to_end_id, reason))
            cursor = None
            if rejects:
                document = directdebits.status_report(message_id, rejects, stamp=message_id)
                cursor = self._publish(conn, "dd_status", message_id, document)
        return cursor

    @staticmethod
    def _rules(conn: sqlite3.Connection) -> dict[str, tuple[str, bool]]:
        return {
            r["subject"]: (r["reason"], bool(r["before_settlement"]))
            for r in conn.execute("SELECT * FROM dd_rules")
        }

    def add_rule(self, subject: str, reason: str, before_settlement: bool = False) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO dd_rules (subject, reason, before_settlement) VALUES (?, ?, ?)"
                " ON CONFLICT (subject) DO UPDATE SET reason = excluded.reason,"
                " before_settlement = excluded.before_settlement",
                (subject, reason, int(before_settlement)),
            )

    def settle(self, on: str, account_iban: str) -> tuple[int, int, list[int]]:
        """Settle the pending collections due on or before ``on`` and publish their camt.054
        documents in one transaction; (booked, returned, feed cursors)."""
        with self._writing() as conn:
            rules = {k: reason for k, (reason, _) in self._rules(conn).items()}
            due = conn.execute(
                "SELECT * FROM dd_collections WHERE status = 'pending'"
                " AND collection_date <= ? ORDER BY id",
                (on,),
            ).fetchall()
            cursors: list[int] = []
            returned = 0
            if due:
                for row in due:
                    collection = directdebits.Collection(
                        **{k: row[k] for k in directdebits.Collection.__dataclass_fields__}
                    )
                    reason = directdebits.decide(collection, rules)
                    returned += reason is not None
                    conn.execute(
                        "UPDATE dd_collections SET status = ?, reason = ? WHERE id = ?",
                        ("returned" if reason else "paid", reason, row["id"]),
                    )
                rows = conn.execute(
                    f"SELECT * FROM dd_collections WHERE id IN ({','.join('?' * len(due))})"
                    " ORDER BY id",
                    [r["id"] for r in due],
                ).fetchall()
                stamp = f"{on.replace('-', '')}-{due[0]['id']}"
                for kind, document in directdebits.settlement_documents(
                    rows, account_iban=account_iban, stamp=stamp
                ):
                    cursors.append(self._publish(conn, kind, stamp, document))
        return len(due), returned, cursors
