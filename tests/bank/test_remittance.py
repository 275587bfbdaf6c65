"""Finding an RF code a payer typed into free text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from paydesk.bank.remittance import find_rf
from paydesk.codes import rf


def test_rf_with_spaces_and_lower_case_is_found():
    assert find_rf("rf18 5390 0754 7034") == ("RF18539007547034", None)


def test_rf_with_split_letters_and_check_digits_is_found():
    assert find_rf("Invoice 7: R F 1 8 5390 0754 7034") == ("RF18539007547034", None)


def test_rf_followed_by_words_is_cut_where_it_validates():
    assert find_rf("RF18539007547034 thanks")[0] == "RF18539007547034"


def test_punctuation_ends_the_code():
    assert find_rf("(RF18 5390 0754 7034), paid")[0] == "RF18539007547034"


def test_rf_glued_to_a_word_is_not_a_code():
    assert find_rf("SURF18539007547034") == (None, None)


def test_second_code_is_found_when_the_first_is_a_typo():
    assert find_rf("RF17 5390 0754 7034 / correct: RF18 5390 0754 7034") == (
        "RF18539007547034",
        None,
    )


def test_text_without_rf_gives_nothing():
    assert find_rf("Payment for order 1234") == (None, None)
    assert find_rf(None) == (None, None)


_WORDS = st.sampled_from(["invoice", "payment", "order", "no", "12", "thanks", "ABC", "2026"])


@st.composite
def typed_code(draw):
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    reference = draw(st.text(alphabet=alphabet, min_size=1, max_size=21))
    code = rf.create(reference)
    typed = []
    for char in code:
        if draw(st.booleans()) and draw(st.booleans()):
            typed.append(" " * draw(st.integers(1, 2)))
        typed.append(char.lower() if draw(st.booleans()) else char)
    return code, "".join(typed).strip()


@given(
    typed_code(),
    st.lists(_WORDS, max_size=4),
    st.lists(_WORDS, max_size=4),
    st.sampled_from([", ", "; ", " / ", ". ", ")"]),
)
def test_valid_rf_embedded_in_text_with_random_spacing_and_case_is_found(code, before, after, end):
    expected, typed = code
    text = " ".join([*before, typed]) + (end + " ".join(after) if after else "")
    assert find_rf(text) == (expected, None)
