"""Batch garbage-collection setting: raised inside, restored after, shared by nested blocks."""

from __future__ import annotations

import gc

from paydesk.collection import BATCH_THRESHOLD, fewer_collections


def test_threshold_is_raised_inside_and_restored_after() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == (BATCH_THRESHOLD, before[1], before[2])
        with fewer_collections():
            assert gc.get_threshold()[0] == BATCH_THRESHOLD
        assert gc.get_threshold()[0] == BATCH_THRESHOLD  # the outer block still runs
    assert gc.get_threshold() == before


def test_threshold_is_restored_when_the_block_fails() -> None:
    before = gc.get_threshold()
    try:
        with fewer_collections():
            raise RuntimeError("the import failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before


def test_what_a_server_built_at_start_is_frozen() -> None:
    from paydesk.collection import settle_long_lived

    before = gc.get_freeze_count()
    try:
        settle_long_lived()
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
