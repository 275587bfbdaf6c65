"""Request dependencies: the caller's identity and role, and idempotent writes.

A checked API key is remembered for ``api_key_cache_seconds`` (per server process), so most
calls do not read the key from the database; revoking a key or deactivating its user takes
effect within that time. Unknown or refused keys are never remembered.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from paydesk.api.models import IdempotencyRecord
from paydesk.auth.roles import Role
from paydesk.auth.service import Principal, principal_for_key
from paydesk.db.engine import Database
from paydesk.errors import (
    Forbidden,
    IdempotencyKeyReused,
    InvalidInput,
    SecretNotReplayed,
    Unauthorized,
)
from paydesk.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer pdk_…`")
_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def database(request: Request) -> Database:
    return request.app.state.db


def settings(request: Request) -> Settings:
    return request.app.state.settings


class KeyCache:
    """API key → principal, each for at most ``seconds`` after it was read from the database."""

    def __init__(self, seconds: float, max_entries: int = 4096) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Principal]] = {}

    @staticmethod
    def _digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()  # no plain key kept in memory

    def get(self, key: str) -> Principal | None:
        entry = self._entries.get(self._digest(key))
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]

    def put(self, key: str, found: Principal) -> None:
        if self.seconds <= 0:
            return
        now = time.monotonic()
        if len(self._entries) >= self.max_entries:
            self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
        self._entries[self._digest(key)] = (now + self.seconds, found)

    def clear(self) -> None:
        self._entries.clear()


def key_cache(request: Request) -> KeyCache:
    cache = getattr(request.app.state, "key_cache", None)
    if cache is None:
        cache = request.app.state.key_cache = KeyCache(
            request.app.state.settings.api_key_cache_seconds
        )
    return cache


def _lookup(db: Database, key: str) -> Principal | None:
    with db.reading() as session:
        return principal_for_key(session, key)


async def principal(
    request: Request,
    bearer: HTTPAuthorizationCredentials | None = Depends(_bearer),
    header_key: str | None = Depends(_header),
) -> Principal:
    """The caller, from an API key (or a signed-in web session)."""
    session_principal = getattr(request.state, "principal", None)
    if session_principal is not None:
        return session_principal
    key = bearer.credentials if bearer else header_key
    if not key:
        raise Unauthorized("an API key is required (Authorization: Bearer pdk_…)")
    cache = key_cache(request)
    found = cache.get(key)
    if found is None:
        found = await run_in_threadpool(_lookup, request.app.state.db, key)
        if found is None:
            raise Unauthorized("the API key is not valid")
        cache.put(key, found)
    return found


def require(roles: Iterable[Role]) -> Callable[..., Principal]:
    allowed = frozenset(roles)

    async def _check(caller: Principal = Depends(principal)) -> Principal:
        if caller.role not in allowed:
            raise Forbidden(
                f"role {caller.role.value!r} may not do this; allowed: "
                f"{sorted(r.value for r in allowed)}"
            )
        return caller

    return _check


def reader(roles: Iterable[Role]) -> Callable[..., Any]:
    """Dependency for a GET: checks the role and gives the database to read from."""
    check = require(roles)

    async def _database(request: Request, _caller: Principal = Depends(check)) -> Database:
        return request.app.state.db

    return _database


@dataclass(frozen=True)
class Paging:
    """A list's page as the query string asks for it (``Depends()``): ``limit`` items from
    ``offset``."""

    limit: int = Query(50, ge=1, le=500)
    offset: int = Query(0, ge=0)


def _encode(result: Any) -> Any:
    """JSON-ready content; a response model is dumped directly (what the encoder would do)."""
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json", by_alias=True)
    return jsonable_encoder(result)


class Call:
    """One API call that writes: runs its work in one transaction, idempotently by key."""

    def __init__(self, request: Request, caller: Principal, body: bytes) -> None:
        self.request = request
        self.principal = caller
        self.db: Database = request.app.state.db
        self.settings: Settings = request.app.state.settings
        self.key = request.headers.get("Idempotency-Key")
        if self.key is not None and not 1 <= len(self.key) <= 255:
            raise InvalidInput("Idempotency-Key is 1 to 255 characters")
        digest = hashlib.sha256()
        digest.update(request.method.encode())
        digest.update(request.url.path.encode())
        digest.update(request.url.query.encode())
        digest.update(body)
        self.request_hash = digest.hexdigest()

    @property
    def actor(self) -> str:
        return self.principal.username

    def run(
        self,
        work: Callable[[Session], Any],
        status_code: int = 200,
        *,
        secret_fields: tuple[str, ...] = (),
    ) -> JSONResponse:
        """Do ``work`` and answer its result; a retry with the same key replays the answer.

        ``secret_fields`` name fields of the answer that hold a secret shown once (a new API
        key, a webhook signing secret). They are never stored with the idempotency record: a
        retry with the same key is refused (``secret-not-replayed``, 409) and names what the
        first request created, instead of answering the secret again.
        """
        if self.key is None:
            with self.db.transaction() as session:
                content = _encode(work(session))
            return JSONResponse(content, status_code=status_code)
        replay = self._replay()
        if replay is not None:
            return replay
        try:
            with self.db.transaction() as session:
                content = _encode(work(session))
                session.add(
                    IdempotencyRecord(
                        user_id=self.principal.user_id,
                        key=self.key,
                        method=self.request.method,
                        path=self.request.url.path,
                        request_hash=self.request_hash,
                        status_code=status_code,
                        response_body=json.dumps(_withhold(content, secret_fields)),
                    )
                )
                session.flush()
        except IntegrityError:
            # A concurrent request with the same key won; its answer is ours.
            replay = self._replay()
            if replay is None:
                raise
            return replay
        return JSONResponse(content, status_code=status_code)

    def _replay(self) -> JSONResponse | None:
        with self.db.reading() as session:
            record = session.scalar(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.user_id == self.principal.user_id,
                    IdempotencyRecord.key == self.key,
                )
            )
        if record is None:
            return None
        if record.request_hash != self.request_hash:
            raise IdempotencyKeyReused(
                f"Idempotency-Key {self.key!r} was used for a different request"
            )
        stored = json.loads(record.response_body)
        if isinstance(stored, dict) and WITHHELD in stored:
            created = {k: v for k, v in stored.items() if k != WITHHELD and v is not None}
            raise SecretNotReplayed(
                f"the first request with Idempotency-Key {self.key!r} succeeded; its "
                f"{' and '.join(stored[WITHHELD])} was shown only once and is not kept, so it "
                "cannot be answered again (revoke or delete what was created if the answer "
                "was lost, and create another)",
                **{f"created_{k}": v for k, v in created.items() if isinstance(v, str | int)},
            )
        return JSONResponse(
            stored,
            status_code=record.status_code,
            headers={"Idempotent-Replayed": "true"},
        )


#: Marks a stored answer whose secret fields were left out (see :meth:`Call.run`).
WITHHELD = "_secret_fields_withheld"


def _withhold(content: Any, fields: tuple[str, ...]) -> Any:
    if not fields or not isinstance(content, dict):
        return content
    held = [f for f in fields if content.get(f) is not None]
    if not held:
        return content
    return {**{k: v for k, v in content.items() if k not in held}, WITHHELD: held}


def writer(roles: Iterable[Role]) -> Callable[..., Any]:
    """Dependency for a POST: checks the role and prepares an idempotent :class:`Call`."""
    check = require(roles)

    async def _call(request: Request, caller: Principal = Depends(check)) -> Call:
        return Call(request, caller, await request.body())

    return _call
