"""Health, users and API keys, audit trail."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import text

from paydesk import __version__
from paydesk.api.deps import Call, database, require, writer
from paydesk.api.schemas import Strict
from paydesk.audit import trail
from paydesk.auth import service
from paydesk.auth.roles import ADMINS, ANYONE
from paydesk.db.engine import Database

router = APIRouter()


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
    display_name: str | None = None
    password: str | None = None


class UserOut(BaseModel):
    id: int
    username: str
    role: str
    display_name: str


class KeyOut(BaseModel):
    api_key: str = Field(description="Shown once; only its hash is stored")


@router.post("/users", status_code=201, response_model=UserOut, tags=["users"])
def create_user(body: UserIn, call: Call = Depends(writer(ADMINS))):
    def work(session):
        user = service.create_user(session, **body.model_dump())
        return UserOut(
            id=user.id, username=user.username, role=user.role, display_name=user.display_name
        )

    return call.run(work, 201)


@router.post("/users/{username}/keys", status_code=201, response_model=KeyOut, tags=["users"])
def create_key(username: str, call: Call = Depends(writer(ADMINS))):
    return call.run(
        lambda s: KeyOut(api_key=service.create_key(s, service.get_user(s, username))), 201
    )


class AuditEventOut(BaseModel):
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
    db: Database = Depends(database),
    _caller=Depends(require(ANYONE)),
) -> list[AuditEventOut]:
    """Every status change of one record: who, when, from, to, why."""
    with db.reading() as session:
        return [
            AuditEventOut(
                at=e.at,
                actor=e.actor,
                entity_type=e.entity_type,
                entity_id=e.entity_id,
                from_status=e.from_status,
                to_status=e.to_status,
                reason=e.reason,
            )
            for e in trail.history(session, entity_type, entity_id)
        ]
