"""Reading a bank file ahead of its import: same chunks, errors in place, no thread left over."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from paydesk.bank.read_ahead import read_ahead


def _threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "paydesk-read-ahead")


def test_chunks_arrive_whole_and_in_order() -> None:
    assert list(read_ahead(range(10), 4)) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert list(read_ahead([], 4)) == []
    assert _threads() == 0


def test_an_error_of_the_file_comes_after_the_chunks_before_it() -> None:
    def entries() -> Iterator[int]:
        yield from range(5)
        raise ValueError("the file ends in the middle of an entry")

    chunks = read_ahead(entries(), 2)
    assert next(chunks) == [0, 1]
    assert next(chunks) == [2, 3]
    with pytest.raises(ValueError, match="middle of an entry"):
        next(chunks)
    assert _threads() == 0


def test_leaving_early_stops_the_reader() -> None:
    produced: list[int] = []

    def entries() -> Iterator[int]:
        for i in range(1_000_000):
            produced.append(i)
            yield i

    chunks = read_ahead(entries(), 10, depth=2)
    assert next(chunks) == list(range(10))
    chunks.close()
    assert _threads() == 0
    assert len(produced) < 100  # it stopped a few chunks ahead, not at the end of the file
