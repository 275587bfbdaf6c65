"""one pipeline: a bank entry is recorded by one valid tender at a time

A payment from the bank that a person cancels puts its bank entry back among the held
entries; assigned again, the entry gets a new tender. So the entry is unique among the
*valid* tenders only (a partial unique index), not among all of them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VALID = sa.text("status = 'valid' AND bank_entry_id IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("tenders") as batch_op:
        batch_op.drop_constraint("uq_tenders_bank_entry_id", type_="unique")
        batch_op.create_index(
            "uq_tenders_valid_bank_entry",
            ["bank_entry_id"],
            unique=True,
            sqlite_where=_VALID,
            postgresql_where=_VALID,
        )


def downgrade() -> None:
    with op.batch_alter_table("tenders") as batch_op:
        batch_op.drop_index("uq_tenders_valid_bank_entry")
        batch_op.create_unique_constraint("uq_tenders_bank_entry_id", ["bank_entry_id"])
