"""Item 5: the README's role matrix is what the API and the pages do, route by route.

The test walks every operation of the OpenAPI with each role's key, and every web page and
form with a signed-in user of each role, and compares "refused for the role" (403) with the
README table between the ``role-matrix`` markers. A route missing from the table, or a table
row with no route, fails too. ``python -m tests.security.test_role_matrix`` prints the
tables as the application has them.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from paydesk.auth import service
from paydesk.db.engine import Database
from paydesk.web.pages import PageRoute
from tests.web.conftest import _password_hash, csrf_token

README = Path(__file__).resolve().parents[2] / "README.md"
ROLES = ("cashier", "supervisor", "integration", "admin")
YES, NO = "✓", "—"
#: Pages anyone may use, signed in or not (not in the table's role columns).
PUBLIC_PAGES = {"/", "/sign-in", "/sign-out", "/language"}
_ROW = re.compile(r"^\|\s*`(GET|POST|PATCH|PUT|DELETE) ([^`]+)`\s*\|(.*)\|\s*$")


def documented(kind: str) -> dict[tuple[str, str], tuple[str, ...]]:
    text = README.read_text(encoding="utf-8")
    block = text.split(f"<!-- role-matrix:{kind} -->", 1)[1].split(f"<!-- /role-matrix:{kind} -->")[
        0
    ]
    rows = {}
    for line in block.splitlines():
        found = _ROW.match(line.strip())
        if found:
            cells = tuple(c.strip() for c in found.group(3).split("|"))
            rows[(found.group(1), found.group(2))] = cells
    return rows


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "999999", path)


def api_matrix(client: TestClient, keys: dict[str, str]) -> dict[tuple[str, str], tuple[str, ...]]:
    spec = client.get("/v1/openapi.json").json()
    observed = {}
    for path, operations in spec["paths"].items():
        for method in operations:
            cells = []
            for role in ROLES:
                response = client.request(
                    method.upper(),
                    _concrete(path),
                    headers={"Authorization": f"Bearer {keys[role]}"},
                    json={} if method in ("post", "patch", "put") else None,
                )
                assert response.status_code != 500, (method, path, role, response.text)
                cells.append(NO if response.status_code == 403 else YES)
            observed[(method.upper(), path)] = tuple(cells)
    return observed


def _page_routes(routes) -> list[PageRoute]:
    """The web routes (the pages' routers are included without a prefix)."""
    found = []
    for route in routes:
        if isinstance(route, PageRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found.extend(_page_routes(route.original_router.routes))
    return found


def page_matrix(db: Database, app) -> dict[tuple[str, str], tuple[str, ...]]:
    clients = {}
    with db.transaction() as session:
        for role in ROLES:
            user = service.create_user(session, username=f"page-{role}", role=role)
            user.password_hash = _password_hash("page-pass-123")
    for role in ROLES:
        browser = TestClient(app)
        token = csrf_token(browser.get("/sign-in").text)
        signed = browser.post(
            "/sign-in",
            data={"csrf_token": token, "username": f"page-{role}", "password": "page-pass-123"},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        clients[role] = (browser, csrf_token(browser.get("/accounts").text))
    observed = {}
    for route in _page_routes(app.routes):
        if route.path in PUBLIC_PAGES:
            continue
        for method in sorted(route.methods):
            cells = []
            for role in ROLES:
                browser, token = clients[role]
                response = browser.request(
                    method,
                    _concrete(route.path),
                    data={"csrf_token": token} if method == "POST" else None,
                    follow_redirects=False,
                )
                assert response.status_code != 500, (method, route.path, role, response.text)
                cells.append(NO if response.status_code == 403 else YES)
            observed[(method, route.path)] = tuple(cells)
    return observed


def _compare(observed, table) -> list[str]:
    problems = [
        f"not in the README: {m} {p} {cells}"
        for (m, p), cells in observed.items()
        if (m, p) not in table
    ]
    problems += [
        f"in the README but no such route: {m} {p}" for (m, p) in table if (m, p) not in observed
    ]
    problems += [
        f"{m} {p}: README says {table[(m, p)]}, the app does {cells}"
        for (m, p), cells in observed.items()
        if (m, p) in table and table[(m, p)] != cells
    ]
    return problems


def test_every_api_operation_answers_each_role_as_the_readme_table_says(
    client: TestClient, keys: dict[str, str]
):
    assert not _compare(api_matrix(client, keys), documented("api"))


def test_every_page_and_form_answers_each_role_as_the_readme_table_says(
    client: TestClient, db: Database
):
    assert not _compare(page_matrix(db, client.app), documented("pages"))


def test_the_bank_network_gets_inquiry_and_push_and_nothing_at_the_desk():
    table = documented("api")
    integration = {op for op, cells in table.items() if cells[ROLES.index("integration")] == YES}
    assert ("GET", "/v1/bank/inquiry/{code}") in integration
    assert ("POST", "/v1/bank/notifications") in integration
    desk = (
        "/v1/payment-events",
        "/v1/payments",
        "/v1/tenders",
        "/v1/drawer-sessions",
        "/v1/stored-methods",
    )
    assert not [op for op in integration if op[1].startswith(desk)]
    assert ("POST", "/v1/payment-codes/{code}/cancel") not in integration


if __name__ == "__main__":  # print the tables as the app has them
    import os
    import tempfile

    os.environ.setdefault("PAYDESK_SECRET_KEY", "print-the-role-matrix-" + "x" * 20)
    from paydesk.api.app import create_app
    from paydesk.db.migrate import upgrade
    from paydesk.settings import Settings

    url = f"sqlite:///{tempfile.mkdtemp()}/matrix.db"
    upgrade(url)
    database = Database(url)
    role_keys = {}
    with database.transaction() as session:
        for role in ROLES:
            role_keys[role] = service.create_key(
                session, service.create_user(session, username=f"{role}-user", role=role)
            )
    with TestClient(create_app(Settings(database_url=url), database)) as app_client:
        for kind, table in (
            ("api", api_matrix(app_client, role_keys)),
            ("pages", page_matrix(database, app_client.app)),
        ):
            print(f"<!-- role-matrix:{kind} -->")
            print(
                "| "
                + ("endpoint" if kind == "api" else "page or form")
                + " | "
                + " | ".join(ROLES)
                + " |"
            )
            print("| --- |" + " :-: |" * len(ROLES))
            for (method, path), cells in table.items():
                print(f"| `{method} {path}` | " + " | ".join(cells) + " |")
            print(f"<!-- /role-matrix:{kind} -->\n")
