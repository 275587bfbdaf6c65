"""The simulator as the business's bank for SEPA Core direct debits.

``POST /api/direct-debits`` takes a pain.008.001.08 file (checked against the official schema;
the same message id again is the same file), keeps each collection ``pending`` and settles
it on its requested collection date — when the feed is read on or after that day, or at once
with ``POST /api/direct-debits/settle {"on": "YYYY-MM-DD"}``. Settling publishes on the feed
one camt.054 that books every collection of the day as a credit (``MndtId`` and end-to-end id
in ``Refs``), then one that returns those the debtor's bank refuses, each a debit with its
reason code in ``RtrInf/Rsn/Cd``.

The debtor banks' rules, in order (documented, deterministic):

1. an IBAN whose check digits fail → ``AC01`` (incorrect account number), rejected at once;
2. a rule registered for the debtor's IBAN or for the mandate id
   (``POST /api/direct-debits/rules {"iban" | "mandate_id", "reason", "before_settlement"}``,
   e.g. ``AC04`` for a closed account, ``AM04`` no funds, ``MD01`` no mandate, ``MS02``
   refused by the debtor) → that reason: returned after settlement (a debit in camt.054), or,
   with ``before_settlement``, rejected at once;
3. anything else is paid.

A collection rejected at once never settles: the file's rejects are published on the feed as
one pain.002.001.10 status report (``TxSts`` ``RJCT`` with the reason code) when the file is
taken.
"""

from __future__ import annotations

import io
import sqlite3
from dataclasses import dataclass
from datetime import date

from lxml import etree

from paydesk.bank.camt_writer import OutgoingCredit, write_camt054
from paydesk.banksim import verification
from paydesk.directdebits import pain008
from paydesk.errors import InvalidIBAN, InvalidInput
from paydesk.money import Money

__all__ = [
    "SCHEMA",
    "Collection",
    "decide",
    "parse",
    "rejected_at_once",
    "settlement_documents",
    "status_report",
]

SCHEMA = """
CREATE TABLE IF NOT EXISTS dd_collections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL,
    end_to_end_id TEXT NOT NULL UNIQUE,
    mandate_id TEXT NOT NULL,
    debtor_name TEXT,
    debtor_iban TEXT NOT NULL,
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    sequence TEXT NOT NULL,
    collection_date TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    reason TEXT
);
CREATE TABLE IF NOT EXISTS dd_rules (
    subject TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    before_settlement INTEGER NOT NULL DEFAULT 0
);
"""


@dataclass(frozen=True)
class Collection:
    end_to_end_id: str
    mandate_id: str
    debtor_name: str | None
    debtor_iban: str
    amount: str
    currency: str
    sequence: str
    collection_date: str
    id: int | None = None


def parse(data: bytes) -> tuple[str, list[Collection]]:
    """The message id and collections of a pain.008.001.08; ``InvalidInput`` if it is not one."""
    if b"<!DOCTYPE" in data[:4096].upper():
        raise InvalidInput("a pain.008 file declaring a DOCTYPE is refused")
    try:
        pain008.validate(data)
    except etree.XMLSyntaxError as error:
        raise InvalidInput(f"not well-formed XML: {error}") from None
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    q = f"{{{pain008.NAMESPACE}}}"
    message_id = root.findtext(f"{q}CstmrDrctDbtInitn/{q}GrpHdr/{q}MsgId") or ""
    collections = []
    for info in root.iter(f"{q}PmtInf"):
        sequence = info.findtext(f"{q}PmtTpInf/{q}SeqTp") or ""
        day = info.findtext(f"{q}ReqdColltnDt") or ""
        for tx in info.iterfind(f"{q}DrctDbtTxInf"):
            amount = tx.find(f"{q}InstdAmt")
            assert amount is not None  # the schema requires it
            collections.append(
                Collection(
                    end_to_end_id=tx.findtext(f"{q}PmtId/{q}EndToEndId") or "",
                    mandate_id=tx.findtext(f"{q}DrctDbtTx/{q}MndtRltdInf/{q}MndtId") or "",
                    debtor_name=tx.findtext(f"{q}Dbtr/{q}Nm"),
                    debtor_iban=tx.findtext(f"{q}DbtrAcct/{q}Id/{q}IBAN") or "",
                    amount=amount.text or "",
                    currency=amount.get("Ccy", ""),
                    sequence=sequence,
                    collection_date=day,
                )
            )
    return message_id, collections


