"""Imports every model so that ``Base.metadata`` knows all tables (migrations, tests)."""

from paydesk.accounts.models import Account, Contract, Customer, CustomerNameTerm
from paydesk.api.models import IdempotencyRecord
from paydesk.audit.models import AuditEvent
from paydesk.auth.models import ApiKey, SignInThrottle, User, WebSession
from paydesk.bank.feed_cursor import BankFeedCursor
from paydesk.bank.feed_failure import BankFeedFailure
from paydesk.bank.models import BankEntry, BankFile
from paydesk.cashier.models import (
    AutopayRegistration,
    CashDrawerSession,
    CashOnlyPointChange,
    DirectDebitCollection,
    Mandate,
    ServiceTask,
    StoredPaymentMethod,
)
from paydesk.codes.models import CodePayment, CodeSerial, PaymentCode
from paydesk.db.base import Base
from paydesk.directdebits.models import DirectDebitFile
from paydesk.documents.models import Document, Security
from paydesk.ledger.models import LedgerEntry
from paydesk.payments.models import Payment, PaymentEvent, PaymentSegment, Tender
from paydesk.slips.models import SlipSending
from paydesk.webhooks.models import WebhookDelivery, WebhookSubscription
from paydesk.worker.models import Job

__all__ = [
    "Account",
    "ApiKey",
    "AuditEvent",
    "AutopayRegistration",
    "BankEntry",
    "BankFeedCursor",
    "BankFeedFailure",
    "BankFile",
    "Base",
    "CashDrawerSession",
    "CashOnlyPointChange",
    "CodePayment",
    "CodeSerial",
    "Contract",
    "Customer",
    "CustomerNameTerm",
    "DirectDebitCollection",
    "DirectDebitFile",
    "Document",
    "IdempotencyRecord",
    "Job",
    "LedgerEntry",
    "Mandate",
    "Payment",
    "PaymentCode",
    "PaymentEvent",
    "PaymentSegment",
    "Security",
    "ServiceTask",
    "SignInThrottle",
    "SlipSending",
    "StoredPaymentMethod",
    "Tender",
    "User",
    "WebSession",
    "WebhookDelivery",
    "WebhookSubscription",
]
