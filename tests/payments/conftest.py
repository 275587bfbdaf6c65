"""Fixtures shared with the bank tests: an account with an open and a fixed payment code."""

from tests.bank.test_importer import world  # noqa: F401
