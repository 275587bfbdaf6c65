"""Collect direct-debit tenders from the payers' banks, and take back what does not come.

- :func:`export` writes the collections due by a day into one pain.008.001.08 file (see
  :mod:`paydesk.directdebits.pain008`), grouped by sequence type and collection date, each
  collection dated by the lead time (:mod:`paydesk.directdebits.rules`); the collections
  become ``sent`` and their mandates move on (``FRST`` → ``RCUR``; a one-off or final
  mandate ends). One file per day: exporting the same day again gives the same file.
- :func:`settle` takes what the bank reported about a collection — a camt.054 booking
  (``confirmed``) or return (``returned``) — and :func:`apply_status_report` the rejects of a
  pain.002. A return cancels the tender through the desk's one way to cancel a tender (its
  payments reversed by the payments pipeline), adds the cash-only points the settings give
  the reason code, and tells the host system (``direct_debit.returned``). A report seen
  before changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from paydesk.audit import trail
from paydesk.cashier import service as desk
from paydesk.cashier import wallet
from paydesk.cashier.models import DirectDebitCollection, Mandate, ServiceTask
from paydesk.db.base import utcnow
from paydesk.directdebits import pain002, pain008, rules
from paydesk.directdebits.models import DirectDebitFile
from paydesk.errors import Conflict, NotFound
from paydesk.payments import events
from paydesk.payments.models import Tender
from paydesk.settings import DEFAULT_RETURN_POINTS, Settings
from paydesk.webhooks import outbox

__all__ = [
    "Exported",
    "NotConfigured",
    "NothingDue",
    "ReturnRules",
    "Settled",
    "apply_status_report",
    "collections",
    "export",
    "file_for",
    "files",
    "get_file",
    "return_collection",
    "settle",
]

#: How the audit trail names a collection.
ENTITY = "direct_debit"


class NotConfigured(Conflict):
    """The installation has no SEPA creditor identifier: nothing can be exported (409)."""

    slug = "direct-debit-not-configured"
    title = "Direct debits are not configured"


class NothingDue(Conflict):
    slug = "nothing-to-collect"
    title = "No direct debit is due"


@dataclass(frozen=True)
class ReturnRules:
    """What a returned collection costs the payer: cash-only points by reason code, counting
    for ``months`` (``0``: always)."""

    points: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_RETURN_POINTS))
    other: int = 1
    months: int = 12

    @classmethod
    def of(cls, settings: Settings) -> ReturnRules:
        dd = settings.direct_debit
        return cls(
            dd.return_points, dd.other_return_points, settings.cashier.cash_only_points_months
        )


@dataclass(frozen=True)
class Exported:
    file: DirectDebitFile
    #: False: the file was made before for this day and is given again, unchanged.
    created: bool


def file_for(session: Session, due_on: date) -> DirectDebitFile | None:
    """The file made for ``due_on``, if any."""
    return session.scalars(select(DirectDebitFile).where(DirectDebitFile.due_on == due_on)).first()


def files(session: Session, *, limit: int = 50) -> list[DirectDebitFile]:
    """The files made, newest first."""
    return list(
        session.scalars(select(DirectDebitFile).order_by(DirectDebitFile.id.desc()).limit(limit))
    )


def get_file(session: Session, file_id: int) -> DirectDebitFile:
    found = session.get(DirectDebitFile, file_id)
    if found is None:
        raise NotFound(f"no direct-debit file {file_id}", file_id=file_id)
    return found


def collections(
    session: Session, *, status: str | None = None, limit: int = 200
) -> list[DirectDebitCollection]:
    """Collections, newest first; ``status='returned'`` is the follow-up list."""
    query = select(DirectDebitCollection).order_by(DirectDebitCollection.id.desc()).limit(limit)
    if status:
        query = query.where(DirectDebitCollection.status == status)
    return list(session.scalars(query))


def _waiting_for_validation(session: Session, event_ids: Iterable[int]) -> set[int]:
    ids = list(set(event_ids))
    if not ids:
        return set()
    return set(
        session.scalars(
            select(ServiceTask.event_id).where(
                ServiceTask.event_id.in_(ids), ServiceTask.status != "completed"
            )
        )
    )


def export(
    session: Session,
    settings: Settings,
    *,
    due_on: date,
    actor: str,
    today: date | None = None,
) -> Exported:
    """The pain.008 file of the collections due on or before ``due_on`` (see the module
    docstring). Collections whose tender was cancelled become ``cancelled``; those whose bank
    account is still being validated wait for a later file."""
    made = file_for(session, due_on)
    if made is not None:
        return Exported(made, False)
    creditor_id = settings.direct_debit.creditor_id
    if creditor_id is None:
        raise NotConfigured(
            "direct debits need the SEPA creditor identifier: set [direct_debit] creditor_id"
        )
    chosen, next_sequences = _choose(session, due_on, actor=actor)
    if not chosen:
        raise NothingDue(f"no direct debit is due by {due_on}", due_on=due_on.isoformat())
    currencies = {c.currency for c, _, _ in chosen}
    if len(currencies) > 1:
        raise Conflict(f"one direct-debit file is in one currency, not {sorted(currencies)}")
    sent_on = today or date.today()
    lead = settings.direct_debit.lead_days
    transactions = [
        pain008.Transaction(
            end_to_end_id=c.end_to_end_id,
            amount_minor=c.amount_minor,
            currency=c.currency,
            mandate_id=m.reference,
            signed_on=m.signed_on,
            debtor_name=m.holder_name,
            debtor_iban=m.iban,
            sequence=sequence,
            collection_date=rules.collection_date(c.due_on, sent_on, lead_days=lead),
            remittance=f"payment event {c.event_id}",
        )
        for c, m, sequence in chosen
    ]
    record = _store_file(session, settings, creditor_id, due_on, transactions, actor=actor)
    for (collection, _, _), t in zip(chosen, transactions, strict=True):
        collection.sequence = t.sequence
        collection.collection_date = t.collection_date
        collection.file_id = record.id
        detail = {"file_id": record.id, "sequence": t.sequence}
        trail.change(session, collection, "sent", actor=actor, entity_type=ENTITY, detail=detail)
    _move_mandates_on(session, next_sequences, actor=actor)
    return Exported(record, True)


def _choose(
    session: Session, due_on: date, *, actor: str
) -> tuple[list[tuple[DirectDebitCollection, Mandate, str]], dict[int, str | None]]:
    """The due collections to send (locked), each with its mandate and sequence type, and
    each mandate's sequence type after them (``None``: it ends)."""
    rows = session.execute(
        select(DirectDebitCollection, Tender.status, Mandate)
        .join(Tender, Tender.id == DirectDebitCollection.tender_id)
        .join(Mandate, Mandate.id == DirectDebitCollection.mandate_id)
        .where(DirectDebitCollection.status == "due", DirectDebitCollection.due_on <= due_on)
        .order_by(DirectDebitCollection.id)
        .with_for_update(of=DirectDebitCollection)
    ).all()
    waiting = _waiting_for_validation(session, [c.event_id for c, _, _ in rows])
    chosen: list[tuple[DirectDebitCollection, Mandate, str]] = []
    sequences: dict[int, str | None] = {}
    for collection, tender_status, mandate in rows:
        if tender_status != "valid":
            trail.change(
                session,
                collection,
                "cancelled",
                actor=actor,
                entity_type=ENTITY,
                reason="tender cancelled",
            )
            continue
        if collection.event_id in waiting:
            continue
        sequence = sequences.get(mandate.id, mandate.sequence)
        if mandate.status != "active" or sequence is None:
            continue  # a one-off or final mandate already used: a person signs a new one
        chosen.append((collection, mandate, sequence))
        sequences[mandate.id] = rules.next_sequence(sequence)
    return chosen, sequences


