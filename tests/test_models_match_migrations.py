"""The models and the migrations describe the same schema, on SQLite and on PostgreSQL.

Alembic's autogenerate compares the tables of ``paydesk.db.models`` with a database the migrations
built; any difference (a table, column, type, nullability, server default, index, unique or
foreign key) fails the build.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from paydesk.db.engine import Database
from paydesk.db.models import Base


def test_a_freshly_migrated_database_matches_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], "\n".join(str(d) for d in differences)
