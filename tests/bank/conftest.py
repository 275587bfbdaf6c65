"""Fixtures shared by the bank tests."""

from tests.bank.test_importer import world  # noqa: F401 - a fixture for the whole folder
