"""Domain errors in the reader's language: the text of each error code, filled with the
error's parameters (amounts and dates in the local format, statuses translated).

Every :class:`~paydesk.errors.PaydeskError` has a ``code`` (its slug unless a class or the place
that raises it names another) and parameters (``extra``). :data:`TEXTS` holds the sentence of
the codes that have parameters worth showing; every other code falls back to its class's title
(:data:`TITLES`), translated. English pages add the English ``detail`` to a title; Greek and
Polish pages show no English. ``tests/web/test_error_texts.py`` walks the codes raised in
``src`` and the classes' slugs and checks each has a Greek and a Polish text.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from paydesk.codes import rf
from paydesk.errors import PaydeskError
from paydesk.money import Money
from paydesk.web import i18n
from paydesk.web.i18n import N_
from paydesk.web.labels import status_label

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
}

#: Every error class's title, by slug: the text of a code with no sentence of its own.
TITLES: dict[str, str] = {
    "error": N_("The request failed."),
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


def _value(name: str, value: Any, lang: str, gettext) -> str:
    if isinstance(value, Money):
        return i18n.format_money(value.minor, value.currency, lang)
    if isinstance(value, date):
        return i18n.format_day(value, lang)
    if name.endswith("status") and isinstance(value, str):
        return gettext(status_label(value)).lower()
    if name == "rf" and isinstance(value, str):
        return rf.format(value)
    return str(value)


def error_text(error: PaydeskError, lang: str) -> str:
    """``error`` in ``lang``: its code's sentence filled with its parameters, else its class's
    title (with the English detail on English pages)."""
    gettext = i18n.translations(lang).gettext
    sentence = TEXTS.get(error.code)
    if sentence is not None:
        try:
            values = {k: _value(k, v, lang, gettext) for k, v in error.extra.items()}
            return gettext(sentence) % values
        except (KeyError, TypeError, ValueError):
            pass  # parameters missing: the title below
    title = TITLES.get(error.slug) or TITLES["error"]
    if i18n.check_language(lang) == "en":
        return f"{title} {error.detail[:1].upper()}{error.detail[1:]}."
    return gettext(title)
