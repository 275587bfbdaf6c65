"""The examples in the cashier modules' docstrings hold."""

import doctest

import pytest

from paydesk.cashier import balance, cash_back, tenders


@pytest.mark.parametrize("module", [balance, cash_back, tenders], ids=lambda m: m.__name__)
def test_docstring_examples_hold(module):
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
