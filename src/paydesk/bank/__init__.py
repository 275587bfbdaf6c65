"""Bank side: read ISO 20022 camt.053/054 files into bank entries, find RF codes, name banks."""

from paydesk.bank.banks import bank_name
from paydesk.bank.camt import (
    BankFileTooLarge,
    CamtFile,
    FileSummary,
    InvalidBankFile,
    ReportedEntry,
    UnsafeBankFile,
    check_file,
    open_camt,
    parse_camt,
)
from paydesk.bank.remittance import find_rf

__all__ = [
    "BankFileTooLarge",
    "CamtFile",
    "FileSummary",
    "InvalidBankFile",
    "ReportedEntry",
    "UnsafeBankFile",
    "bank_name",
    "check_file",
    "find_rf",
    "open_camt",
    "parse_camt",
]
