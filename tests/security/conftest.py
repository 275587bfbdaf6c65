"""Fixtures of the security suite: the web fixtures (users with passwords, a small book)."""

from tests.web.conftest import book  # noqa: F401  (a fixture)
