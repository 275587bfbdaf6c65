"""The ``iso`` layout's codes are easy to read and type: O and I never stand beside a digit."""

from __future__ import annotations

import re
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from paydesk.codes import layouts, rf

#: O or I with a digit on either side, in a compact code (its check digits included).
LOOKALIKE_BESIDE_DIGIT = re.compile(r"(?<=\d)[OI]|[OI](?=\d)")

PREFIX = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=0, max_size=6)
#: Document numbers as people write them: letters (O and I often), digits, separators.
NUMBER = st.text(alphabet="OIOIRCNV0123456789-/ .oi", min_size=1, max_size=12)
KIND = st.sampled_from(sorted(layouts.KIND_LETTER))


@settings(max_examples=2000)
@given(prefix=PREFIX, kind=KIND, number=NUMBER, version=st.integers(1, 9))
def test_no_o_or_i_stands_beside_a_digit_in_an_iso_code(prefix, kind, number, version):
    try:
        code = rf.create(layouts.iso_reference(prefix, kind, number, version))
    except rf.InvalidFormat:  # a number with no letter or digit at all, and no prefix
        return
    assert rf.is_valid(code)
    assert not LOOKALIKE_BESIDE_DIGIT.search(code), code


@given(prefix=PREFIX, kind=KIND, number=NUMBER)
def test_only_o_and_i_change_and_only_into_the_digits_they_look_like(prefix, kind, number):
    cleaned = "".join(ch for ch in number.upper() if ch.isalnum())
    expected = f"{prefix}{layouts.KIND_LETTER[kind]}{cleaned}"
    made = layouts.iso_reference(prefix, kind, number)
    assert len(made) == len(expected)
    for before, after in zip(expected, made, strict=True):
        assert after == before or layouts.LOOKALIKES.get(before) == after


def test_a_repair_order_number_reads_as_the_customer_types_it():
    assert layouts.iso_reference("PD", "repair_order", "RO-7001") == "PDRR07001"
    assert layouts.iso_reference("PD", "invoice", "INV-2026/10") == "PDNINV202610"
    assert layouts.iso_reference("PD", "invoice", "10I5", version=2) == "PDN1015V2"


def test_no_kind_letter_looks_like_a_digit():
    assert not set(layouts.KIND_LETTER.values()) & set(layouts.LOOKALIKES)
