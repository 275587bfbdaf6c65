"""ASGI entry point for multi-process servers: ``uvicorn paydesk.api.asgi:app``."""

from paydesk.api.app import create_app
from paydesk.collection import settle_long_lived

app = create_app()
settle_long_lived()
