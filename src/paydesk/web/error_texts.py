"""Domain errors in the reader's language: the text of each error code, filled with the
error's parameters (amounts and dates in the local format, statuses translated).

Every :class:`~paydesk.errors.PaydeskError` has a ``code`` (its slug unless a class or the place
that raises it names another) and parameters (``extra``). :data:`TEXTS` holds the sentence of
the codes that have parameters worth showing; every other code falls back to its class's title
(:data:`TITLES`), translated. English pages add the English ``detail`` to a title; Greek and
Polish pages show no English. ``tests/web/test_error_texts.py`` walks the codes raised in
``src`` and the classes' slugs and checks each has a Greek and a Polish text.

What the bank side stores is written the same way: a refused bank file's refusal (its error
code and parameters, :func:`refusal_text`) and a rejected bank entry's problems
(:data:`ENTRY_PROBLEMS`, :func:`entry_reason`). Rows stored before they had codes show their
English text as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from babel.numbers import format_currency, format_decimal
from babel.units import format_unit

from paydesk.codes import rf
from paydesk.errors import PaydeskError
from paydesk.money import Money
from paydesk.web import i18n
from paydesk.web.i18n import N_
from paydesk.web.labels import reason_label, status_label

#: Sentences of error codes, with their parameters.
TEXTS: dict[str, str] = {
    "no-account": N_("There is no account %(key)s."),
    "no-customer": N_("There is no customer %(key)s."),
    "no-contract": N_("There is no contract %(key)s."),
    "no-document": N_("There is no document %(key)s."),
    "no-payment": N_("There is no payment %(key)s."),
    "no-payment-event": N_("There is no payment event %(key)s."),
    "no-tender": N_("There is no tender %(key)s."),
    "no-bank-entry": N_("There is no bank entry %(key)s."),
    "no-service-task": N_("There is no service task %(key)s."),
    "no-drawer-session": N_("There is no cash drawer %(key)s."),
    "no-stored-payment-method": N_("There is no stored payment method %(key)s."),
    "no-cash-only-point-entry": N_("There is no cash-only points entry %(key)s."),
    "no-feed-document-put-aside": N_("There is no feed document put aside %(key)s."),
    "rf-length": N_("%(number)s is not an RF code: an RF code has 5 to 25 characters."),
    "rf-format": N_("%(number)s is not an RF code: an RF code starts with RF."),
    "rf-characters": N_(
        "%(number)s is not an RF code: only letters A–Z and digits follow the check digits."
    ),
    "rf-check-digits-place": N_(
        "%(number)s is not an RF code: its third and fourth characters are the check digits."
    ),
    "rf-check-digits": N_("The check digits of %(rf)s do not match: look for a typing error."),
    "rf-check-digits-never-issued": N_(
        "The check digits %(check)s of %(rf)s are never issued (only 02 to 98)."
    ),
    "code-not-payable": N_(
        "Payment code %(rf)s is %(code_status)s: no payment slip is made for it."
    ),
    # A bank file refused as a whole (paydesk.bank.camt); the parser's message stays as it is.
    "bank-file-not-xml": N_(
        "The file is not well-formed XML (line %(line)s, column %(column)s). "
        "The parser says: %(message)s"
    ),
    "bank-file-not-camt": N_(
        "The file is not an ISO 20022 camt.053 or camt.054 file: its root element is %(root)s."
    ),
    "bank-file-version": N_("%(kind)s version %(version)s is not supported (001.02 to 001.13)."),
    "bank-file-wrong-message": N_(
        "A %(kind)s file must hold %(expected)s; this one holds %(found)s."
    ),
    "bank-file-doctype": N_(
        "The file declares a DOCTYPE: bank files with a DTD or entities are refused "
        "(XXE, entity expansion)."
    ),
    "bank-file-too-large": N_("The file is larger than the limit of %(limit)s."),
    "bank-file-empty": N_("The file is empty or holds no XML element."),
    "bank-file-message-id": N_(
        "The file's message id (MsgId) has %(length)s characters, more than %(limit)s."
    ),
    "bank-file-cut-short": N_("The file ends before its Document element is closed."),
    "bank-file-misplaced-entry": N_(
        "An entry (Ntry) must sit in %(expected)s; this one sits in %(found)s."
    ),
    "bank-file-no-account": N_(
        "A report has no account (Acct/Id/IBAN or Acct/Id/Othr/Id), line %(line)s."
    ),
}

#: Why a bank entry was rejected, by the code of its problem (:class:`paydesk.bank.camt.
#: EntryProblem`). ``tests/web/test_error_texts.py`` checks every code the parser gives has one.
ENTRY_PROBLEMS: dict[str, str] = {
    "account-not-identifier": N_(
        "The report's account %(account)s is not an IBAN or an identifier of at most 34 characters."
    ),
    "account-not-ours": N_(
        "The report is for account %(account)s, which is not one of the business's accounts "
        "(setting business_accounts)."
    ),
    "no-amount": N_("The entry has no amount."),
    "batch-no-amount": N_("A transaction in a batch entry has no amount of its own."),
    "amount-no-currency": N_("The amount has no currency."),
    "amount-currency": N_("“%(currency)s” is not an ISO 4217 currency code."),
    "amount-decimals": N_(
        "The amount “%(value)s” has more decimals than %(currency)s has (%(digits)s)."
    ),
    "amount-not-decimal": N_(
        "The amount “%(value)s” is not a decimal amount: ASCII digits with an optional "
        "fraction after a point, such as 120.00."
    ),
    "amount-negative": N_("The amount %(amount)s is negative."),
    "amount-too-large": N_("The amount %(amount)s is larger than %(max_amount)s."),
    "amount-zero": N_("The amount is zero."),
    "indicator": N_("The credit or debit indicator (CdtDbtInd) is “%(value)s”, not CRDT or DBIT."),
    "date-not-iso": N_("%(field)s: “%(value)s” is not a date."),
    "date-ahead": N_("%(field)s: %(date)s is more than %(days)s days ahead."),
    "date-back": N_("%(field)s: %(date)s is more than %(days)s days back."),
    "no-date": N_("The entry has neither a booking date nor a value date."),
    "text-too-long": N_("%(field)s: %(length)s characters, more than %(limit)s."),
    "not-identifier": N_("%(field)s: “%(value)s” is not valid."),
    "remittance-line-too-long": N_(
        "A line of the remittance text is longer than %(limit)s characters."
    ),
    "no-key": N_("The entry has no reference to know it by (AcctSvcrRef, NtryRef or EndToEndId)."),
}

#: The fields an entry's problem names, by the key stored with it.
FIELDS: dict[str, str] = {
    "BookgDt": N_("Booking date"),
    "ValDt": N_("Value date"),
    "NtryRef": N_("Entry reference (NtryRef)"),
    "AcctSvcrRef": N_("Bank's reference (AcctSvcrRef)"),
    "EndToEndId": N_("End-to-end id (EndToEndId)"),
    "TxId": N_("Transaction id (TxId)"),
    "Dbtr/Nm": N_("Payer's name"),
    "IBAN": N_("Payer's IBAN"),
    "BIC": N_("Payer's bank (BIC)"),
    "SCOR": N_("Creditor reference (RF)"),
    "MndtId": N_("Mandate reference (MndtId)"),
    "Rsn/Cd": N_("Return reason code"),
}

#: Parameters that are amounts (text, beside the parameter ``currency``) and sizes in bytes.
_AMOUNTS = frozenset({"amount", "max_amount"})
_BYTES = {"bank-file-too-large": frozenset({"limit", "size"})}
#: Quantities, written with the locale's grouping (ids, lines and columns are written as they are).
_COUNTS = frozenset({"length", "limit", "days", "count"})

#: Every error class's title, by slug: the text of a code with no sentence of its own.
TITLES: dict[str, str] = {
    "error": N_("The request failed."),
    "internal-error": N_("The import failed with an unexpected error."),
    "invalid-input": N_("This input is not accepted."),
    "invalid-amount": N_("The amount is not valid."),
    "invalid-currency": N_("The currency is not valid."),
    "currency-mismatch": N_("The currencies do not match."),
    "invalid-iban": N_("The IBAN is not valid."),
    "not-found": N_("Not found."),
    "conflict": N_("This is not possible in the current state."),
    "invalid-transition": N_("This status change is not allowed."),
    "idempotency-key-reused": N_("The idempotency key was used for another request."),
    "secret-not-replayed": N_("The secret was shown once and is not shown again."),
    "unauthorized": N_("Sign in first."),
    "forbidden": N_("Your role may not do this."),
    "invalid-payment-code": N_("This is not a valid RF payment code."),
    "invalid-match": N_("The match type or value is not valid."),
    "distribution-failed": N_("The payment could not be distributed."),
    "invalid-manual-distribution": N_("The manual distribution is not valid."),
    "invalid-tender": N_("The tender is not valid."),
    "card-tender-refused": N_("Card payments go through the external card processor."),
    "cash-back-refused": N_("Cash back is not allowed here."),
    "drawer-not-yours": N_("This is another cashier's drawer."),
    "no-open-drawer": N_("Open your cash drawer before taking payments."),
    "quick-value-not-found": N_("Nothing was found for this value."),
    "tender-not-accepted-by-rule": N_("The distribution rule does not take this tender type."),
    "unbalanced-payment-event": N_("The tenders and the payments do not balance."),
    "unknown-amount-default": N_("The payment amount default is unknown."),
    "unknown-distribution-rule": N_("The distribution rule is unknown."),
    "unknown-tender-type": N_("The tender type is unknown."),
    "unpayable-code": N_("The payment code takes no payment."),
    "code-not-payable": N_("The payment code no longer takes payments."),
    "no-email-address": N_("There is no e-mail address to send to."),
    "mail-not-configured": N_("E-mail is not configured."),
    "mail-delivery-failed": N_("The e-mail could not be delivered."),
    "invalid-email-address": N_("The e-mail address is not valid."),
    "invalid-mail-settings": N_("The mail server settings are not valid."),
    "invalid-bic": N_("The BIC is not valid."),
    "invalid-epc-payload": N_("The QR code of the slip cannot be made."),
    "slip-font-missing": N_("The font of the payment slip is missing."),
    "invalid-bank-file": N_("This is not a camt bank file paydesk can read."),
    "bank-file-too-large": N_("The bank file is too large."),
    "unsafe-bank-file": N_("The bank file was refused as unsafe."),
    "bank-feed-unavailable": N_("The bank feed cannot be reached."),
    "bank-import-unavailable": N_("Bank files cannot be imported now."),
    "invalid-collection-file": N_("The direct-debit file does not validate."),
    "direct-debit-not-configured": N_("Direct debits are not configured."),
    "nothing-to-collect": N_("No direct debit is due."),
    "invalid-status-report": N_("The payment status report is not valid."),
    "payload-too-large": N_("What was sent is too large."),
    "unsupported-media-type": N_("This kind of content is not accepted."),
    "webhook-url-not-allowed": N_("This webhook address is not allowed."),
}


def _value(
    name: str, value: Any, lang: str, gettext: Callable[[str], str], params: Mapping[str, Any]
) -> str:
    locale = i18n.LOCALES[i18n.check_language(lang)]
    if isinstance(value, Money):
        return i18n.format_money(value.minor, value.currency, lang)
    if isinstance(value, date):
        return i18n.format_day(value, lang)
    if name.endswith("status") and isinstance(value, str):
        return gettext(status_label(value)).lower()
    if name == "rf" and isinstance(value, str):
        return rf.format(value)
    if name == "field" and isinstance(value, str):
        return gettext(FIELDS[value]) if value in FIELDS else value
    if name == "date" and isinstance(value, str):
        try:
            return i18n.format_day(date.fromisoformat(value), lang)
        except ValueError:
            return value
    if name in _AMOUNTS and isinstance(value, str) and params.get("currency"):
        try:
            return format_currency(Decimal(value), str(params["currency"]), locale=locale)
        except (InvalidOperation, ValueError):
            return f"{value} {params['currency']}"
    if name in _COUNTS and isinstance(value, int) and not isinstance(value, bool):
        return format_decimal(value, locale=locale)
    return str(value)


def _size(value: int, lang: str) -> str:
    """A size in bytes the way ``lang`` writes it: ``2,048 MB``, ``2.048 MB``, ``1,5 kB``."""
    locale = i18n.LOCALES[i18n.check_language(lang)]
    unit, scale = (
        ("digital-megabyte", 1024 * 1024) if value >= 1024 * 1024 else ("digital-kilobyte", 1024)
    )
    amount = Decimal(value) / scale
    shown = amount.quantize(Decimal(1) if amount >= 100 else Decimal("0.01")).normalize()
    return format_unit(shown, unit, length="short", locale=locale)


def code_text(
    code: str, params: Mapping[str, Any], lang: str, sentences: Mapping[str, str] = TEXTS
) -> str | None:
    """The sentence of ``code`` in ``lang`` filled with ``params`` (amounts, dates, numbers and
    sizes the way ``lang`` writes them); None when the code has no sentence or a parameter it
    needs is missing."""
    sentence = sentences.get(code)
    if sentence is None:
        return None
    gettext = i18n.translations(lang).gettext
    sizes = _BYTES.get(code, frozenset())
    try:
        values = {}
        for name, value in params.items():
            if name in sizes and isinstance(value, int):
                values[name] = _size(value, lang)
            else:
                values[name] = _value(name, value, lang, gettext, params)
        return gettext(sentence) % values
    except (KeyError, TypeError, ValueError):
        return None


def _title(slug: str | None) -> str:
    """The title of an error class by its slug (the general one for an unknown slug)."""
    return TITLES.get(slug or "") or TITLES["error"]


def error_text(error: PaydeskError, lang: str) -> str:
    """``error`` in ``lang``: its code's sentence filled with its parameters, else its class's
    title (with the English detail on English pages)."""
    gettext = i18n.translations(lang).gettext
    text = code_text(error.code, error.extra, lang)
    if text is not None:
        return text
    title = _title(error.slug)
    if i18n.check_language(lang) == "en":
        return f"{title} {error.detail[:1].upper()}{error.detail[1:]}."
    return gettext(title)


def failure_text(error_type: str | None, detail: str | None, lang: str) -> str:
    """Why a feed document was put aside, in ``lang``: its error class's title, then the stored
    detail (the error's own English words, kept as a technical detail)."""
    text = i18n.translations(lang).gettext(_title(error_type))
    return f"{text} ({detail})" if detail else text


class _Refused(Protocol):
    error: str | None
    refusal: dict[str, Any] | None


def refusal_text(file: _Refused, lang: str) -> str:
    """Why a bank file was refused, in ``lang``: its refusal's code and parameters (and how
    many entries were imported before the break); a refusal stored without a code (a file
    refused before codes were kept), or whose code has no sentence, as its English text."""
    refusal = file.refusal or {}
    text = code_text(str(refusal.get("code", "")), refusal.get("params") or {}, lang)
    if text is None:
        return file.error or ""
    before = refusal.get("entries_before")
    if isinstance(before, int):
        count = format_decimal(before, locale=i18n.LOCALES[i18n.check_language(lang)])
        gettext = i18n.translations(lang).gettext
        text += " " + gettext("Entries imported before the fault: %(count)s.") % {"count": count}
    return text


class _Held(Protocol):
    reason: str | None

    @property
    def problems(self) -> list[dict[str, Any]]: ...


def entry_reason(entry: _Held, lang: str) -> str:
    """Why a bank entry is held or rejected, in ``lang``: a rejected entry's problems from
    their codes (one sentence each), a held entry's reason as :func:`~paydesk.web.labels.
    reason_label` words it; a reason stored without codes as it is."""
    problems = entry.problems
    if problems:
        texts = [
            code_text(str(p.get("code")), p.get("params") or {}, lang, ENTRY_PROBLEMS)
            for p in problems
        ]
        if all(texts):
            return " ".join(t for t in texts if t)
        return entry.reason or ""
    return reason_label(entry.reason, i18n.translations(lang).gettext, lang)
