"""A feed document that fails to import is put aside, and the feed moves on past it.

The document is stored with its error (:class:`BankFeedFailure`) in the same transaction
that moves the feed's cursor past it and queues a ``bank_document.failed`` webhook for the
host system. It is listed on the *Bank entries* page, by ``paydesk bank failed`` and by
``GET /v1/bank/feed-failures``, and imported again by hand (``paydesk bank retry``,
``POST /v1/bank/feed-failures/{id}/retry``, the page's *Retry* button), e.g. after a fix.

A database that cannot be reached is not the document's fault: such an error is not put
aside but raised, and the cursor stays where it was (the next poll reads it again).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Callable
from typing import Any

import psycopg
from sqlalchemy import func, select
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from paydesk.bank.feed_cursor import advance_cursor, upsert_cursor
from paydesk.bank.feed_failure import BankFeedFailure
from paydesk.db.base import utcnow
from paydesk.db.engine import Database
from paydesk.db.lookup import fetch
from paydesk.errors import Conflict, PaydeskError
from paydesk.settings import Settings
from paydesk.webhooks import outbox

log = logging.getLogger(__name__)

FAILED = "failed"
IMPORTED = "imported"
EVENT = "bank_document.failed"


def is_outage(error: BaseException) -> bool:
    """True when the database itself failed (down, unreachable, locked): retry later as is."""
    if isinstance(error, OperationalError | InterfaceError | DisconnectionError):
        return True
    return isinstance(error, sqlite3.OperationalError | psycopg.OperationalError)


def storable(text: str) -> str:
    """``text`` as every database stores it: NUL and lone surrogates written as escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def _described(error: BaseException) -> tuple[str, str]:
    if isinstance(error, PaydeskError):
        return error.slug, storable(error.detail)
    return "internal-error", storable(f"{type(error).__name__}: {error}"[:2000])


_UNKNOWN = object()


def set_aside(
    db: Database,
    feed: str,
    cursor: str,
    document: str,
    error: BaseException,
    *,
    previous: str | object | None = _UNKNOWN,
) -> int:
    """Store the failed document, move the feed's cursor past it, tell the host system.

    With ``previous`` (the cursor the taker read), nothing is stored when another taker moved
    the cursor meanwhile (:class:`~paydesk.bank.feed_cursor.CursorMoved` is raised): it put the
    document aside itself. A document no database could store as given (a NUL, a lone
    surrogate) is stored with those characters escaped; it failed to import in any case."""
    error_type, detail = _described(error)
    document = storable(document)
    with db.transaction() as session:
        failure = BankFeedFailure(
            feed=feed,
            cursor=cursor,
            document=document,
            sha256=hashlib.sha256(document.encode("utf-8")).hexdigest(),
            status=FAILED,
            error_type=error_type,
            error=detail,
            attempts=1,
        )
        session.add(failure)
        session.flush()
        if previous is _UNKNOWN:
            upsert_cursor(session, db.is_postgresql, feed, cursor)
        else:
            advance_cursor(session, db.is_postgresql, feed, previous, cursor)  # type: ignore[arg-type]
        outbox.emit(session, EVENT, event_payload(failure))
    log.warning("bank feed %s: document %s put aside (%s): %s", feed, cursor, error_type, detail)
    return failure.id


def event_payload(failure: BankFeedFailure) -> dict[str, Any]:
    return {
        "failure_id": failure.id,
        "feed": failure.feed,
        "cursor": failure.cursor,
        "sha256": failure.sha256,
        "error_type": failure.error_type,
        "error": failure.error,
    }


def list_failures(
    session: Session, *, status: str | None = FAILED, limit: int = 50, offset: int = 0
) -> tuple[list[BankFeedFailure], int]:
    """Documents put aside, newest first, and how many there are."""
    query = select(BankFeedFailure)
    count = select(func.count()).select_from(BankFeedFailure)
    if status:
        query = query.where(BankFeedFailure.status == status)
        count = count.where(BankFeedFailure.status == status)
    rows = session.scalars(query.order_by(BankFeedFailure.id.desc()).limit(limit).offset(offset))
    return list(rows), session.scalar(count) or 0


def get_failure(session: Session, failure_id: int) -> BankFeedFailure:
    return fetch(session, BankFeedFailure, failure_id, what="feed document put aside")


#: ``handler(db, settings, data, *, source, actor)``, as the feed connector calls it.
Handler = Callable[..., Any]


def retry(
    db: Database, settings: Settings, failure_id: int, *, actor: str, handler: Handler | None = None
) -> BankFeedFailure:
    """Import a document put aside again. Imported: its status becomes ``imported``. Failed
    again: its error is the new one. A database outage is raised and changes nothing."""
    from paydesk.bank.importer import import_document

    with db.reading() as session:
        failure = get_failure(session, failure_id)
    if failure.status != FAILED:
        raise Conflict(f"feed document {failure_id} is {failure.status}; nothing to retry")
    try:
        result = (handler or import_document)(
            db,
            settings,
            failure.document.encode("utf-8"),
            source=f"feed:{failure.feed}",
            actor=actor,
        )
    except Exception as error:
        if is_outage(error):
            raise
        error_type, detail = _described(error)
        return _record(db, failure_id, actor, FAILED, error_type=error_type, error=detail)
    return _record(db, failure_id, actor, IMPORTED, file_id=getattr(result, "file_id", None))


def _record(db: Database, failure_id: int, actor: str, status: str, **changes: Any):
    with db.transaction() as session:
        failure = get_failure(session, failure_id)
        failure.status = status
        failure.attempts += 1
        failure.retried_at = utcnow()
        failure.retried_by = actor
        for name, value in changes.items():
            setattr(failure, name, value)
    return failure
