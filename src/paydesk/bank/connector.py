"""Gateway connector: read the bank network's notification feed and hand each camt document on.

The feed answers ``GET <bank_feed_url>?after=<cursor>`` with a JSON list of
``{"cursor": ..., "document": "<camt.054 XML>"}``, oldest first. Each document goes to the
handler (by default the importer's ``import_document``); the cursor is stored only after the
handler returned, one document at a time. A crash between the two re-delivers that document
on the next poll — at least once — and the importer, unique by entry key, changes nothing
the second time. A document the handler fails on is put aside with its error and the cursor
moves past it (:mod:`paydesk.bank.set_aside`), so one bad document never stops the feed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from paydesk.bank import set_aside
from paydesk.bank.feed_cursor import BankFeedCursor, CursorMoved, advance_cursor
from paydesk.db.engine import Database
from paydesk.errors import Unavailable, UpstreamFailed
from paydesk.settings import Settings

log = logging.getLogger(__name__)

#: ``handler(db, settings, data, *, source, actor)`` imports one camt document.
DocumentHandler = Callable[..., Any]

FEED_ACTOR = "bank-feed"
#: Longest cursor a feed may give (the column that keeps it).
CURSOR_LENGTH = 200


class BankImportUnavailable(Unavailable):
    slug = "bank-import-unavailable"
    title = "Bank import unavailable"


class FeedUnavailable(UpstreamFailed):
    """The feed could not be read (network error, bad answer)."""

    slug = "bank-feed-unavailable"
    title = "Bank feed unavailable"


def default_handler() -> DocumentHandler:
    """The importer's entry point, resolved when first needed."""
    try:
        from paydesk.bank.importer import import_document
    except ImportError as error:  # pragma: no cover - depends on the installed modules
        raise BankImportUnavailable("the camt importer is not installed") from error
    return import_document


@dataclass(frozen=True)
class PollResult:
    documents: int
    cursor: str | None
    results: tuple[Any, ...] = ()


def load_cursor(db: Database, feed: str) -> str | None:
    with db.reading() as session:
        row = session.get(BankFeedCursor, feed)
        return None if row is None else row.cursor


def store_cursor(db: Database, feed: str, cursor: str, previous: str | None = None) -> None:
    """Move the feed's cursor from ``previous`` to ``cursor``; raises
    :class:`~paydesk.bank.feed_cursor.CursorMoved` when another taker moved it meanwhile."""
    with db.transaction() as session:
        advance_cursor(session, db.is_postgresql, feed, previous, cursor)


class FeedConnector:
    """Polls one feed; ``handler`` is injected (default: the importer)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        handler: DocumentHandler | None = None,
        feed_url: str | None = None,
        api_key: str | None = None,
        client: httpx.Client | None = None,
        page_size: int = 100,
        max_pages: int = 50,
        timeout: float = 10.0,
    ) -> None:
        self.db = db
        self.settings = settings
        self._handler = handler
        self.feed_url = feed_url or settings.bank_feed_url
        self.api_key = api_key if api_key is not None else settings.bank_feed_key
        self._client = client
        self.page_size = page_size
        self.max_pages = max_pages
        self.timeout = timeout

    @property
    def handler(self) -> DocumentHandler:
        if self._handler is None:
            self._handler = default_handler()
        return self._handler

    @property
    def configured(self) -> bool:
        return bool(self.feed_url)

    def _fetch(self, client: httpx.Client, after: str | None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"limit": self.page_size}
        if after is not None:
            params["after"] = after
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            response = client.get(self.feed_url, params=params, headers=headers)  # type: ignore[arg-type]
            response.raise_for_status()
            items = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise FeedUnavailable(f"bank feed {self.feed_url}: {error}") from error
        if not isinstance(items, list) or not all(
            isinstance(i, dict)
            and isinstance(i.get("cursor"), str | int)
            and 0 < len(str(i["cursor"])) <= CURSOR_LENGTH
            and isinstance(i.get("document"), str)
            for i in items
        ):
            raise FeedUnavailable(
                f"bank feed {self.feed_url}: not a list of cursor/document "
                f"(a cursor is 1 to {CURSOR_LENGTH} characters)"
            )
        return items

    def _take(self, feed: str, previous: str | None, cursor: str, document: str) -> Any:
        """Import one document and move the cursor past it (from ``previous``). A document
        that fails is put aside with its error (the cursor moves all the same); a database
        outage is raised and the cursor stays; another taker having moved the cursor
        meanwhile raises :class:`CursorMoved` (the import, if any, counted as duplicates)."""
        try:
            result = self.handler(
                self.db,
                self.settings,
                document.encode("utf-8"),
                source=f"feed:{feed}",
                actor=FEED_ACTOR,
            )
        except Exception as error:
            if set_aside.is_outage(error):
                raise
            failure_id = set_aside.set_aside(
                self.db, feed, cursor, document, error, previous=previous
            )
            return {"set_aside": failure_id}
        store_cursor(self.db, feed, cursor, previous)
        return result

    def poll(self) -> PollResult:
        """Read the feed from the stored cursor to its end (at most ``max_pages`` pages).

        Several processes may poll one feed (workers, "update status" in a server): each
        document moves the cursor only from where this taker read it, so when another taker
        got there first this one stops (what it imported meanwhile counts as duplicates)."""
        if not self.feed_url:
            return PollResult(0, None)
        feed = self.feed_url
        cursor = load_cursor(self.db, feed)
        handled = 0
        results: list[Any] = []
        client = self._client or httpx.Client(timeout=self.timeout)
        try:
            for _ in range(self.max_pages):
                items = self._fetch(client, cursor)
                for item in items:
                    results.append(self._take(feed, cursor, str(item["cursor"]), item["document"]))
                    cursor = str(item["cursor"])
                    handled += 1
                if len(items) < self.page_size:
                    break
        except CursorMoved as moved:  # another process reads the feed now; it goes on
            log.debug("%s; leaving the feed to it", moved)
        finally:
            if self._client is None:
                client.close()
        if handled:
            log.info("bank feed %s: %d documents, cursor %s", feed, handled, cursor)
        else:
            log.debug("bank feed %s: nothing new after cursor %s", feed, cursor)
        return PollResult(handled, cursor, tuple(results))


#: Why "update status" read no feed: none is configured (``bank_feed_url``).
NO_FEED = "no_feed"


@dataclass(frozen=True)
class Refresh:
    """What "update status" did: whether a feed was read, and how many documents it had;
    ``reason`` says why no feed was read (:data:`NO_FEED`)."""

    polled: bool
    documents: int
    reason: str | None = None


def refresh_code(
    db: Database, settings: Settings, rf_text: str, *, handler: DocumentHandler | None = None
) -> Refresh:
    """ "Update status" of a code: read the bank feed now, when one is configured.

    The code is looked up first, so an unknown or malformed code is refused before any
    network call. The caller reads the code afterwards (and wakes webhook delivery when
    ``documents`` were imported).
    """
    from paydesk.codes import service as codes

    with db.reading() as session:
        codes.get(session, rf_text)
    connector = FeedConnector(db, settings, handler=handler)
    if not connector.configured:
        return Refresh(False, 0, NO_FEED)
    return Refresh(True, connector.poll().documents)
