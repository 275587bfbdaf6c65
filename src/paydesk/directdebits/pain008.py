"""Write a SEPA Core direct-debit initiation, ISO 20022 pain.008.001.08, and check it.

One ``PmtInf`` per (sequence type, requested collection date), in that order, with its
transactions in the order given; amounts are exact decimals; every transaction carries its
end-to-end id (which the bank reports back in camt.054 and pain.002) and its mandate (id and
date of signature). Names and remittance text are written in the SEPA character set (Latin
letters, digits and ``/ - ? : ( ) . , ' +`` and space): Greek or Polish letters are
transliterated (text-unidecode), anything else dropped.

The XML is built with lxml and validated against the official schema before it is handed
out (:func:`validate`; the XSD ships with the ``sepaxml`` package). A file that does not
validate is never released: :class:`InvalidCollectionFile` says which element is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import groupby
from pathlib import Path

from lxml import etree
from text_unidecode import unidecode

from paydesk.errors import InvalidInput
from paydesk.money import format_minor

__all__ = [
    "NAMESPACE",
    "Creditor",
    "InvalidCollectionFile",
    "Transaction",
    "schema_path",
    "sepa_text",
    "validate",
    "write",
]

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"
_NOT_SEPA = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")


class InvalidCollectionFile(InvalidInput):
    """The pain.008 paydesk wrote does not validate against the schema (nothing is sent)."""

    slug = "invalid-collection-file"
    title = "Direct-debit file does not validate"


@dataclass(frozen=True)
class Creditor:
    name: str
    iban: str
    #: The SEPA creditor identifier (``CdtrSchmeId``).
    identifier: str
    bic: str | None = None


@dataclass(frozen=True)
class Transaction:
    end_to_end_id: str
    amount_minor: int
    currency: str
    mandate_id: str
    signed_on: date
    debtor_name: str
    debtor_iban: str
    sequence: str
    collection_date: date
    remittance: str | None = None


def sepa_text(text: str, limit: int) -> str:
    """``text`` in the SEPA character set, at most ``limit`` characters (never empty).

    >>> sepa_text("Γιώργος Παπαδόπουλος", 140)
    'Giorgos Papadopoulos'
    >>> sepa_text("Łukasz Żółć & Co", 140)
    'Lukasz Zolc  Co'
    """
    cleaned = _NOT_SEPA.sub("", unidecode(text)).strip()
    return (cleaned or "NOTPROVIDED")[:limit]


def schema_path() -> Path:
    """The official pain.008.001.08 XSD (shipped by ``sepaxml``)."""
    import sepaxml

    return Path(sepaxml.__file__).parent / "schemas" / "pain.008.001.08.xsd"


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(schema_path())))


def validate(xml: bytes) -> None:
    """Raise :class:`InvalidCollectionFile` unless ``xml`` is a valid pain.008.001.08."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    document = etree.fromstring(xml, parser)
    schema = _schema()
    if not schema.validate(document):
        error = schema.error_log.last_error
        raise InvalidCollectionFile(
            f"the pain.008 file does not validate: line {error.line}: {error.message}",
            line=error.line,
        )


def _el(parent: etree._Element, path: str, text: str | None = None, **attrib: str):
    for tag in path.split("/"):
        parent = etree.SubElement(parent, tag)
    for key, value in attrib.items():
        parent.set(key, value)
    if text is not None:
        parent.text = text
    return parent


def _sum(items: Sequence[Transaction]) -> str:
    total = sum(t.amount_minor for t in items)
    return format_minor(total, items[0].currency)


def _agent(parent: etree._Element, path: str, bic: str | None) -> None:
    if bic:
        _el(parent, f"{path}/FinInstnId/BICFI", bic)
    else:
        _el(parent, f"{path}/FinInstnId/Othr/Id", "NOTPROVIDED")


def _transaction(parent: etree._Element, t: Transaction) -> None:
    tx = _el(parent, "DrctDbtTxInf")
    _el(tx, "PmtId/EndToEndId", t.end_to_end_id)
    _el(tx, "InstdAmt", format_minor(t.amount_minor, t.currency), Ccy=t.currency)
    mandate = _el(tx, "DrctDbtTx/MndtRltdInf")
    _el(mandate, "MndtId", t.mandate_id)
    _el(mandate, "DtOfSgntr", t.signed_on.isoformat())
    _agent(tx, "DbtrAgt", None)
    _el(tx, "Dbtr/Nm", sepa_text(t.debtor_name, 140))
    _el(tx, "DbtrAcct/Id/IBAN", t.debtor_iban)
    if t.remittance:
        _el(tx, "RmtInf/Ustrd", sepa_text(t.remittance, 140))


def write(
    transactions: Sequence[Transaction],
    *,
    creditor: Creditor,
    message_id: str,
    created_at: datetime,
) -> bytes:
    """The pain.008.001.08 document for ``transactions``, validated; UTF-8 bytes."""
    if not transactions:
        raise InvalidInput("a direct-debit file has at least one collection")
    root = etree.Element(f"{{{NAMESPACE}}}Document", nsmap={None: NAMESPACE})
    initiation = etree.SubElement(root, f"{{{NAMESPACE}}}CstmrDrctDbtInitn")
    header = _el(initiation, "GrpHdr")
    _el(header, "MsgId", message_id)
    _el(header, "CreDtTm", created_at.replace(microsecond=0, tzinfo=None).isoformat())
    _el(header, "NbOfTxs", str(len(transactions)))
    _el(header, "CtrlSum", _sum(transactions))
    _el(header, "InitgPty/Nm", sepa_text(creditor.name, 140))
    order = {s: n for n, s in enumerate(("FRST", "RCUR", "FNAL", "OOFF"))}

    def key(t: Transaction) -> tuple[int, date]:
        return order[t.sequence], t.collection_date

    for n, ((_, day), group) in enumerate(groupby(sorted(transactions, key=key), key=key), 1):
        items = list(group)
        info = _el(initiation, "PmtInf")
        _el(info, "PmtInfId", f"{message_id}-{n}"[:35])
        _el(info, "PmtMtd", "DD")
        _el(info, "BtchBookg", "true")
        _el(info, "NbOfTxs", str(len(items)))
        _el(info, "CtrlSum", _sum(items))
        kind = _el(info, "PmtTpInf")
        _el(kind, "SvcLvl/Cd", "SEPA")
        _el(kind, "LclInstrm/Cd", "CORE")
        _el(kind, "SeqTp", items[0].sequence)
        _el(info, "ReqdColltnDt", day.isoformat())
        _el(info, "Cdtr/Nm", sepa_text(creditor.name, 140))
        _el(info, "CdtrAcct/Id/IBAN", creditor.iban)
        _agent(info, "CdtrAgt", creditor.bic)
        _el(info, "ChrgBr", "SLEV")
        scheme = _el(info, "CdtrSchmeId/Id/PrvtId/Othr")
        _el(scheme, "Id", creditor.identifier)
        _el(scheme, "SchmeNm/Prtry", "SEPA")
        for t in items:
            _transaction(info, t)
    # Elements added by path are un-namespaced: give them the document's namespace.
    for element in root.iter():
        if not element.tag.startswith("{"):
            element.tag = f"{{{NAMESPACE}}}{element.tag}"
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    validate(xml)
    return xml