def _store_file(
    session: Session,
    settings: Settings,
    creditor_id: str,
    due_on: date,
    transactions: list[pain008.Transaction],
    *,
    actor: str,
) -> DirectDebitFile:
    """Write the pain.008 (validated against the schema) and keep it."""
    message_id = f"{settings.rf_prefix}-DD-{due_on:%Y%m%d}"
    creditor = pain008.Creditor(
        settings.business_name,
        settings.business_iban.replace(" ", ""),
        creditor_id,
        settings.business_bic,
    )
    xml = pain008.write(transactions, creditor=creditor, message_id=message_id, created_at=utcnow())
    record = DirectDebitFile(
        due_on=due_on,
        message_id=message_id,
        collections=len(transactions),
        total_minor=sum(t.amount_minor for t in transactions),
        currency=transactions[0].currency,
        sha256=hashlib.sha256(xml).hexdigest(),
        content=xml.decode("utf-8"),
        created_by=actor,
    )
    session.add(record)
    session.flush()
    return record


def _move_mandates_on(session: Session, sequences: dict[int, str | None], *, actor: str) -> None:
    """Each mandate's next sequence type; a one-off or final one has ended."""
    for mandate_id, after in sequences.items():
        mandate = session.get(Mandate, mandate_id)
        assert mandate is not None
        if after is not None:
            mandate.sequence = after
            continue
        trail.change(
            session,
            mandate,
            "ended",
            actor=actor,
            entity_type="mandate",
            reason=f"its {mandate.sequence} collection was sent",
        )


