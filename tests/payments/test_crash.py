"""A small run of scripts/crash_import.py: imports killed with SIGKILL at random points, then
imported again, leave every invariant true (both DBs; the script runs bigger by hand)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from paydesk.db.engine import Database
from tests.conftest import BACKENDS, POSTGRES_URL

SCRIPT = Path(__file__).parents[2] / "scripts" / "crash_import.py"


def _script():
    spec = importlib.util.spec_from_file_location("crash_import", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize("kind", BACKENDS)
def test_imports_killed_at_random_points_lose_nothing_and_double_nothing(
    kind, tmp_path, monkeypatch
):
    crash = _script()
    monkeypatch.setattr(crash, "POSTGRES", POSTGRES_URL)
    name = f"paydesk_crash_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    fresh = crash.fresh_database
    monkeypatch.setattr(crash, "fresh_database", lambda k, w: fresh(k, w, name=name))
    try:
        counts = crash.run(kind, kills=4, entries=150, seed_value=7, workdir=tmp_path, step=40)
    finally:
        if kind == "postgresql":
            admin = Database(POSTGRES_URL)
            with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    assert counts["kills"] + counts["completed"] == 4
    assert counts["stored"] == 300
