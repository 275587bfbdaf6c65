"""ISO 11649 RF codes: public vectors, typed errors, agreement with python-stdnum."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iso11649
from stdnum.exceptions import ValidationError

from paydesk.codes import rf

REFERENCE = st.text(alphabet=string.digits + string.ascii_uppercase, min_size=1, max_size=21)


@pytest.mark.parametrize(
    "code", ["RF18539007547034", "RF712348231", "RF23EF4UHBVNPLHKG3HZ9SGGT", "RF18 5390 0754 7034"]
)
def test_public_vectors_are_valid(code: str) -> None:
    assert rf.is_valid(code)
    assert rf.validate(code) == iso11649.validate(code)


def test_a_changed_check_digit_is_a_checksum_error() -> None:
    with pytest.raises(rf.InvalidChecksum):
        rf.validate("RF17539007547034")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("RF1", rf.InvalidLength),
        ("RF18" + "1" * 22, rf.InvalidLength),
        ("XX18539007547034", rf.InvalidFormat),
        ("RF1853900754703*", rf.InvalidFormat),
        ("RFAB539007547034", rf.InvalidFormat),
        ("RF18539007547Ω34", rf.InvalidFormat),
    ],
)
def test_malformed_codes_get_a_typed_error(text: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        rf.validate(text)
    assert not rf.is_valid(text)


def test_check_digits_no_generator_produces_are_refused() -> None:
    # RF00… passes mod 97 exactly when RF97… does, but only 97 is ever generated.
    alias = _alias_with_check_00()
    assert int(alias[4:] + "2715" + "00") % 97 == 1
    with pytest.raises(rf.InvalidCheckDigits):
        rf.validate(alias)


def _alias_with_check_00() -> str:
    """Find a reference whose generated check digits are 97, and spell it with 00."""
    for n in range(1, 10_000):
        code = rf.create(str(n))
        if code[2:4] == "97":
            return "RF00" + code[4:]
    raise AssertionError("no reference with check digits 97 found")


def test_format_prints_groups_of_four() -> None:
    assert rf.format("RF23EF4UHBVNPLHKG3HZ9SGGT") == "RF23 EF4U HBVN PLHK G3HZ 9SGG T"


@pytest.mark.parametrize("reference", ["", "A" * 22, "ABC-DEF*"])
def test_create_refuses_references_that_cannot_be_coded(reference: str) -> None:
    with pytest.raises(rf.InvalidPaymentCode):
        rf.create(reference)


@given(REFERENCE)
def test_every_generated_code_validates_here_and_in_stdnum(reference: str) -> None:
    code = rf.create(reference)
    assert 2 <= int(code[2:4]) <= 98
    assert rf.validate(code) == code
    assert iso11649.is_valid(code)


@given(REFERENCE, st.data())
def test_every_single_character_change_is_rejected(reference: str, data: st.DataObject) -> None:
    """A digit typed for a digit, or a letter for a letter (ISO 7064 mod 97-10's guarantee).

    A letter typed as a digit changes the length of the number the check runs on, so mod 97
    catches it only with high probability; all-digit (dias layout) codes have no letters.
    """
    code = rf.create(reference)
    position = data.draw(st.integers(min_value=2, max_value=len(code) - 1))
    alphabet = string.digits if code[position].isdigit() else string.ascii_uppercase
    replacement = data.draw(st.sampled_from(alphabet).filter(lambda c: c != code[position]))
    changed = code[:position] + replacement + code[position + 1 :]
    assert not rf.is_valid(changed)


@given(REFERENCE.filter(lambda r: len(r) >= 2), st.data())
def test_every_adjacent_transposition_is_rejected(reference: str, data: st.DataObject) -> None:
    """Two neighbours of the same class swapped (a letter swapped with a digit can expand to
    the same digits, e.g. "2M" and "M2" are both 222: ISO 7064 cannot see that)."""
    code = rf.create(reference)
    i = data.draw(st.integers(min_value=2, max_value=len(code) - 2))
    if code[i] == code[i + 1] or code[i].isdigit() != code[i + 1].isdigit():
        return
    swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
    assert not rf.is_valid(swapped)


@given(st.text(alphabet=string.digits + string.ascii_uppercase + " -rf", max_size=30))
def test_answers_match_stdnum_except_where_paydesk_is_stricter(text: str) -> None:
    try:
        expected = iso11649.validate(text)
    except ValidationError:
        expected = None
    try:
        ours = rf.validate(text)
    except rf.InvalidPaymentCode as error:
        ours = None
        if expected is not None:
            # Stricter only for check digits that are letters or never generated.
            assert isinstance(error, rf.InvalidCheckDigits | rf.InvalidFormat)
            assert not expected[2:4].isdigit() or expected[2:4] in ("00", "01", "99")
    if ours is not None:
        assert ours == expected
