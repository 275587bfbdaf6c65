"""credit rating: cash-only point entries end after a while and can be cancelled

An entry counts until its end date; cancelling one appends a row naming it (the table stays
append-only), at most one per entry.

Revision ID: 0012
Revises: 0009
Create Date: 2026-11-30 05:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy), so the append-only triggers stay in place.
    op.add_column("cash_only_point_changes", sa.Column("ends_on", sa.Date(), nullable=True))
    op.add_column("cash_only_point_changes", sa.Column("cancels_id", KEY, nullable=True))
    op.create_index(
        op.f("ix_cash_only_point_changes_cancels_id"),
        "cash_only_point_changes",
        ["cancels_id"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_cash_only_point_changes_cancels_id"), table_name="cash_only_point_changes"
    )
    op.drop_column("cash_only_point_changes", "cancels_id")
    op.drop_column("cash_only_point_changes", "ends_on")
