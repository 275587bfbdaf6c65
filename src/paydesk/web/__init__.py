"""Web pages served by paydesk itself, for the cashier and the back office (en, el, pl).

Server-rendered Jinja2 templates with htmx (vendored in ``static/``); they call the same domain
services as the API. :func:`mount` adds them to the application.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles


def mount(app: FastAPI) -> None:
    """Serve the pages at ``/`` and their styles and scripts at ``/static``."""
    from paydesk.web.views import (
        account_edit,
        accounts,
        auth,
        bank,
        codes,
        credit,
        desk,
        directdebits,
        documents,
        drawer,
        events,
        payments,
        quick,
        search,
        start,
    )

    for module in (
        auth,
        start,
        search,
        accounts,
        account_edit,
        credit,
        documents,
        codes,
        bank,
        desk,
        quick,
        events,
        payments,
        drawer,
        directdebits,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(packages=[("paydesk.web", "static")]), name="static")
    _answer_unknown_addresses_with_a_page(app)


def _answer_unknown_addresses_with_a_page(app: FastAPI) -> None:
    """An address no route has answers with a page for a browser, problem JSON for the API."""
    from starlette.exceptions import HTTPException
    from starlette.requests import Request

    from paydesk.web.pages import error_page, load_web

    api_handler = app.exception_handlers[HTTPException]

    async def _not_found(request: Request, error: Exception):
        wants_page = (
            isinstance(error, HTTPException)
            and error.status_code == 404
            and not request.url.path.startswith(("/v1/", "/static/"))
            and "text/html" in request.headers.get("accept", "")
        )
        if not wants_page:
            return await api_handler(request, error)
        web = load_web(request)
        return error_page(request, 404, web._("There is no page at this address."))

    app.add_exception_handler(HTTPException, _not_found)
