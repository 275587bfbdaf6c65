"""search: customer name terms (folded words), and indexes for the search box

Revision ID: 0010
Revises: 0012
Create Date: 2026-11-30 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from paydesk.accounts.search import terms

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 10_000


def upgrade() -> None:
    op.create_table(
        "customer_name_terms",
        sa.Column(
            "customer_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "term",
            sa.String(length=100).with_variant(sa.String(length=100, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_name_terms_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("customer_id", "term", name=op.f("pk_customer_name_terms")),
    )
    op.create_index("ix_customer_name_terms_term", "customer_name_terms", ["term", "customer_id"])
    op.create_index(op.f("ix_documents_number"), "documents", ["number"])
    op.create_index(op.f("ix_tenders_cheque_number"), "tenders", ["cheque_number"])
    op.create_index(
        op.f("ix_bank_entries_account_servicer_ref"), "bank_entries", ["account_servicer_ref"]
    )
    _index_existing_customers()


def _index_existing_customers() -> None:
    """Terms for the customers already stored, in batches."""
    conn = op.get_bind()
    customers = sa.table("customers", sa.column("id"), sa.column("name"))
    table = sa.table("customer_name_terms", sa.column("customer_id"), sa.column("term"))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(customers.c.id, customers.c.name)
            .where(customers.c.id > last)
            .order_by(customers.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        values = [{"customer_id": i, "term": t} for i, name in rows for t in sorted(terms(name))]
        if values:
            conn.execute(sa.insert(table), values)
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_index(op.f("ix_bank_entries_account_servicer_ref"), table_name="bank_entries")
    op.drop_index(op.f("ix_tenders_cheque_number"), table_name="tenders")
    op.drop_index(op.f("ix_documents_number"), table_name="documents")
    op.drop_index("ix_customer_name_terms_term", table_name="customer_name_terms")
    op.drop_table("customer_name_terms")
