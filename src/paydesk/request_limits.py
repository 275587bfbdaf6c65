"""Request values no database can take are refused with 422 before anything runs.

- Integers outside 64 bits (``-2**63 .. 2**63-1``) in integer path and query parameters
  (ids, ``offset``, ``limit``) and anywhere in a JSON body: PostgreSQL's ``bigint`` and
  SQLite's INTEGER stop there.
- The NUL character (``\\x00``) in any path or query value, any JSON string (or key) and any
  url-encoded form field: PostgreSQL text cannot hold it.

:func:`refusal` is the check itself; ``paydesk.api.limits.ApiRoute`` puts it in front of every API
route (problem JSON) and ``paydesk.web.pages`` in front of every web page (an error page). A
last guard in :mod:`paydesk.api.problems` turns a value the database still refuses (a column's
own range) into the same 422.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_MAX_DEPTH = 64


def _params(dependant: Dependant) -> Iterator[tuple[str, str, Any]]:
    """``(where, name, annotation)`` of every path and query parameter, dependencies included."""
    for field in dependant.path_params:
        yield "path", field.alias, field.field_info.annotation
    for field in dependant.query_params:
        yield "query", field.alias, field.field_info.annotation
    for sub in dependant.dependencies:
        yield from _params(sub)


def _is_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, typing.Annotated, set, tuple):
        return any(_is_int(arg) for arg in typing.get_args(annotation))
    return False


def int_params(dependant: Dependant) -> frozenset[tuple[str, str]]:
    return frozenset((where, name) for where, name, ann in _params(dependant) if _is_int(ann))


def _too_big(text: str) -> bool:
    text = text.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not digits.isascii() or not digits.isdigit():
        return False
    return not INT64_MIN <= int(text) <= INT64_MAX


def _walk(value: Any, where: str, depth: int = 0) -> str | None:
    if depth > _MAX_DEPTH:
        return None
    if isinstance(value, str):
        return f"{where}: text may not contain the NUL character" if "\x00" in value else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            return f"{where}: integers are at most 64 bits ({INT64_MIN} to {INT64_MAX})"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in str(key):
                return f"{where}: a field name may not contain the NUL character"
            found = _walk(item, f"{where}.{key}", depth + 1)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _walk(item, f"{where}.{index}", depth + 1)
            if found:
                return found
    return None


async def refusal(request: Request, ints: frozenset[tuple[str, str]]) -> str | None:
    """Why the request carries a value no database can take, or ``None``."""
    for name, value in request.path_params.items():
        if "\x00" in str(value):
            return f"path.{name}: text may not contain the NUL character"
        if ("path", name) in ints and _too_big(str(value)):
            return f"path.{name}: integers are at most 64 bits ({INT64_MIN} to {INT64_MAX})"
    for name, value in request.query_params.multi_items():
        if "\x00" in name or "\x00" in value:
            return f"query.{name}: text may not contain the NUL character"
        if ("query", name) in ints and _too_big(value):
            return f"query.{name}: integers are at most 64 bits ({INT64_MIN} to {INT64_MAX})"
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/json" or kind.endswith("+json"):
            body = await request.body()
            if body:
                try:
                    parsed = json.loads(body)
                except ValueError:
                    return None  # FastAPI answers the JSON error itself
                return _walk(parsed, "body")
        elif kind == "application/x-www-form-urlencoded":
            form = await request.form()
            for name, value in form.multi_items():
                if "\x00" in name or (isinstance(value, str) and "\x00" in value):
                    return f"form.{name}: text may not contain the NUL character"
    return None
