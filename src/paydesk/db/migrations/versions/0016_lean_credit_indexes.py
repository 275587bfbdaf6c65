"""fewer index entries per bank credit

Every credit of a bank file writes a tender, a payment, its ledger lines, a code payment and a
bank entry. Indexes nothing reads are dropped (``bank_entries.code_id``,
``code_payments.bank_entry_id``, ``payments.payment_code_id``: the code's payments are found
through ``code_payments.code_id``, a payment's code and entry through the payment), and columns
that are empty on most rows are indexed only where they are set: a tender's cheque number, IBAN
fingerprint and drawer session (desk tenders), a ledger line's document (lines on a document).

The codes are indexed by issue time alone instead of by status and issue time: a credit moves
its code from ``active`` to ``partially_paid`` or ``paid``, and each move rewrote two entries
at random places of that index (about a third of the pages a bank file writes on SQLite). The
code list's default order (newest first) now reads the index instead of sorting every code;
a list filtered by status walks it and checks each code's status.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 14:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DROPPED = (
    ("bank_entries", "code_id"),
    ("code_payments", "bank_entry_id"),
    ("payments", "payment_code_id"),
)
_PARTIAL = (
    ("tenders", "cheque_number"),
    ("tenders", "iban_fingerprint"),
    ("tenders", "drawer_session_id"),
    ("ledger_entries", "document_id"),
)


def _create(table: str, column: str, where: str | None) -> None:
    extra = (
        {}
        if where is None
        else {"sqlite_where": sa.text(where), "postgresql_where": sa.text(where)}
    )
    op.create_index(f"ix_{table}_{column}", table, [column], **extra)


def upgrade() -> None:
    op.drop_index("ix_payment_codes_status_issued", table_name="payment_codes")
    op.create_index("ix_payment_codes_issued_at", "payment_codes", ["issued_at"])
    for table, column in _DROPPED:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
    for table, column in _PARTIAL:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
        _create(table, column, f"{column} IS NOT NULL")


def downgrade() -> None:
    for table, column in _PARTIAL:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
        _create(table, column, None)
    for table, column in _DROPPED:
        _create(table, column, None)
    op.drop_index("ix_payment_codes_issued_at", table_name="payment_codes")
    op.create_index("ix_payment_codes_status_issued", "payment_codes", ["status", "issued_at"])
