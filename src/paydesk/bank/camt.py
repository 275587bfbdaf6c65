"""Read ISO 20022 camt.054 notifications and camt.053 statements as a stream of bank entries.

Versions ``001.02`` to ``001.13`` of both messages are recognised by the root namespace
``urn:iso:std:iso:20022:tech:xsd:camt.05X.001.NN``; anything else is refused.

Safety. The file is read by lxml with ``resolve_entities=False``, ``no_network=True``,
``load_dtd=False`` and ``huge_tree=False``; a file that carries a ``DOCTYPE`` (the door to
XXE and "billion laughs") is refused before its first element is read, and a size limit
(``max_bytes``) stops oversized input. Every refusal is an :class:`InvalidBankFile`.

Streaming. ``iterparse`` reports each ``Ntry`` end; entries are gathered in chunks of
:data:`CHUNK` and handed to one compiled XSLT transform, which walks the chunk in C and writes
one tab-separated line per transaction. Python then only splits lines and builds records, and
the chunk is deleted from the tree, so memory stays flat for any number of entries.

What is yielded. One immutable :class:`ReportedEntry` per transaction: an ``Ntry`` with several
``TxDtls`` (a batch) gives one record per ``TxDtls``. Amount is ``TxDtls/Amt`` (001.04+) or
``TxDtls/AmtDtls/TxAmt/Amt``, else ``Ntry/Amt``.

The key. ``<account IBAN>/<kind>:<reference>``, the first that exists of

1. ``asr:`` the account servicer reference (``Ntry/AcctSvcrRef``, else ``TxDtls/Refs/AcctSvcrRef``),
2. ``ntry:`` the entry reference ``NtryRef``,
3. ``e2e:`` the end-to-end id (not ``NOTPROVIDED``).

A bank reports the same transaction with the same references in its camt.054 and in its
camt.053, so the two give the same key and the importer sees the duplicate. In a batch the
entry's reference is shared, so each transaction's key is its own ``TxDtls/Refs/AcctSvcrRef``
when it has one (``asr:``), else the entry's key followed by ``/e2e:``, ``/tx:`` (``TxId``) or
``/n:<position>``.

Broken entries versus broken files (the importer's contract).

* One bad entry in a good file — no amount, an amount off the ISO 20022 decimal grammar
  (see :meth:`Money.parse`), a zero credit, an unknown currency, more decimals than the
  currency has, no date or one outside the :class:`EntryRules` window, a field over its
  schema limit (Max35Text references, Max140Text names and remittance lines, IBAN and BIC
  patterns), a report on an account not among the rules' accounts, no reference to key it by —
  is still yielded, as a :class:`ReportedEntry` with ``problems`` saying what is wrong, each
  an :class:`EntryProblem` (a code, its parameters and the English sentence; ``problem`` is
  the sentences joined), and the fields that could not be read left ``None``. The importer
  posts the good entries and reports that one as rejected. Limits are checked on the text
  after ``normalize-space``. Problems are built only when something is wrong: a usable entry
  costs nothing more.
* A file that is not well-formed XML, has a DOCTYPE, is too large, is not camt.053/054, or
  has a ``MsgId`` over 35 characters raises :class:`InvalidBankFile` with a code saying which
  refusal it is (``bank-file-not-xml`` with the line, column and the parser's message,
  ``bank-file-not-camt`` with the root element, ``unsafe-bank-file`` for a DOCTYPE,
  ``bank-file-too-large`` with the limit …) and its parameters, so pages can say it in their
  language. The check is lazy: a break near the end of the file is found only
  when parsing gets there, after earlier entries were yielded. So that nothing is posted
  from such a file, the importer either calls :func:`check_file` first (one fast pass that
  builds no entries; it costs about a third of a full parse) or writes everything in one
  database transaction and rolls back on :class:`InvalidBankFile`. :func:`check_file`
  raises for exactly the file-level faults the parse raises for.
"""

from __future__ import annotations

import os
import re
from collections import namedtuple
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import IO, BinaryIO, NamedTuple

from lxml import etree

from paydesk.bank.remittance import find_rf
from paydesk.codes import rf as rf_codes
from paydesk.errors import InvalidCurrency, InvalidInput, PaydeskError
from paydesk.money import MAX_AMOUNT, Money, minor_units

__all__ = [
    "CHUNK",
    "DEFAULT_MAX_BYTES",
    "BankFileTooLarge",
    "CamtFile",
    "EntryProblem",
    "EntryRules",
    "FileSummary",
    "InvalidBankFile",
    "ReportedEntry",
    "UnsafeBankFile",
    "check_file",
    "open_camt",
    "parse_camt",
]

