"""Write ISO 20022 camt.054 notifications and camt.053 statements.

The bank simulator, the tests and the benchmark use this to produce files that look like a
bank's. Output is streamed through :class:`lxml.etree.xmlfile`, one entry at a time, so a
million entries cost no more memory than ten.

Each :class:`OutgoingCredit` becomes one ``Ntry`` with one ``TxDtls``. A reversal (a credit
the bank takes back) is written as ISO 20022 reports it: ``CdtDbtInd`` ``DBIT`` with
``RvslInd`` ``true``. The element layout follows the version: ``Sts`` is a plain code before
001.08 and ``Sts/Cd`` from 001.08; the debtor's name is ``Dbtr/Nm`` before 001.08 and
``Dbtr/Pty/Nm`` from 001.08; the agent is ``BIC`` before 001.04 and ``BICFI`` from 001.04;
the transaction amount is ``TxDtls/AmtDtls/TxAmt/Amt`` before 001.04 and ``TxDtls/Amt`` from
001.04.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import BinaryIO

from lxml import etree

from paydesk.errors import InvalidInput
from paydesk.money import Money

__all__ = ["SUPPORTED_VERSIONS", "Balance", "OutgoingCredit", "write_camt053", "write_camt054"]

#: Message versions the writer (and the parser) support.
SUPPORTED_VERSIONS = tuple(f"001.{n:02d}" for n in range(2, 14))


@dataclass(frozen=True, slots=True)
class OutgoingCredit:
    """One credit to the business's account, as a bank would report it."""

    amount: Money
    booking_date: date | None
    value_date: date | None = None
    rf: str | None = None
    remittance_text: str | None = None
    debtor_name: str | None = None
    debtor_iban: str | None = None
    debtor_bic: str | None = None
    end_to_end_id: str | None = None
    account_servicer_ref: str | None = None
    entry_ref: str | None = None
    reversal: bool = False
    status: str = "BOOK"
    #: A direct-debit collection: its mandate; a returned one also its reason code (written
    #: as a debit with ``RtrInf``, not a reversal).
    mandate_id: str | None = None
    return_code: str | None = None


@dataclass(frozen=True, slots=True)
class Balance:
    """A statement balance: ``OPBD`` (opening booked), ``CLBD`` (closing booked), ..."""

    code: str
    amount: Money
    on: date
    credit: bool = True


def _version_number(version: str) -> int:
    if version not in SUPPORTED_VERSIONS:
        supported = ", ".join(SUPPORTED_VERSIONS)
        raise InvalidInput(f"camt version {version!r} is not supported ({supported})")
    return int(version[4:])


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class _Writer:
    """Builds the entry elements for one message version."""

    def __init__(self, kind: str, version: str) -> None:
        self.number = _version_number(version)
        self.ns = f"urn:iso:std:iso:20022:tech:xsd:{kind}.{version}"

    # Elements written inside the root are built without a namespace: serialised inside the
    # root's default namespace declaration they belong to it, and no element repeats it.

    def el(self, parent: etree._Element, tag: str, text: str | None = None, **attrib: str):
        child = etree.SubElement(parent, tag, attrib)
        if text is not None:
            child.text = text
        return child

    def path(self, parent: etree._Element, tags: str, text: str) -> None:
        for tag in tags.split("/"):
            parent = self.el(parent, tag)
        parent.text = text

    def amount(self, parent: etree._Element, tag: str, money: Money) -> None:
        self.el(parent, tag, str(money.amount), Ccy=money.currency)

    def account(self, parent: etree._Element, tag: str, iban: str, currency: str | None) -> None:
        acct = self.el(parent, tag)
        self.path(acct, "Id/IBAN", iban)
        if currency:
            self.el(acct, "Ccy", currency)

    def entry(self, credit: OutgoingCredit) -> etree._Element:
        n = self.number
        ntry = etree.Element("Ntry")
        if credit.entry_ref:
            self.el(ntry, "NtryRef", credit.entry_ref)
        self.amount(ntry, "Amt", credit.amount)
        indicator = "DBIT" if credit.reversal or credit.return_code else "CRDT"
        self.el(ntry, "CdtDbtInd", indicator)
        if credit.reversal:
            self.el(ntry, "RvslInd", "true")
        if n >= 8:
            self.path(ntry, "Sts/Cd", credit.status)
        else:
            self.el(ntry, "Sts", credit.status)
        if credit.booking_date:
            self.path(ntry, "BookgDt/Dt", credit.booking_date.isoformat())
        if credit.value_date:
            self.path(ntry, "ValDt/Dt", credit.value_date.isoformat())
        if credit.account_servicer_ref:
            self.el(ntry, "AcctSvcrRef", credit.account_servicer_ref)
        domain = self.el(self.el(ntry, "BkTxCd"), "Domn")
        self.el(domain, "Cd", "PMNT")
        family = self.el(domain, "Fmly")
        direct_debit = credit.mandate_id is not None
        self.el(family, "Cd", "RDDT" if direct_debit else "RCDT")
        self.el(
            family,
            "SubFmlyCd",
            ("UPDD" if credit.return_code else "ESDD") if direct_debit else "ESCT",
        )
        tx = self.el(self.el(ntry, "NtryDtls"), "TxDtls")
        refs = self.el(tx, "Refs")
        if credit.account_servicer_ref:
            self.el(refs, "AcctSvcrRef", credit.account_servicer_ref)
        self.el(refs, "EndToEndId", credit.end_to_end_id or "NOTPROVIDED")
        if credit.mandate_id:
            self.el(refs, "MndtId", credit.mandate_id)
        if n >= 4:
            self.amount(tx, "Amt", credit.amount)
            self.el(tx, "CdtDbtInd", indicator)
        else:
            self.amount(self.el(self.el(tx, "AmtDtls"), "TxAmt"), "Amt", credit.amount)
        if credit.debtor_name or credit.debtor_iban:
            parties = self.el(tx, "RltdPties")
            if credit.debtor_name:
                debtor = self.el(parties, "Dbtr")
                self.path(debtor, "Pty/Nm" if n >= 8 else "Nm", credit.debtor_name)
            if credit.debtor_iban:
                self.account(parties, "DbtrAcct", credit.debtor_iban, None)
        if credit.debtor_bic:
            agent = "BICFI" if n >= 4 else "BIC"
            self.path(self.el(tx, "RltdAgts"), f"DbtrAgt/FinInstnId/{agent}", credit.debtor_bic)
        if credit.rf or credit.remittance_text:
            rmt = self.el(tx, "RmtInf")
            if credit.remittance_text:
                self.el(rmt, "Ustrd", credit.remittance_text)
            if credit.rf:
                ref = self.el(self.el(rmt, "Strd"), "CdtrRefInf")
                self.path(ref, "Tp/CdOrPrtry/Cd", "SCOR")
                self.el(ref, "Ref", credit.rf)
        if credit.return_code:
            self.path(self.el(tx, "RtrInf"), "Rsn/Cd", credit.return_code)
        return ntry

    def balance(self, balance: Balance) -> etree._Element:
        bal = etree.Element("Bal")
        self.path(bal, "Tp/CdOrPrtry/Cd", balance.code)
        self.amount(bal, "Amt", balance.amount)
        self.el(bal, "CdtDbtInd", "CRDT" if balance.credit else "DBIT")
        self.path(bal, "Dt/Dt", balance.on.isoformat())
        return bal


