"""the live-document index holds only codes that pay a document

``uq_payment_codes_live_document`` (one live code per document) also held an entry for every
account-level code, whose document is empty, and every status change of such a code rewrote
it; it now covers only codes with a document. The rule it keeps is the same: two codes with
no document never collided (NULLs are distinct in a unique index).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 11:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LIVE = "status IN ('active', 'partially_paid', 'paid', 'overpaid')"
_WITH_DOCUMENT = f"document_id IS NOT NULL AND {_LIVE}"


def _create(where: str) -> None:
    op.create_index(
        "uq_payment_codes_live_document",
        "payment_codes",
        ["document_id"],
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def upgrade() -> None:
    op.drop_index("uq_payment_codes_live_document", table_name="payment_codes")
    _create(_WITH_DOCUMENT)


def downgrade() -> None:
    op.drop_index("uq_payment_codes_live_document", table_name="payment_codes")
    _create(_LIVE)