# --- what the bank reports ----------------------------------------------------------------


@dataclass(frozen=True)
class Settled:
    """What a bank's report did to a collection: ``confirmed``, ``returned``, ``duplicate``
    (seen before: nothing changed) or ``unknown`` (no such collection was sent)."""

    outcome: str
    reason: str | None = None
    collection_id: int | None = None


def _collection(session: Session, end_to_end_id: str) -> DirectDebitCollection | None:
    return session.scalars(
        select(DirectDebitCollection)
        .where(DirectDebitCollection.end_to_end_id == end_to_end_id)
        .with_for_update()
    ).first()


def settle(
    session: Session,
    *,
    end_to_end_id: str | None,
    amount_minor: int | None,
    currency: str | None,
    return_code: str | None,
    actor: str,
    returns: ReturnRules,
    bank_entry_id: int | None = None,
    on: date | None = None,
) -> Settled:
    """A camt.054 transaction about a collection: a booking confirms it, a return (with its
    reason code) returns it."""
    if return_code:
        return return_collection(
            session,
            end_to_end_id=end_to_end_id or "",
            code=return_code,
            via="camt.054",
            actor=actor,
            returns=returns,
            bank_entry_id=bank_entry_id,
            on=on,
        )
    collection = _collection(session, end_to_end_id) if end_to_end_id else None
    if collection is None or collection.status in ("due", "cancelled"):
        return Settled("unknown", f"no direct debit {end_to_end_id} was sent")
    if (amount_minor, currency) != (collection.amount_minor, collection.currency):
        return Settled("unknown", f"direct debit {end_to_end_id} was sent for another amount")
    if collection.status != "sent":
        return Settled("duplicate", collection_id=collection.id)
    collection.bank_entry_id = bank_entry_id
    trail.change(
        session,
        collection,
        "confirmed",
        actor=actor,
        entity_type=ENTITY,
        detail={"bank_entry_id": bank_entry_id},
    )
    return Settled("confirmed", collection_id=collection.id)


