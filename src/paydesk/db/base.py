"""Declarative base shared by every model, with stable constraint names for migrations."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Index, Integer, MetaData, String, text
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every database (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; paydesk stores UTC-aware timestamps")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


# Column helpers used across models.
#: 64-bit keys; SQLite needs INTEGER for its rowid alias.
KeyType = BigInteger().with_variant(Integer(), "sqlite")


def id_column():
    return mapped_column(KeyType, primary_key=True, autoincrement=True)


def minor_column(nullable: bool = False):
    """An amount in integer minor units of the row's currency."""
    return mapped_column(BigInteger, nullable=nullable)


def currency_column():
    return mapped_column(String(3), nullable=False)


def created_column():
    return mapped_column(UTCDateTime(), nullable=False, default=utcnow)


def updated_column():
    """When the row last changed: set on insert and on every update through the ORM."""
    return mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index over the rows matching ``where`` (SQL), the same on SQLite and PostgreSQL."""
    return Index(
        name,
        *columns,
        unique=unique,
        sqlite_where=text(where),
        postgresql_where=text(where),
    )
