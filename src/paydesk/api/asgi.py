"""ASGI entry point for multi-process servers: ``uvicorn paydesk.api.asgi:app``."""

from paydesk.api.app import create_app

app = create_app()
