"""Storage: SQLAlchemy 2 models, the one place transactions are opened, Alembic migrations."""
