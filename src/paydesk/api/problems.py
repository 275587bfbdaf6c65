"""The one place errors become HTTP answers: RFC 9457 problem JSON with a stable ``type``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from paydesk.errors import PaydeskError

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"urn:paydesk:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


def problem_for(error: PaydeskError) -> JSONResponse:
    extra = {k: v for k, v in error.extra.items() if isinstance(v, str | int | bool | None)}
    return problem(error.status, error.slug, error.title, error.detail, **extra)


_HTTP_SLUGS = {401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method-not-allowed"}


def install(app: FastAPI) -> None:
    @app.exception_handler(PaydeskError)
    async def _paydesk(_request: Request, error: PaydeskError) -> JSONResponse:
        return problem_for(error)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in error.errors()
        ]
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)
        return problem(422, "invalid-input", "Invalid input", detail, errors=errors)

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, error: HTTPException) -> JSONResponse:
        slug = _HTTP_SLUGS.get(error.status_code, f"http-{error.status_code}")
        return problem(error.status_code, slug, str(error.detail), str(error.detail))

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def _unstorable(_request: Request, error: Exception) -> JSONResponse:
        # A value the database refuses (a number past its column's range, …): the request's
        # transaction was rolled back, so nothing was written.
        log.info("value refused by the database: %s", error)
        return problem(
            422, "invalid-input", "Invalid input", "a value is out of the range that can be stored"
        )

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=error)
        return problem(
            500, "internal-error", "Internal error", "the request failed; nothing was changed"
        )


#: The problems every operation may answer, declared in the OpenAPI of each route.
DECLARED = {
    "400": "The request cannot be understood",
    "401": "An API key is missing or not valid",
    "403": "The caller's role may not do this",
    "404": "Something the request names does not exist",
    "409": "The current state does not allow it (or an Idempotency-Key was reused)",
    "422": "A value is not valid (the `errors` list names each)",
}

PROBLEM_SCHEMA = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details; `type` is `urn:paydesk:problem:<slug>`",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
    "required": ["type", "title", "status", "detail"],
}


def responses(**described: str) -> dict[int | str, dict[str, Any]]:
    """A route's own problem answers beyond the common ones: ``responses(s413="…")``."""
    return {int(code[1:]): {"description": text} for code, text in described.items()}


def declare(app: FastAPI) -> None:
    """Add the problem responses (``application/problem+json``) to every operation's OpenAPI,
    in place of FastAPI's own 422 body; ``/health`` answers without credentials or input."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        ref = {"$ref": "#/components/schemas/Problem"}
        for path, operations in schema.get("paths", {}).items():
            if path.endswith("/health"):
                continue
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for code, description in DECLARED.items():
                    declared = responses.get(code)
                    if declared is None or code == "422":
                        declared = responses[code] = {"description": description}
                    declared["content"] = {MEDIA_TYPE: {"schema": ref}}
                for code, declared in responses.items():  # a route's own (413, 502, …)
                    if code[0] in "45":
                        declared["content"] = {MEDIA_TYPE: {"schema": ref}}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
