"""Naming the paying bank from its BIC."""

from paydesk.bank.banks import bank_name


def test_known_bic_names_its_bank():
    assert bank_name("ETHNGRAA") == "NATIONAL BANK OF GREECE S.A."


def test_branch_bic_with_xxx_names_the_bank():
    assert bank_name("DEUTDEFFXXX") == "Deutsche Bank"


def test_unknown_or_malformed_bic_gives_none():
    assert bank_name("XXXXGRAA") is None
    assert bank_name("ABC") is None
    assert bank_name(None) is None