def return_collection(
    session: Session,
    *,
    end_to_end_id: str,
    code: str,
    via: str,
    actor: str,
    returns: ReturnRules,
    text: str | None = None,
    bank_entry_id: int | None = None,
    on: date | None = None,
) -> Settled:
    """The payer's bank did not pay: cancel the tender (and with it the event's payments),
    add the reason's cash-only points, tell the host system. Once only."""
    collection = _collection(session, end_to_end_id)
    if collection is None or collection.status in ("due", "cancelled"):
        return Settled("unknown", f"no direct debit {end_to_end_id} was sent")
    if collection.status == "returned":
        return Settled("duplicate", collection_id=collection.id)
    code = code.upper()
    reason = f"direct debit returned: {code} {rules.reason_text(code)}"
    points = rules.points_for(code, returns.points, returns.other)
    ends = wallet.points_end(returns.months, on)
    tender = session.get(Tender, collection.tender_id)
    assert tender is not None
    if tender.status == "valid":
        desk.cancel_tender(
            session,
            tender.id,
            reason=reason,
            actor=actor,
            cash_only_points=points,
            points_end=ends,
        )
    elif points:
        wallet.change_cash_only_points(
            session,
            collection.account_id,
            points,
            reason=f"tender {tender.id}: {reason}",
            actor=actor,
            tender_id=tender.id,
            ends_on=ends,
        )
    collection.return_code = code
    collection.return_reason = f"{rules.reason_text(code)}" + (f": {text}" if text else "")
    collection.returned_by = via
    if bank_entry_id is not None:
        collection.bank_entry_id = bank_entry_id
    trail.change(
        session,
        collection,
        "returned",
        actor=actor,
        entity_type=ENTITY,
        reason=reason,
        detail={"via": via},
    )
    mandate = session.get(Mandate, collection.mandate_id)
    assert mandate is not None
    event_type, payload = events.direct_debit_returned(
        collection.id,
        tender_id=tender.id,
        event_id=collection.event_id,
        account_id=collection.account_id,
        amount_minor=collection.amount_minor,
        currency=collection.currency,
        mandate=mandate.reference,
        end_to_end_id=collection.end_to_end_id,
        code=code,
        reason=rules.reason_text(code),
        returned_by=via,
        points=points,
    )
    outbox.emit(session, event_type, payload)
    return Settled("returned", reason, collection.id)


def _payment_infos(content: str) -> dict[str, list[str]]:
    """End-to-end ids by ``PmtInfId`` in a pain.008 file paydesk sent."""
    root = etree.fromstring(content.encode("utf-8"))
    q = f"{{{pain008.NAMESPACE}}}"
    return {
        info.findtext(f"{q}PmtInfId") or "": [
            e.text or "" for e in info.iterfind(f"{q}DrctDbtTxInf/{q}PmtId/{q}EndToEndId")
        ]
        for info in root.iter(f"{q}PmtInf")
    }


def apply_status_report(
    session: Session, data: bytes, *, actor: str, returns: ReturnRules
) -> list[Settled]:
    """Apply the rejects of a pain.002 (see :mod:`paydesk.directdebits.pain002`): each
    rejected collection is returned with the reason code. Raises ``InvalidStatusReport``."""
    report = pain002.parse(data)
    sent = session.scalars(
        select(DirectDebitFile).where(DirectDebitFile.message_id == report.original_message_id)
    ).first()
    if sent is None:
        raise NotFound(
            f"paydesk sent no direct-debit file {report.original_message_id!r}",
            message_id=report.original_message_id,
        )
    infos = _payment_infos(sent.content)
    results = []
    for reject in report.rejects:
        if reject.end_to_end_id:
            ids = [reject.end_to_end_id]
        elif reject.payment_info_id:
            ids = infos.get(reject.payment_info_id, [])
        else:
            ids = [e for group in infos.values() for e in group]
        for end_to_end_id in ids:
            results.append(
                return_collection(
                    session,
                    end_to_end_id=end_to_end_id,
                    code=reject.code,
                    text=reject.text,
                    via="pain.002",
                    actor=actor,
                    returns=returns,
                )
            )
    return results