def decide(collection: Collection, rules: dict[str, str]) -> str | None:
    """The debtor bank's reason code for refusing the collection; None: it is paid."""
    try:
        verification.check_iban(collection.debtor_iban)
    except InvalidIBAN:
        return "AC01"
    return rules.get(collection.debtor_iban) or rules.get(collection.mandate_id)


def rejected_at_once(collection: Collection, rules: dict[str, tuple[str, bool]]) -> str | None:
    """The reason the debtor's bank rejects the collection before settlement, if it does."""
    try:
        verification.check_iban(collection.debtor_iban)
    except InvalidIBAN:
        return "AC01"
    for subject in (collection.debtor_iban, collection.mandate_id):
        if subject in rules and rules[subject][1]:
            return rules[subject][0]
    return None


def status_report(message_id: str, rejects: list[tuple[str, str]], *, stamp: str) -> str:
    """A pain.002.001.10 rejecting ``(end_to_end_id, reason)`` of the file ``message_id``."""
    ns = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"
    root = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})

    def el(parent, path: str, text: str | None = None):
        for tag in path.split("/"):
            parent = etree.SubElement(parent, f"{{{ns}}}{tag}")
        parent.text = text
        return parent

    report = el(root, "CstmrPmtStsRpt")
    header = el(report, "GrpHdr")
    el(header, "MsgId", f"SIM-STS-{stamp}"[:35])
    el(header, "CreDtTm", f"{date.today().isoformat()}T00:00:00")
    group = el(report, "OrgnlGrpInfAndSts")
    el(group, "OrgnlMsgId", message_id)
    el(group, "OrgnlMsgNmId", "pain.008.001.08")
    el(group, "GrpSts", "PART")
    info = el(report, "OrgnlPmtInfAndSts")
    el(info, "OrgnlPmtInfId", message_id)
    for end_to_end_id, reason in rejects:
        tx = el(info, "TxInfAndSts")
        el(tx, "OrgnlEndToEndId", end_to_end_id)
        el(tx, "TxSts", "RJCT")
        el(tx, "StsRsnInf/Rsn/Cd", reason)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def settlement_documents(
    rows: list[sqlite3.Row], *, account_iban: str, stamp: str
) -> list[tuple[str, str]]:
    """``(kind, camt.054)`` for the day's bookings, and for its returns when there are any."""

    def entry(row: sqlite3.Row, returned: bool) -> OutgoingCredit:
        reference = f"DD{row['id']:010d}" + ("R" if returned else "")
        day = date.fromisoformat(row["collection_date"])
        return OutgoingCredit(
            amount=Money.parse(row["amount"], row["currency"]),
            booking_date=day,
            value_date=day,
            debtor_name=row["debtor_name"],
            debtor_iban=row["debtor_iban"],
            end_to_end_id=row["end_to_end_id"],
            account_servicer_ref=reference,
            entry_ref=reference,
            mandate_id=row["mandate_id"],
            return_code=row["reason"] if returned else None,
        )

    def document(entries: list[OutgoingCredit], message_id: str) -> str:
        out = io.BytesIO()
        write_camt054(entries, out, account_iban=account_iban, message_id=message_id)
        return out.getvalue().decode("utf-8")

    documents = [("dd_booking", document([entry(r, False) for r in rows], f"SIM-DD-{stamp}"))]
    returned = [entry(r, True) for r in rows if r["reason"]]
    if returned:
        documents.append(("dd_return", document(returned, f"SIM-DDR-{stamp}")))
    return documents
