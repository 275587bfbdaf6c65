"""Read a bank file ahead of its import, in a thread of its own.

Parsing (libxml2 and the XSLT walk, which run without Python's global lock, then building
the records) and posting (the planner in Python, the database's own work without the lock)
take turns on one core when one thread does both. :func:`read_ahead` parses the next chunks
while the current one is posted, so on two cores the two overlap. At most ``depth`` chunks wait,
so memory stays flat; an error of the file (:class:`~paydesk.bank.camt.InvalidBankFile`)
reaches the importer exactly where the file has it, after the chunks before it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

__all__ = ["read_ahead"]

T = TypeVar("T")

_END = object()


def read_ahead(items: Iterable[T], size: int, *, depth: int = 2) -> Iterator[list[T]]:
    """``items`` in lists of ``size``, produced by a thread up to ``depth`` lists ahead.

    An exception raised while producing is raised by ``next`` once the lists before it are
    taken. Closing the iterator (or leaving a ``for`` loop early) stops the thread."""
    waiting: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                waiting.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            iterator = iter(items)
            while chunk := list(islice(iterator, size)):
                if not put(chunk):
                    return
        except BaseException as error:  # handed to the consumer, raised there
            put(error)
            return
        put(_END)

    thread = threading.Thread(target=produce, name="paydesk-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = waiting.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()
