"""Every text a payment slip or its e-mail shows, in English, Greek and Polish.

Kept in this one table until the web UI brings message catalogs; ``{placeholders}`` are filled
with :meth:`str.format`.
"""

from __future__ import annotations

from typing import Final, Literal

from paydesk.errors import InvalidInput

Language = Literal["en", "el", "pl"]
LANGUAGES: Final = ("en", "el", "pl")

#: Babel locale used for amounts and dates in each language.
LOCALES: Final = {"en": "en_IE", "el": "el_GR", "pl": "pl_PL"}

LABELS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "title": "Payment slip",
        "beneficiary": "Beneficiary",
        "iban": "IBAN",
        "bic": "BIC",
        "customer": "Customer",
        "document": "Document",
        "amount": "Amount",
        "open_amount": "Open amount: pay the amount you choose",
        "open_up_to": "Open amount: you may pay up to {amount}",
        "due_date": "Due date",
        "expires_on": "Payment code valid until",
        "payment_code": "Payment code (RF)",
        "scan": "Scan with your banking app",
        "no_qr": "Pay by bank transfer; no QR code is printed for amounts in {currency}.",
        "instructions": (
            "Pay by bank transfer to the IBAN above and quote the payment code as the "
            "reference, exactly as printed, or scan the QR code with your banking app."
        ),
        "subject": "Payment slip for {document}, payment code {code}",
        "greeting": "Dear {name},",
        "body": "Please find attached the payment slip for {document}.",
        "closing": "Thank you,",
        "kind.invoice": "Invoice",
        "kind.repair_order": "Repair order",
        "kind.counter_invoice": "Counter invoice",
        "kind.vehicle_order": "Vehicle order",
        "kind.securities_batch": "Securities batch",
        "kind.account": "Account",
    },
    "el": {
        "title": "Δελτίο πληρωμής",
        "beneficiary": "Δικαιούχος",
        "iban": "IBAN",
        "bic": "BIC",
        "customer": "Πελάτης",
        "document": "Παραστατικό",
        "amount": "Ποσό",
        "open_amount": "Ελεύθερο ποσό: πληρώστε το ποσό που επιθυμείτε",
        "open_up_to": "Ελεύθερο ποσό: μπορείτε να πληρώσετε έως {amount}",
        "due_date": "Προθεσμία πληρωμής",
        "expires_on": "Ο κωδικός πληρωμής ισχύει έως",
        "payment_code": "Κωδικός πληρωμής (RF)",
        "scan": "Σαρώστε με την εφαρμογή της τράπεζάς σας",
        "no_qr": "Πληρώστε με τραπεζική μεταφορά· για ποσά σε {currency} δεν τυπώνεται κωδικός QR.",
        "instructions": (
            "Πληρώστε με τραπεζική μεταφορά στο παραπάνω IBAN, δηλώνοντας ως αιτιολογία τον "
            "κωδικό πληρωμής όπως ακριβώς είναι τυπωμένος, ή σαρώστε τον κωδικό QR με την "
            "εφαρμογή της τράπεζάς σας."
        ),
        "subject": "Δελτίο πληρωμής για {document}, κωδικός πληρωμής {code}",
        "greeting": "Αγαπητέ/ή {name},",
        "body": "Σας επισυνάπτουμε το δελτίο πληρωμής για {document}.",
        "closing": "Σας ευχαριστούμε,",
        "kind.invoice": "Τιμολόγιο",
        "kind.repair_order": "Εντολή επισκευής",
        "kind.counter_invoice": "Τιμολόγιο ταμείου",
        "kind.vehicle_order": "Παραγγελία οχήματος",
        "kind.securities_batch": "Δέσμη αξιογράφων",
        "kind.account": "Λογαριασμός",
    },
    "pl": {
        "title": "Dane do płatności",
        "beneficiary": "Odbiorca",
        "iban": "IBAN",
        "bic": "BIC",
        "customer": "Klient",
        "document": "Dokument",
        "amount": "Kwota",
        "open_amount": "Kwota dowolna: wpłać wybraną przez siebie kwotę",
        "open_up_to": "Kwota dowolna: możesz wpłacić do {amount}",
        "due_date": "Termin płatności",
        "expires_on": "Kod płatności ważny do",
        "payment_code": "Kod płatności (RF)",
        "scan": "Zeskanuj w aplikacji swojego banku",
        "no_qr": "Zapłać przelewem; dla kwot w {currency} kod QR nie jest drukowany.",
        "instructions": (
            "Zapłać przelewem na powyższy numer IBAN, podając w tytule przelewu kod płatności "
            "dokładnie tak, jak został wydrukowany, albo zeskanuj kod QR w aplikacji bankowej."
        ),
        "subject": "Dane do płatności za {document}, kod płatności {code}",
        "greeting": "Dzień dobry {name},",
        "body": "W załączniku przesyłamy dane do płatności za {document}.",
        "closing": "Dziękujemy,",
        "kind.invoice": "Faktura",
        "kind.repair_order": "Zlecenie naprawy",
        "kind.counter_invoice": "Faktura sprzedaży",
        "kind.vehicle_order": "Zamówienie pojazdu",
        "kind.securities_batch": "Pakiet papierów wartościowych",
        "kind.account": "Konto",
    },
}


def check_language(language: str) -> Language:
    """Return ``language`` if slips speak it, else raise :class:`~paydesk.errors.InvalidInput`."""
    if language not in LANGUAGES:
        raise InvalidInput(f"{language!r}: slips are written in {', '.join(LANGUAGES)}")
    return language  # type: ignore[return-value]


def label(language: str, key: str, **values: object) -> str:
    """The text ``key`` in ``language``, with ``values`` filled in."""
    return LABELS[check_language(language)][key].format(**values)


def document_kind(language: str, kind: str) -> str:
    """The document kind's name in ``language``; an unknown kind is shown as given."""
    return LABELS[check_language(language)].get(f"kind.{kind}", kind)
