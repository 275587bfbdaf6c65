"""The append-only audit trail of status changes."""
