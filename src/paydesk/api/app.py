"""The FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from paydesk import __version__
from paydesk.api import problems
from paydesk.api.routes import accounts, admin, bank_gateway, codes, documents, webhooks
from paydesk.db.engine import Database
from paydesk.settings import Settings, get_settings

API_PREFIX = "/v1"


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="paydesk",
        version=__version__,
        summary="RF payment codes, bank notifications and the cashier desk.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = db or Database(settings.database_url)
    problems.install(app)
    for module in (admin, accounts, documents, codes, bank_gateway, webhooks):
        app.include_router(module.router, prefix=API_PREFIX)
    return app