#: Default size limit: about 1.5 million entries as banks usually write them.
DEFAULT_MAX_BYTES = 2 * 1024**3
#: Entries handed to the XSLT walker at once.
CHUNK = 500
_READ_SIZE = 64 * 1024

#: ISO 20022 identifier patterns (IBAN2007Identifier, BICFIDec2014Identifier).
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Za-z0-9]{1,30}", re.ASCII)
_BIC = re.compile(r"[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?", re.ASCII)
#: Max35Text: references (NtryRef, AcctSvcrRef, EndToEndId, TxId, the SCOR reference), MsgId.
MAX35 = 35
#: Max140Text: the debtor's name, each line of unstructured remittance text.
MAX140 = 140
#: Max34Text: an account identifier other than an IBAN (Acct/Id/Othr/Id).
MAX34 = 34

_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:(camt\.05[34])\.(001\.(\d\d))$")
_MESSAGE = {"camt.054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn"), "camt.053": ("BkToCstmrStmt", "Stmt")}
_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


class InvalidBankFile(InvalidInput):
    """The file as a whole cannot be read: not XML, not camt.053/054, or unsafe."""

    slug = "invalid-bank-file"
    title = "Invalid bank file"


class UnsafeBankFile(InvalidBankFile):
    """The file declares a DOCTYPE or entities (XXE, entity expansion), which are never accepted."""

    slug = "unsafe-bank-file"
    title = "Bank file refused as unsafe"


class BankFileTooLarge(InvalidBankFile):
    """Over the size limit; its parameter ``limit`` is the limit in bytes."""

    slug = "bank-file-too-large"
    title = "Bank file too large"
    status = 413


class EntryProblem(NamedTuple):
    """Why an entry cannot be posted: a stable ``code``, its ``params`` (text and whole numbers,
    as stored) and ``text``, the English sentence (logs, the API, the CSV export). Pages write
    the code in their own language (:mod:`paydesk.web.error_texts`)."""

    code: str
    params: dict[str, str | int]
    text: str

    def stored(self) -> dict[str, object]:
        return {"code": self.code, "params": self.params}


@dataclass(frozen=True, slots=True)
class EntryRules:
    """What an entry must satisfy beyond the schema's shapes, set by the installation.

    ``accounts``: the business's own account identifiers (IBANs, compact and upper case);
    an entry on any other account is rejected. Empty: every account is accepted.
    Booking and value dates must lie within ``days_back`` before and ``days_ahead`` after
    ``today`` (the day the file is opened, unless given).
    """

    accounts: frozenset[str] = field(default_factory=frozenset)
    days_ahead: int = 366
    days_back: int = 3653
    today: date | None = None

    def on(self, today: date) -> EntryRules:
        """The same rules with ``today`` fixed."""
        return EntryRules(self.accounts, self.days_ahead, self.days_back, self.today or today)


