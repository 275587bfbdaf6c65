"""One error hierarchy for paydesk.

Every error a user can cause is a :class:`PaydeskError`. Each class carries a stable
problem ``slug`` (RFC 9457 ``type`` is ``urn:paydesk:problem:<slug>``) and the HTTP status
the API answers with. Input errors are also ``ValueError`` so plain Python callers can catch
them the usual way.

Each error also has a ``code`` (by default its slug, or one given where it is raised) and its
parameters (``extra``): the pages write the error from them in the reader's language
(``paydesk.web.error_texts``); ``detail`` is the English sentence for logs and the API.
"""

from __future__ import annotations

from typing import Any, ClassVar


class PaydeskError(Exception):
    """Base of every error paydesk reports to a user."""

    slug: ClassVar[str] = "error"
    status: ClassVar[int] = 400
    title: ClassVar[str] = "Request failed"
    #: The code of the error's text, when a class has one other than its slug.
    text_code: ClassVar[str | None] = None

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.text_code or self.slug
        self.extra = extra

    @property
    def type_uri(self) -> str:
        return f"urn:paydesk:problem:{self.slug}"


class InvalidInput(PaydeskError, ValueError):
    """Input that can never be accepted as given."""

    slug = "invalid-input"
    status = 422
    title = "Invalid input"


class InvalidAmount(InvalidInput):
    slug = "invalid-amount"
    title = "Invalid amount"


class InvalidCurrency(InvalidInput):
    slug = "invalid-currency"
    title = "Invalid currency"


class CurrencyMismatch(InvalidInput):
    slug = "currency-mismatch"
    title = "Currency does not match"


class InvalidIBAN(InvalidInput):
    slug = "invalid-iban"
    title = "Invalid IBAN"


class NotFound(PaydeskError):
    slug = "not-found"
    status = 404
    title = "Not found"


class Conflict(PaydeskError):
    """The request is well formed but the current state does not allow it."""

    slug = "conflict"
    status = 409
    title = "Conflict with the current state"


class InvalidTransition(Conflict):
    slug = "invalid-transition"
    title = "Status change not allowed"


class IdempotencyKeyReused(Conflict):
    slug = "idempotency-key-reused"
    title = "Idempotency key reused with a different request"


class SecretNotReplayed(Conflict):
    """A retry of a request whose answer held a secret shown once: the secret is not kept."""

    slug = "secret-not-replayed"
    title = "The secret was shown once and is not replayed"


class Unavailable(PaydeskError):
    """Something paydesk needs is not set up or not installed (mail, the camt importer): the
    request may work once it is."""

    status = 503


class UpstreamFailed(PaydeskError):
    """A server paydesk talks to (the mail server, the bank's feed) could not be reached or
    refused."""

    status = 502


class Unauthorized(PaydeskError):
    slug = "unauthorized"
    status = 401
    title = "Credentials missing or invalid"


class Forbidden(PaydeskError):
    slug = "forbidden"
    status = 403
    title = "Role not allowed"
