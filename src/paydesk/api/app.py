"""The FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from paydesk import __version__
from paydesk.api import problems
from paydesk.api.routes import (
    accounts,
    admin,
    bank,
    bank_gateway,
    cashier,
    codes,
    direct_debits,
    documents,
    reports,
    slips,
    webhooks,
)
from paydesk.db.engine import Database
from paydesk.settings import Settings, get_settings
from paydesk.web import mount as mount_web_pages

API_PREFIX = "/v1"


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_secret()  # no server with a missing or guessable secret key
    app = FastAPI(
        title="paydesk",
        version=__version__,
        summary="RF payment codes, bank notifications and the cashier desk.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        telemetry={
            "tracing": settings.telemetry,
            "metrics": settings.telemetry,
            "logs": settings.telemetry,
        },
    )
    app.state.settings = settings
    app.state.db = db or Database(settings.database_url)
    problems.install(app)
    # Routes are matched in order: the bank gateway's (called for every payment) come first.
    for module in (
        bank_gateway,
        admin,
        accounts,
        documents,
        codes,
        cashier,
        bank,
        direct_debits,
        slips,
        webhooks,
        reports,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    mount_web_pages(app)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_document() -> RedirectResponse:
        """Where tools look for it first; the document lives with the API under /v1."""
        return RedirectResponse(app.openapi_url or f"{API_PREFIX}/openapi.json", status_code=308)

    problems.declare(app)
    return app