@dataclass(frozen=True, slots=True)
class ReportedEntry:
    """One transaction a bank reported on the business's account, as the file says it (the
    stored record of it is :class:`paydesk.bank.models.BankEntry`).

    ``credit`` is True for ``CRDT``; a credit the bank takes back is reported as
    ``credit=False, reversal=True``. ``status`` is ``BOOK``, ``PDNG``, ``INFO`` (or ``FUTR``).
    ``rf`` is a valid, compact RF code or None; ``rf_candidate`` is RF-like text that did not
    validate (only when ``rf`` is None). ``problem`` is None for a usable entry; otherwise it
    says in English why the entry cannot be posted, and ``problems`` says it as codes.
    """

    key: str | None
    account_iban: str
    booking_date: date | None
    value_date: date | None
    amount: Money | None
    credit: bool
    reversal: bool
    status: str
    rf: str | None
    rf_candidate: str | None
    remittance_text: str | None
    debtor_name: str | None
    debtor_iban: str | None
    debtor_agent_bic: str | None
    end_to_end_id: str | None
    account_servicer_ref: str | None
    entry_ref: str | None
    transaction_id: str | None = None
    batch_size: int = 1
    line: int | None = None
    problem: str | None = None
    #: A direct-debit collection's mandate (``Refs/MndtId``) and, for a returned one, the
    #: return reason code (``RtrInf/Rsn/Cd``: AC04, AM04, MD01, MS02 …).
    mandate_id: str | None = None
    return_code: str | None = None
    #: What is wrong with a rejected entry, one :class:`EntryProblem` each; empty when usable.
    problems: tuple[EntryProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def date(self) -> date | None:
        """The date the money counts from: booking date, else value date."""
        return self.booking_date or self.value_date


_AMOUNT = "(n:Amt|n:AmtDtls/n:TxAmt/n:Amt)"
_DEBTOR = "n:RltdPties/n:Dbtr"
_AGENT = "n:RltdAgts/n:DbtrAgt/n:FinInstnId"

#: What the stylesheet writes of an ``Ntry``, by name: (field, XPath from the entry).
ENTRY_FIELDS: tuple[tuple[str, str], ...] = (
    ("entry_ref", "n:NtryRef"),
    ("entry_amount", "n:Amt"),
    ("entry_currency", "n:Amt/@Ccy"),
    ("indicator", "n:CdtDbtInd"),
    ("reversal", "n:RvslInd"),
    ("status", "n:Sts"),
    ("booked", "n:BookgDt"),
    ("valued", "n:ValDt"),
    ("entry_asr", "n:AcctSvcrRef"),
    ("batch", "count(n:NtryDtls/n:TxDtls)"),
)

#: What it writes of each ``TxDtls``: (field, XPath from the transaction).
TRANSACTION_FIELDS: tuple[tuple[str, str], ...] = (
    ("tx_asr", "n:Refs/n:AcctSvcrRef"),
    ("end_to_end", "n:Refs/n:EndToEndId"),
    ("tx_id", "n:Refs/n:TxId"),
    ("tx_amount", _AMOUNT),
    ("tx_currency", f"{_AMOUNT}/@Ccy"),
    ("tx_indicator", "n:CdtDbtInd"),
    ("debtor_name", f"{_DEBTOR}/n:Nm|{_DEBTOR}/n:Pty/n:Nm"),
    ("debtor_iban", "n:RltdPties/n:DbtrAcct/n:Id/n:IBAN"),
    ("bic", f"{_AGENT}/n:BICFI|{_AGENT}/n:BIC"),
    ("scor", "n:RmtInf/n:Strd/n:CdtrRefInf[n:Tp/n:CdOrPrtry/n:Cd='SCOR']/n:Ref"),
    ("mandate", "n:Refs/n:MndtId"),
    ("return_code", "n:RtrInf/n:Rsn/n:Cd"),
    ("long_lines", f"count(n:RmtInf/n:Ustrd[string-length(normalize-space(.)) > {MAX140}])"),
)

_Line = namedtuple(  # type: ignore[misc]
    "_Line",
    ["position", *(n for n, _ in ENTRY_FIELDS), *(n for n, _ in TRANSACTION_FIELDS), "ustrd"],
)
"""One line of the stylesheet's output, by name: the transaction's position in its entry, the
entry's fields, the transaction's fields (empty for an entry without ``TxDtls``), then the
unstructured remittance lines joined. The stylesheet and this tuple are made from the same two
tables, so a field added there cannot shift the others."""


def _field(path: str) -> str:
    return f'<xsl:value-of select="normalize-space({path})"/><xsl:text>&#9;</xsl:text>'


def _stylesheet(namespace: str) -> etree.XSLT:
    """One line per transaction, tab-separated, in the order of :class:`_Line`."""
    entry = "".join(_field(path) for _, path in ENTRY_FIELDS)
    transaction = "".join(_field(path) for _, path in TRANSACTION_FIELDS)
    ustrd = (
        '<xsl:for-each select="n:RmtInf/n:Ustrd">'
        '<xsl:value-of select="normalize-space(.)"/><xsl:text> </xsl:text></xsl:for-each>'
    )
    xsl = f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
 xmlns:n="{namespace}">
<xsl:output method="text" encoding="UTF-8"/>
<xsl:param name="skip" select="0"/>
<xsl:param name="count" select="0"/>
<xsl:template match="/">
 <xsl:for-each select="*/n:Ntry[position() &gt; $skip and position() &lt;= $skip + $count]">
  <xsl:variable name="e" select="."/>
  <xsl:choose>
   <xsl:when test="n:NtryDtls/n:TxDtls">
    <xsl:for-each select="n:NtryDtls/n:TxDtls">
     <xsl:value-of select="position()"/><xsl:text>&#9;</xsl:text>
     <xsl:for-each select="$e"><xsl:call-template name="entry"/></xsl:for-each>
     <xsl:call-template name="tx"/><xsl:text>&#10;</xsl:text>
    </xsl:for-each>
   </xsl:when>
   <xsl:otherwise>
    <xsl:text>1&#9;</xsl:text><xsl:call-template name="entry"/><xsl:text>&#10;</xsl:text>
   </xsl:otherwise>
  </xsl:choose>
 </xsl:for-each>
</xsl:template>
<xsl:template name="entry">{entry}</xsl:template>
<xsl:template name="tx">{transaction}{ustrd}</xsl:template>
</xsl:stylesheet>"""
    return etree.XSLT(etree.XML(xsl))


_STYLESHEETS: dict[str, etree.XSLT] = {}


def _stylesheet_for(namespace: str) -> etree.XSLT:
    sheet = _STYLESHEETS.get(namespace)
    if sheet is None:
        sheet = _STYLESHEETS[namespace] = _stylesheet(namespace)
    return sheet


# ---------------------------------------------------------------------------------------------
# Opening: size, safety, message type


class _Reader:
    """File-like over a prefix already read plus the rest of a stream, enforcing a size limit."""

    def __init__(self, prefix: bytes, stream: IO[bytes], max_bytes: int) -> None:
        self._prefix = prefix
        self._stream = stream
        self._max = max_bytes
        self._read = len(prefix)

    def read(self, size: int = -1) -> bytes:
        if self._prefix:
            data, self._prefix = self._prefix, b""
            return data
        data = self._stream.read(size if size and size > 0 else _READ_SIZE)
        self._read += len(data)
        if self._read > self._max:
            raise BankFileTooLarge(
                f"the bank file is larger than {self._max} bytes", limit=self._max
            )
        return data


def _syntax_error(err: etree.XMLSyntaxError) -> InvalidBankFile:
    line, column = err.position if err.position else (err.lineno, 0)
    message = err.msg or str(err)
    message = re.sub(r", line \d+, column \d+$", "", message)
    return InvalidBankFile(
        f"the bank file is not well-formed XML (line {line}, column {column}): {message}",
        code="bank-file-not-xml",
        line=line,
        column=column,
        message=message,
    )


@dataclass(frozen=True, slots=True)
class _Header:
    kind: str
    version: str
    namespace: str
    message_id: str | None
    prefix: bytes


def _sniff(stream: IO[bytes], max_bytes: int) -> _Header:
    """Read up to the group header: refuse DOCTYPE, wrong root or namespace; keep what was read."""
    parser = etree.XMLPullParser(events=("start", "end"), **_PARSER_OPTIONS)
    chunks: list[bytes] = []
    total = 0
    starts: list[etree._Element] = []
    message_id: str | None = None
    done = False
    try:
        while not done:
            data = stream.read(_READ_SIZE)
            total += len(data)
            if total > max_bytes:
                raise BankFileTooLarge(
                    f"the bank file is larger than {max_bytes} bytes", limit=max_bytes
                )
            if not data:
                parser.close()
                break
            if not chunks and b"<!DOCTYPE" in data:
                _refuse_doctype()
            chunks.append(data)
            parser.feed(data)
            for event, element in parser.read_events():
                if event == "start":
                    if not starts:
                        docinfo = element.getroottree().docinfo
                        if docinfo.internalDTD is not None or docinfo.doctype:
                            _refuse_doctype()
                        _check_root(element)
                    starts.append(element)
                    if len(starts) == 2:
                        _check_message(starts[0], element)
                elif etree.QName(element).localname == "GrpHdr":
                    message_id = element.findtext(f"{{{etree.QName(element).namespace}}}MsgId")
                    done = True
                    break
                elif element is starts[0]:
                    done = True
    except etree.XMLSyntaxError as err:
        raise _syntax_error(err) from None
    if not starts:
        raise InvalidBankFile(
            "the bank file is empty or holds no XML element", code="bank-file-empty"
        )
    if len(starts) < 2:
        _check_message(starts[0], None)
    namespace = etree.QName(starts[0]).namespace or ""
    match = _NAMESPACE.match(namespace)
    assert match is not None
    if message_id is not None and len(message_id) > MAX35:
        raise InvalidBankFile(
            f"the file's MsgId is {len(message_id)} characters long, more than {MAX35} (Max35Text)",
            code="bank-file-message-id",
            length=len(message_id),
            limit=MAX35,
        )
    return _Header(match.group(1), match.group(2), namespace, message_id, b"".join(chunks))


def _refuse_doctype() -> None:
    raise UnsafeBankFile(
        "the bank file declares a DOCTYPE; bank files with DTDs or entities are refused "
        "(XXE, entity expansion)",
        code="bank-file-doctype",
    )


def _check_root(root: etree._Element) -> None:
    name = etree.QName(root)
    namespace = name.namespace or ""
    match = _NAMESPACE.match(namespace)
    if name.localname != "Document" or match is None:
        raise InvalidBankFile(
            f"not an ISO 20022 camt.053 or camt.054 file: root element is {root.tag!r}",
            code="bank-file-not-camt",
            root=str(root.tag)[:200],
            line=root.sourceline,
        )
    number = int(match.group(3))
    if not 2 <= number <= 13:
        raise InvalidBankFile(
            f"{match.group(1)} version {match.group(2)} is not supported (001.02 to 001.13)",
            code="bank-file-version",
            kind=match.group(1),
            version=match.group(2),
        )


def _check_message(root: etree._Element, message: etree._Element | None) -> None:
    name = etree.QName(root)
    match = _NAMESPACE.match(name.namespace or "")
    assert match is not None
    expected = _MESSAGE[match.group(1)][0]
    if message is None or message.tag != f"{{{name.namespace}}}{expected}":
        found = "nothing" if message is None else repr(message.tag)
        raise InvalidBankFile(
            f"a {match.group(1)} Document must hold {expected}, found {found}",
            code="bank-file-wrong-message",
            kind=match.group(1),
            expected=expected,
            found=found[:200],
            line=None if message is None else message.sourceline,
        )


# ---------------------------------------------------------------------------------------------
# The parse


class CamtFile:
    """An opened camt.053/054 file: its header is read and checked, its entries are not yet.

    Open with :func:`open_camt`. ``entries()`` streams the records; for a path it can be
    called again (the file is re-read), for a file object only once.
    """

    def __init__(
        self,
        source: str | os.PathLike[str] | BinaryIO,
        max_bytes: int,
        rules: EntryRules | None = None,
    ) -> None:
        self._source = source
        self._max_bytes = max_bytes
        self._rules = (rules or EntryRules()).on(date.today())
        self._used = False
        stream, owned = self._open()
        try:
            self._header = _sniff(stream, max_bytes)
        finally:
            if owned:
                stream.close()
        self._stream = None if owned else stream

    def _open(self) -> tuple[IO[bytes], bool]:
        source = self._source
        if isinstance(source, (str, os.PathLike)):
            size = os.path.getsize(source)
            if size > self._max_bytes:
                raise BankFileTooLarge(
                    f"the bank file is {size} bytes, more than the limit of {self._max_bytes}",
                    limit=self._max_bytes,
                    size=size,
                )
            return open(source, "rb"), True
        if not hasattr(source, "read"):
            raise TypeError("source must be a path or a binary file object")
        return source, False

    @property
    def kind(self) -> str:
        """``camt.054`` or ``camt.053``."""
        return self._header.kind

    @property
    def version(self) -> str:
        """Message version, e.g. ``001.08``."""
        return self._header.version

    @property
    def namespace(self) -> str:
        return self._header.namespace

    @property
    def message_id(self) -> str | None:
        """``GrpHdr/MsgId``: the bank's identifier of this file."""
        return self._header.message_id

    def entries(self) -> Iterator[ReportedEntry]:
        """Stream one :class:`ReportedEntry` per transaction; raise :class:`InvalidBankFile` on a
        file-level fault (see the module docs for what the importer must do about it)."""
        return self._run(build=True)  # type: ignore[return-value]

    def count(self) -> int:
        """Read the whole file without building entries; return the number of ``Ntry``."""
        return sum(1 for _ in self._run(build=False))

    def _run(self, build: bool) -> Iterator[ReportedEntry | None]:
        if isinstance(self._source, (str, os.PathLike)):
            stream, _ = self._open()
            with stream:
                header = _sniff(stream, self._max_bytes)
                reader = _Reader(header.prefix, stream, self._max_bytes)
                yield from self._walk(reader, build)
        else:
            if self._used:
                raise RuntimeError("the entries of a file object can be read only once")
            self._used = True
            assert self._stream is not None
            reader = _Reader(self._header.prefix, self._stream, self._max_bytes)
            yield from self._walk(reader, build)

    def _walk(self, reader: _Reader, build: bool) -> Iterator[ReportedEntry | None]:
        header = self._header
        q = f"{{{header.namespace}}}"
        report_tag = q + _MESSAGE[header.kind][1]
        sheet = _stylesheet_for(header.namespace)
        parent: etree._Element | None = None
        account = _Account("")
        skip = 0  # a cleared Ntry left at the front of the parent
        lines: list[int] = []
        events = etree.iterparse(reader, events=("end",), tag=q + "Ntry", **_PARSER_OPTIONS)
        try:
            for _, element in events:
                here = element.getparent()
                if here is not parent:
                    if parent is not None:
                        if lines and build:
                            yield from _flush(
                                sheet, parent, skip, lines, account, None, self._rules
                            )
                        parent.clear()
                    parent, skip, lines = here, 0, []
                    account = _account(here, report_tag, q, self._rules)
                if not build:
                    yield None
                    _drop(element)
                    element.clear()
                    continue
                lines.append(element.sourceline)
                if len(lines) >= CHUNK:
                    yield from _flush(sheet, parent, skip, lines, account, element, self._rules)
                    element.clear()
                    skip, lines = 1, []
            if parent is not None and lines and build:
                yield from _flush(sheet, parent, skip, lines, account, None, self._rules)
        except etree.XMLSyntaxError as err:
            raise _syntax_error(err) from None
        root = events.root
        if root is None or root.tag != q + "Document":
            raise InvalidBankFile(
                "the bank file ended before its Document element", code="bank-file-cut-short"
            )


def _drop(element: etree._Element) -> None:
    """Delete every earlier sibling of ``element`` (entries already read, Acct, Bal ...)."""
    parent = element.getparent()
    while element.getprevious() is not None:
        del parent[0]


@dataclass(frozen=True, slots=True)
class _Account:
    """The account a report is about; ``problem`` is why its entries cannot be taken."""

    id: str
    problem: EntryProblem | None = None


def _account(report: etree._Element | None, report_tag: str, q: str, rules: EntryRules) -> _Account:
    if report is None or report.tag != report_tag:
        where = "nothing" if report is None else report.tag
        raise InvalidBankFile(
            f"an Ntry must sit in {report_tag}, found it in {where}",
            code="bank-file-misplaced-entry",
            expected=report_tag,
            found=where,
        )
    iban = report.findtext(f"{q}Acct/{q}Id/{q}IBAN")
    account = iban or report.findtext(f"{q}Acct/{q}Id/{q}Othr/{q}Id")
    if not account or not account.strip():
        raise InvalidBankFile(
            "a report has no account (Acct/Id/IBAN or Acct/Id/Othr/Id)",
            code="bank-file-no-account",
            line=report.sourceline,
        )
    compact = account.strip().replace(" ", "").upper()
    if (iban and not _IBAN.fullmatch(compact)) or len(compact) > MAX34:
        return _Account(
            compact[:MAX34],
            EntryProblem(
                "account-not-identifier",
                {"account": compact[:40]},
                f"the report's account {compact[:40]!r} is not an IBAN or Max34Text",
            ),
        )
    if rules.accounts and compact not in rules.accounts:
        return _Account(
            compact,
            EntryProblem(
                "account-not-ours",
                {"account": compact},
                f"the report is for account {compact}, which is not one of the business's "
                "accounts (setting business_accounts)",
            ),
        )
    return _Account(compact)


def _flush(
    sheet: etree.XSLT,
    parent: etree._Element,
    skip: int,
    lines: list[int],
    account: _Account,
    last: etree._Element | None,
    rules: EntryRules,
) -> Iterator[ReportedEntry]:
    text = str(sheet(parent, skip=str(skip), count=str(len(lines))))
    if last is not None:
        _drop(last)
    index = -1
    for row in text.split("\n"):
        if not row:
            continue
        fields = row.split("\t")
        if fields[0] == "1":
            index += 1
        yield _entry(fields, account, lines[index], rules)


_TRUE = frozenset({"true", "1"})


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


#: The fields a problem names, by the key stored with it: their English names in the
#: problems' sentences (a key not here is its own name).
FIELD_NAMES = {
    "BookgDt": "booking date",
    "ValDt": "value date",
    "Dbtr/Nm": "the debtor's name",
    "SCOR": "the creditor reference",
    "Rsn/Cd": "the return reason code",
}


def _date(text: str, field: str, rules: EntryRules, problems: list[EntryProblem]) -> date | None:
    """An ISODate (or the date of an ISODateTime) within the rules' window; else a problem and
    None."""
    if not text:
        return None
    try:
        if not _ISO_DATE.fullmatch(text[:10]):
            raise ValueError(text)
        day = date.fromisoformat(text[:10])
    except ValueError:
        problems.append(
            EntryProblem(
                "date-not-iso",
                {"field": field, "value": text[:40]},
                f"{FIELD_NAMES[field]} {text[:40]!r} is not a date",
            )
        )
        return None
    assert rules.today is not None
    if day > rules.today + timedelta(days=rules.days_ahead):
        problems.append(
            EntryProblem(
                "date-ahead",
                {"field": field, "date": day.isoformat(), "days": rules.days_ahead},
                f"{FIELD_NAMES[field]} {day} is more than {rules.days_ahead} days ahead",
            )
        )
        return None
    if day < rules.today - timedelta(days=rules.days_back):
        problems.append(
            EntryProblem(
                "date-back",
                {"field": field, "date": day.isoformat(), "days": rules.days_back},
                f"{FIELD_NAMES[field]} {day} is more than {rules.days_back} days back",
            )
        )
        return None
    return day


def _text(value: str, limit: int, field: str, problems: list[EntryProblem]) -> str | None:
    """``value`` if it keeps to its MaxNText ``limit``; else a problem and None."""
    if len(value) > limit:
        problems.append(
            EntryProblem(
                "text-too-long",
                {"field": field, "length": len(value), "limit": limit},
                f"{FIELD_NAMES.get(field, field)} is {len(value)} characters long, "
                f"more than {limit}",
            )
        )
        return None
    return value or None


def _identifier(
    value: str, pattern: re.Pattern[str], field: str, problems: list[EntryProblem]
) -> str | None:
    if value and not pattern.fullmatch(value):
        problems.append(
            EntryProblem(
                "not-identifier",
                {"field": field, "value": value[:40]},
                f"{field} {value[:40]!r} is not a valid {field}",
            )
        )
        return None
    return value or None


def _amount_problem(value: str, currency: str, error: PaydeskError) -> EntryProblem:
    """Why ``value`` in ``currency`` is no amount, from :meth:`Money.parse`'s refusal (only for
    an amount refused: nothing of this runs for a usable entry)."""
    text = f"amount: {error.detail}"
    if isinstance(error, InvalidCurrency):
        if not currency:
            return EntryProblem("amount-no-currency", {}, text)
        return EntryProblem("amount-currency", {"currency": currency[:10]}, text)
    if "currency" in error.extra:
        digits = minor_units(currency)
        return EntryProblem(
            "amount-decimals", {"value": value[:40], "currency": currency, "digits": digits}, text
        )
    if "value" in error.extra:
        return EntryProblem("amount-not-decimal", {"value": value[:40]}, text)
    amount = Decimal(value)  # it keeps to the grammar: refused for its sign or size
    if amount < 0:
        return EntryProblem("amount-negative", {"amount": value, "currency": currency}, text)
    if abs(amount) > MAX_AMOUNT:
        return EntryProblem(
            "amount-too-large",
            {"amount": value, "currency": currency, "max_amount": str(MAX_AMOUNT)},
            text,
        )
    return EntryProblem("amount-not-decimal", {"value": value[:40]}, text)


def _entry(fields: list[str], account: _Account, line: int, rules: EntryRules) -> ReportedEntry:
    """Build one record from a line of the stylesheet's output."""
    if len(fields) < len(_Line._fields):  # an entry without TxDtls
        fields = fields + [""] * (len(_Line._fields) - len(fields))
    f = _Line._make(fields)
    entry_ref = f.entry_ref
    indicator = f.indicator
    entry_asr = f.entry_asr
    tx_asr = f.tx_asr
    end_to_end = f.end_to_end
    tx_id = f.tx_id
    scor = f.scor
    batch_size = int(f.batch) if f.batch and f.batch != "0" else 1
    problems: list[EntryProblem] = []
    if account.problem is not None:
        problems.append(account.problem)

    amount: Money | None = None
    value, currency = (
        (f.tx_amount, f.tx_currency) if f.tx_amount else (f.entry_amount, f.entry_currency)
    )
    if not value:
        problems.append(EntryProblem("no-amount", {}, "the entry has no amount"))
    elif not f.tx_amount and batch_size > 1:
        problems.append(
            EntryProblem(
                "batch-no-amount", {}, "a transaction in a batch entry has no amount of its own"
            )
        )
    else:
        try:
            amount = Money.parse(value, currency)
        except PaydeskError as err:
            problems.append(_amount_problem(value, currency, err))

    indicator = f.tx_indicator or indicator
    if indicator not in ("CRDT", "DBIT"):
        problems.append(
            EntryProblem(
                "indicator",
                {"value": indicator[:10]},
                f"CdtDbtInd is {indicator[:10]!r}, not CRDT or DBIT",
            )
        )
    is_reversal = f.reversal.lower() in _TRUE
    if amount is not None and amount.is_zero() and (indicator == "CRDT" or is_reversal):
        problems.append(EntryProblem("amount-zero", {}, "the amount is zero"))

    booking_date = _date(f.booked, "BookgDt", rules, problems)
    value_date = _date(f.valued, "ValDt", rules, problems)
    if booking_date is None and value_date is None and not problems:
        problems.append(
            EntryProblem("no-date", {}, "the entry has neither a booking date nor a value date")
        )

    if end_to_end == "NOTPROVIDED":
        end_to_end = ""
    entry_ref = _text(entry_ref, MAX35, "NtryRef", problems) or ""
    entry_asr = _text(entry_asr, MAX35, "AcctSvcrRef", problems) or ""
    tx_asr = _text(tx_asr, MAX35, "AcctSvcrRef", problems) or ""
    end_to_end = _text(end_to_end, MAX35, "EndToEndId", problems) or ""
    tx_id = _text(tx_id, MAX35, "TxId", problems) or ""
    name = _text(f.debtor_name, MAX140, "Dbtr/Nm", problems)
    iban = _identifier(f.debtor_iban.replace(" ", "").upper(), _IBAN, "IBAN", problems)
    bic = _identifier(f.bic, _BIC, "BIC", problems) or ""
    if f.long_lines not in ("", "0"):
        problems.append(
            EntryProblem(
                "remittance-line-too-long",
                {"limit": MAX140},
                f"a line of remittance text is longer than {MAX140} characters",
            )
        )
    scor = _text(scor, MAX35, "SCOR", problems) or ""
    mandate = _text(f.mandate, MAX35, "MndtId", problems) or ""
    return_code = _text(f.return_code, 4, "Rsn/Cd", problems) or ""

    asr = entry_asr or tx_asr
    key: str | None
    if asr:
        key = f"{account.id}/asr:{asr}"
    elif entry_ref:
        key = f"{account.id}/ntry:{entry_ref}"
    elif end_to_end:
        key = f"{account.id}/e2e:{end_to_end}"
    else:
        key = None
    if batch_size > 1:
        if tx_asr and tx_asr != entry_asr:
            key = f"{account.id}/asr:{tx_asr}"
        elif key is not None:
            if end_to_end:
                key = f"{key}/e2e:{end_to_end}"
            elif tx_id:
                key = f"{key}/tx:{tx_id}"
            else:
                key = f"{key}/n:{f.position}"
    if key is None:
        problems.append(
            EntryProblem(
                "no-key", {}, "the entry has no AcctSvcrRef, NtryRef or EndToEndId to key it by"
            )
        )

    rf: str | None = None
    candidate: str | None = None
    if scor:
        try:
            rf = rf_codes.validate(scor)
        except rf_codes.InvalidPaymentCode:
            candidate = rf_codes.compact(scor)
    text = f.ustrd.strip() or None
    if rf is None and text:
        found, text_candidate = find_rf(text)
        rf = found
        candidate = candidate or text_candidate
    if rf is not None:
        candidate = None

    return ReportedEntry(
        key=key,
        account_iban=account.id,
        booking_date=booking_date,
        value_date=value_date,
        amount=amount,
        credit=indicator == "CRDT",
        reversal=is_reversal,
        status=f.status,
        rf=rf,
        rf_candidate=candidate,
        remittance_text=text,
        debtor_name=name,
        debtor_iban=iban,
        debtor_agent_bic=bic or None,
        end_to_end_id=end_to_end or None,
        account_servicer_ref=tx_asr or entry_asr or None,
        entry_ref=entry_ref or None,
        transaction_id=tx_id or None,
        batch_size=batch_size,
        line=line,
        problem="; ".join(p.text for p in problems) if problems else None,
        mandate_id=mandate or None,
        return_code=return_code or None,
        problems=tuple(problems) if problems else (),
    )


# ---------------------------------------------------------------------------------------------
# Public functions


def open_camt(
    source: str | os.PathLike[str] | BinaryIO,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    rules: EntryRules | None = None,
) -> CamtFile:
    """Open a camt.053/054 file (path or binary file object) and check its header now."""
    return CamtFile(source, max_bytes, rules)


def parse_camt(
    source: str | os.PathLike[str] | BinaryIO,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    rules: EntryRules | None = None,
) -> Iterator[ReportedEntry]:
    """Stream the entries of a camt.053/054 file; header faults raise here, at once."""
    return open_camt(source, max_bytes=max_bytes, rules=rules).entries()


@dataclass(frozen=True, slots=True)
class FileSummary:
    kind: str
    version: str
    message_id: str | None
    entries: int


def check_file(
    source: str | os.PathLike[str] | BinaryIO, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> FileSummary:
    """One fast pass over the whole file; raise :class:`InvalidBankFile` for every file-level
    fault the parse would raise for, else return what the file is and how many ``Ntry`` it has."""
    opened = open_camt(source, max_bytes=max_bytes)
    return FileSummary(opened.kind, opened.version, opened.message_id, opened.count())
