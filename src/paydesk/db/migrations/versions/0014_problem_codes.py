"""problem codes: why a bank entry was rejected and why a bank file was refused, as codes

A rejected entry keeps its English ``reason`` and gains ``problems_json`` (its problems as
codes with parameters, JSON text); a refused file keeps its English ``error`` and gains
``refusal`` (the refusal's code and parameters). Pages write both in their own language.
Rows imported before have neither and show their English text as it is.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("bank_entries", sa.Column("problems_json", sa.Text(), nullable=True))
    op.add_column("bank_files", sa.Column("refusal", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("bank_files", "refusal")
    op.drop_column("bank_entries", "problems_json")
