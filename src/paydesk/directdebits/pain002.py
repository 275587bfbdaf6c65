"""Read an ISO 20022 pain.002 payment status report (``CstmrPmtStsRpt``): what the bank
rejected of a pain.008 file, and why.

Versions ``001.03`` to ``001.14`` are recognised by namespace. A rejection is read at each of
the three levels a bank may give it: the whole file (``OrgnlGrpInfAndSts/GrpSts`` ``RJCT``),
one payment information block (``OrgnlPmtInfAndSts/PmtInfSts`` ``RJCT``) or one transaction
(``TxInfAndSts/TxSts`` ``RJCT``), each with its reason code (``StsRsnInf/Rsn/Cd``; ``MS03``,
reason not specified, when the bank gives none). Accepted and pending statuses are read and
left alone.

Safety as for camt files: lxml with ``resolve_entities=False``, ``no_network=True``,
``load_dtd=False``; a document with a DOCTYPE, one over :data:`MAX_BYTES`, one that is not
well-formed or not a pain.002 is refused with :class:`InvalidStatusReport`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from paydesk.errors import InvalidInput

__all__ = [
    "MAX_BYTES",
    "InvalidStatusReport",
    "Reject",
    "StatusReport",
    "is_status_report",
    "parse",
]

MAX_BYTES = 20 * 1024 * 1024
_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:pain\.002\.001\.(0[3-9]|1[0-4])$")
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)
UNSPECIFIED = "MS03"


class InvalidStatusReport(InvalidInput):
    slug = "invalid-status-report"
    title = "Invalid payment status report"


@dataclass(frozen=True)
class Reject:
    """Something the bank rejected: a transaction (``end_to_end_id``), a payment
    information block (``payment_info_id``) or, with neither, the whole original file."""

    code: str
    end_to_end_id: str | None = None
    payment_info_id: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class StatusReport:
    message_id: str
    original_message_id: str
    rejects: tuple[Reject, ...]


def _reason(element: etree._Element, q: str) -> tuple[str, str | None]:
    code = element.findtext(f"{q}StsRsnInf/{q}Rsn/{q}Cd") or UNSPECIFIED
    text = element.findtext(f"{q}StsRsnInf/{q}AddtlInf")
    return code.strip().upper()[:4], text.strip() if text else None


def is_status_report(data: bytes) -> bool:
    """Whether ``data`` declares the pain.002 namespace near its start (the feed carries camt
    documents and, from a bank that sends them there, status reports)."""
    return b"urn:iso:std:iso:20022:tech:xsd:pain.002.001." in data[:2048]


def parse(data: bytes) -> StatusReport:
    """The rejections a pain.002 reports (see the module docstring)."""
    if len(data) > MAX_BYTES:
        raise InvalidStatusReport(f"the status report is larger than {MAX_BYTES} bytes")
    if b"<!DOCTYPE" in data[:4096].upper():
        raise InvalidStatusReport("the status report declares a DOCTYPE, which is refused")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as error:
        raise InvalidStatusReport(f"the status report is not well-formed XML: {error}") from None
    namespace = etree.QName(root).namespace or ""
    report = root[0] if len(root) else None
    if not _NAMESPACE.match(namespace) or report is None:
        raise InvalidStatusReport(
            f"not a pain.002 status report (namespace {namespace[:80]!r})", namespace=namespace
        )
    q = f"{{{namespace}}}"
    if etree.QName(report).localname != "CstmrPmtStsRpt":
        raise InvalidStatusReport("a pain.002 document holds a CstmrPmtStsRpt")
    message_id = (report.findtext(f"{q}GrpHdr/{q}MsgId") or "").strip()
    group = report.find(f"{q}OrgnlGrpInfAndSts")
    if group is None or not (group.findtext(f"{q}OrgnlMsgId") or "").strip():
        raise InvalidStatusReport("the status report names no original message (OrgnlMsgId)")
    original = (group.findtext(f"{q}OrgnlMsgId") or "").strip()
    rejects: list[Reject] = []
    if (group.findtext(f"{q}GrpSts") or "").strip() == "RJCT":
        code, text = _reason(group, q)
        rejects.append(Reject(code, text=text))
    for info in report.iterfind(f"{q}OrgnlPmtInfAndSts"):
        info_id = (info.findtext(f"{q}OrgnlPmtInfId") or "").strip()
        if (info.findtext(f"{q}PmtInfSts") or "").strip() == "RJCT":
            code, text = _reason(info, q)
            rejects.append(Reject(code, payment_info_id=info_id, text=text))
        for tx in info.iterfind(f"{q}TxInfAndSts"):
            if (tx.findtext(f"{q}TxSts") or "").strip() != "RJCT":
                continue
            end_to_end = (tx.findtext(f"{q}OrgnlEndToEndId") or "").strip()
            if end_to_end:
                code, text = _reason(tx, q)
                rejects.append(Reject(code, end_to_end_id=end_to_end, text=text))
    return StatusReport(message_id, original, tuple(rejects))
