"""Item 13: schemathesis over the whole OpenAPI finds no server error and no status code the
OpenAPI does not declare (each route declares its problem responses, 400/401/403/404/409/422).

Bounded to stay well under two minutes (about 30 s, some 3 400 requests): Hypothesis'
``MAX_EXAMPLES`` per operation plus schemathesis's own edge cases, derandomized (the same
cases on every run), SQLite only, calls made as an admin (every route's code runs past the
role check).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from paydesk.api.app import create_app
from paydesk.auth import service
from paydesk.db.engine import Database
from paydesk.db.migrate import upgrade
from paydesk.settings import Settings
from tests.conftest import BACKENDS

MAX_EXAMPLES = 12

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif("sqlite" not in BACKENDS, reason="the fuzz run uses SQLite"),
]


def _app():
    folder = tempfile.mkdtemp(prefix="paydesk-fuzz-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    url = f"sqlite:///{folder}/fuzz.db"
    upgrade(url)
    db = Database(url)
    with db.transaction() as session:
        key = service.create_key(
            session, service.create_user(session, username="fuzz", role="admin")
        )
    return create_app(Settings(database_url=url), db), key


APP, ADMIN_KEY = _app()
schema = schemathesis.openapi.from_asgi("/v1/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_no_undeclared_status_code(case):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        checks=[not_a_server_error, status_code_conformance],
    )
