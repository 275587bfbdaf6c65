"""Customers, their accounts and contracts (who owes what)."""