def _write(
    kind: str,
    report_tag: str,
    message_tag: str,
    entries: Iterable[OutgoingCredit],
    out: BinaryIO,
    version: str,
    account_iban: str,
    message_id: str,
    report_id: str | None,
    created_at: datetime | None,
    currency: str | None,
    balances: Iterable[Balance] = (),
) -> int:
    writer = _Writer(kind, version)
    q = f"{{{writer.ns}}}"
    created = _iso(created_at or datetime.now(UTC).replace(microsecond=0))
    count = 0
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(q + "Document", nsmap={None: writer.ns}), xf.element(q + message_tag):
            header = etree.Element("GrpHdr")
            writer.el(header, "MsgId", message_id)
            writer.el(header, "CreDtTm", created)
            xf.write(header, pretty_print=True)
            with xf.element(q + report_tag):
                report = etree.Element("Id")
                report.text = report_id or message_id
                xf.write(report)
                stamp = etree.Element("CreDtTm")
                stamp.text = created
                xf.write(stamp)
                acct = etree.Element("Acct")
                writer.path(acct, "Id/IBAN", account_iban)
                if currency:
                    writer.el(acct, "Ccy", currency)
                xf.write(acct, pretty_print=True)
                for balance in balances:
                    xf.write(writer.balance(balance), pretty_print=True)
                for credit in entries:
                    xf.write(writer.entry(credit), pretty_print=True)
                    count += 1
    return count


def write_camt054(
    entries: Iterable[OutgoingCredit],
    out: BinaryIO,
    *,
    version: str = "001.08",
    account_iban: str,
    message_id: str,
    notification_id: str | None = None,
    created_at: datetime | None = None,
    currency: str | None = None,
) -> int:
    """Stream a camt.054 notification with one entry per credit; return the number of entries."""
    return _write(
        "camt.054",
        "Ntfctn",
        "BkToCstmrDbtCdtNtfctn",
        entries,
        out,
        version,
        account_iban,
        message_id,
        notification_id,
        created_at,
        currency,
    )


def write_camt053(
    entries: Iterable[OutgoingCredit],
    out: BinaryIO,
    *,
    version: str = "001.08",
    account_iban: str,
    message_id: str,
    statement_id: str | None = None,
    created_at: datetime | None = None,
    currency: str | None = None,
    balances: Iterable[Balance] = (),
) -> int:
    """Stream a camt.053 statement (balances optional); return the number of entries."""
    return _write(
        "camt.053",
        "Stmt",
        "BkToCstmrStmt",
        entries,
        out,
        version,
        account_iban,
        message_id,
        statement_id,
        created_at,
        currency,
        balances,
    )
