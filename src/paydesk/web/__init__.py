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
        accounts,
        auth,
        bank,
        codes,
        desk,
        documents,
        drawer,
        events,
        search,
        start,
    )

    for module in (auth, start, search, accounts, documents, codes, bank, desk, events, drawer):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(packages=[("paydesk.web", "static")]), name="static")
