"""direct debits: mandates, collections of direct-debit tenders, the pain.008 files sent

Revision ID: 0013
Revises: 0010
Create Date: 2026-11-30 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "direct_debit_files",
        sa.Column("id", KEY, autoincrement=True, nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("message_id", sa.String(length=35), nullable=False),
        sa.Column("collections", sa.Integer(), nullable=False),
        sa.Column("total_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_direct_debit_files")),
        sa.UniqueConstraint("due_on", name=op.f("uq_direct_debit_files_due_on")),
        sa.UniqueConstraint("message_id", name=op.f("uq_direct_debit_files_message_id")),
    )
    op.create_table(
        "direct_debit_mandates",
        sa.Column("id", KEY, autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(length=35), nullable=False),
        sa.Column("account_id", KEY, nullable=False),
        sa.Column("stored_method_id", KEY, nullable=True),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("iban_masked", sa.String(length=50), nullable=False),
        sa.Column("iban_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("holder_name", sa.String(length=140), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("signed_at", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("sequence", sa.String(length=4), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_direct_debit_mandates_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["stored_method_id"],
            ["stored_payment_methods.id"],
            name=op.f("fk_direct_debit_mandates_stored_method_id_stored_payment_methods"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_direct_debit_mandates")),
        sa.UniqueConstraint("reference", name=op.f("uq_direct_debit_mandates_reference")),
    )
    with op.batch_alter_table("direct_debit_mandates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_direct_debit_mandates_payer", ["account_id", "iban_fingerprint"], unique=False
        )

    op.create_table(
        "direct_debit_collections",
        sa.Column("id", KEY, autoincrement=True, nullable=False),
        sa.Column("tender_id", KEY, nullable=False),
        sa.Column("event_id", KEY, nullable=False),
        sa.Column("account_id", KEY, nullable=False),
        sa.Column("mandate_id", KEY, nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("end_to_end_id", sa.String(length=35), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("sequence", sa.String(length=4), nullable=True),
        sa.Column("collection_date", sa.Date(), nullable=True),
        sa.Column("file_id", KEY, nullable=True),
        sa.Column("bank_entry_id", KEY, nullable=True),
        sa.Column("return_code", sa.String(length=4), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("returned_by", sa.String(length=10), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_direct_debit_collections_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["payment_events.id"],
            name=op.f("fk_direct_debit_collections_event_id_payment_events"),
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["direct_debit_files.id"],
            name=op.f("fk_direct_debit_collections_file_id_direct_debit_files"),
        ),
        sa.ForeignKeyConstraint(
            ["mandate_id"],
            ["direct_debit_mandates.id"],
            name=op.f("fk_direct_debit_collections_mandate_id_direct_debit_mandates"),
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"],
            ["tenders.id"],
            name=op.f("fk_direct_debit_collections_tender_id_tenders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_direct_debit_collections")),
        sa.UniqueConstraint(
            "end_to_end_id", name=op.f("uq_direct_debit_collections_end_to_end_id")
        ),
        sa.UniqueConstraint("tender_id", name=op.f("uq_direct_debit_collections_tender_id")),
    )
    with op.batch_alter_table("direct_debit_collections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_direct_debit_collections_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_direct_debit_collections_file_id"), ["file_id"], unique=False
        )
        batch_op.create_index(
            "ix_direct_debit_collections_status", ["status", "due_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("direct_debit_collections", schema=None) as batch_op:
        batch_op.drop_index("ix_direct_debit_collections_status")
        batch_op.drop_index(batch_op.f("ix_direct_debit_collections_file_id"))
        batch_op.drop_index(batch_op.f("ix_direct_debit_collections_account_id"))

    op.drop_table("direct_debit_collections")
    with op.batch_alter_table("direct_debit_mandates", schema=None) as batch_op:
        batch_op.drop_index("ix_direct_debit_mandates_payer")

    op.drop_table("direct_debit_mandates")
    op.drop_table("direct_debit_files")
