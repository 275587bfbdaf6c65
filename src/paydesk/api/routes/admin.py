"""Health, users and API keys, audit trail."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy import text

from paydesk import __version__
from paydesk.api.deps import Call, database, key_cache, reader, writer
from paydesk.api.limits import ApiRoute
from paydesk.api.schemas import Out, Reason, Strict
from paydesk.audit import trail
from paydesk.auth import service
from paydesk.auth.roles import ADMINS, ANYONE
from paydesk.db.engine import Database

router = APIRouter(route_class=ApiRoute)


class HealthOut(BaseModel):
    status: str
    version: str
    database: str


@router.get("/health", response_model=HealthOut, tags=["health"])
def health(db: Database = Depends(database)) -> HealthOut:
    """Answers without credentials: is the service up and its database reachable."""
    with db.reading() as session:
        session.execute(text("SELECT 1"))
    return HealthOut(status="ok", version=__version__, database=db.dialect)


class UserIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    role: str
    display_name: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, min_length=8, max_length=1024)


class UserOut(Out):
    id: int
    username: str
    role: str
    display_name: str
    active: bool = True


class KeyOut(BaseModel):
    key_id: str = Field(description="The public part of the key (`pdk_<key_id>_…`)")
    api_key: str = Field(
        description="Shown once; only its hash is stored. A retry with the same "
        "Idempotency-Key is refused (`secret-not-replayed`, 409) instead of showing it again"
    )


class KeyInfoOut(Out):
    key_id: str
    name: str
    created_at: datetime
    revoked_at: datetime | None


class PasswordIn(Strict):
    password: str = Field(min_length=8, max_length=1024)


class DeactivateIn(Strict):
    reason: Reason | None = None


@router.post("/users", status_code=201, response_model=UserOut, tags=["users"])
def create_user(body: UserIn, call: Call = Depends(writer(ADMINS))):
    def work(session):
        return UserOut.model_validate(service.create_user(session, **body.model_dump()))

    return call.run(work, 201)


@router.post("/users/{username}/keys", status_code=201, response_model=KeyOut, tags=["users"])
def create_key(username: str, call: Call = Depends(writer(ADMINS))):
    """A new API key for the user, shown once (never stored, never replayed)."""

    def work(session):
        full = service.create_key(session, service.get_user(session, username))
        return KeyOut(key_id=full.split("_", 2)[1], api_key=full)

    return call.run(work, 201, secret_fields=("api_key",))


@router.get("/users/{username}/keys", response_model=list[KeyInfoOut], tags=["users"])
def list_keys(username: str, db: Database = Depends(reader(ADMINS))) -> list[KeyInfoOut]:
    """The user's API keys (revoked ones too): public id, name, when made, when revoked."""
    with db.reading() as session:
        return [
            KeyInfoOut.model_validate(k)
            for k in service.keys_of(session, service.get_user(session, username))
        ]


@router.post("/users/{username}/keys/{key_id}/revoke", response_model=KeyInfoOut, tags=["users"])
def revoke_key(username: str, key_id: str, request: Request, call: Call = Depends(writer(ADMINS))):
    """Revoke a key: refused at once by this server process, within `api_key_cache_seconds`
    by other processes."""
    response = call.run(
        lambda s: KeyInfoOut.model_validate(
            service.revoke_key(s, service.get_user(s, username), key_id, actor=call.actor)
        )
    )
    key_cache(request).clear()
    return response


@router.post("/users/{username}/deactivate", response_model=UserOut, tags=["users"])
def deactivate_user(
    username: str,
    request: Request,
    body: DeactivateIn | None = None,
    call: Call = Depends(writer(ADMINS)),
):
    """Switch a user off: their web sessions end at once, their API keys are refused at once
    by this server process and within `api_key_cache_seconds` by others."""
    reason = body.reason if body else None
    response = call.run(
        lambda s: UserOut.model_validate(
            service.deactivate_user(
                s, service.get_user(s, username), actor=call.actor, reason=reason
            )
        )
    )
    key_cache(request).clear()
    return response


@router.post("/users/{username}/password", response_model=UserOut, tags=["users"])
def set_password(username: str, body: PasswordIn, call: Call = Depends(writer(ADMINS))):
    """A new web password for the user; every web session of theirs ends at once."""

    def work(session):
        user = service.get_user(session, username)
        service.set_password(session, user, body.password, actor=call.actor)
        return UserOut.model_validate(user)

    return call.run(work)


class AuditEventOut(Out):
    at: datetime
    actor: str
    entity_type: str
    entity_id: str
    from_status: str | None
    to_status: str
    reason: str | None


@router.get("/audit/{entity_type}/{entity_id}", response_model=list[AuditEventOut], tags=["audit"])
def audit(
    entity_type: str,
    entity_id: str,
    db: Database = Depends(reader(ANYONE)),
) -> list[AuditEventOut]:
    """Every status change of one record: who, when, from, to, why."""
    with db.reading() as session:
        return [
            AuditEventOut.model_validate(e) for e in trail.history(session, entity_type, entity_id)
        ]
