"""The append-only ledger of financial transactions per contract."""
