"""Codes do not import slips: slips register the queueing of a slip e-mail as the codes' issue
hook. Every way to issue a code (the API and pages, the command line) has it registered."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = (
    "import importlib, sys; importlib.import_module(sys.argv[1]); "
    "from paydesk.codes import service; print([h.__qualname__ for h in service.issued_hooks()])"
)


def _hooks_after_importing(module: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, module], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.mark.parametrize("entry_point", ["paydesk.api.app", "paydesk.cli.main"])
def test_each_entry_point_registers_the_slip_e_mail_on_issue(entry_point: str) -> None:
    assert _hooks_after_importing(entry_point) == "['queue_on_issue']"


def test_codes_alone_know_no_hook() -> None:
    assert _hooks_after_importing("paydesk.documents.service") == "[]"
