"""Finding an RF code a payer typed into free text."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from paydesk.bank.remittance import find_rf, rf_cuts
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
    # Whatever the spacing, the code is found when paydesk knows it …
    assert find_rf(text, known={expected}.__contains__) == (expected, None)
    # … and also without that help, unless a shorter cut is a valid code too (then the text
    # alone cannot tell them apart: "RF18 1234 ABCD" may be RF181234 and a word).
    assume(not [c for c in rf_cuts(text) if len(c) < len(expected) and expected.startswith(c)])
    assert find_rf(text) == (expected, None)


@given(
    typed_code(),
    st.sampled_from(["dziekuje", "thanks", "invoice", "ευχαριστώ", "danke"]),
    st.sampled_from([" ", "  ", " - "]),
)
def test_words_after_the_code_are_never_glued_onto_it(code, word, gap):
    expected, typed = code
    # A reference of letters only followed by a word ("RF05 HS invoice") cannot be told apart
    # from a longer code by the text alone; references carry digits (both layouts do).
    assume(any(c.isdigit() for c in expected[4:]))
    text = f"payment {typed}{gap}{word}"
    found, _ = find_rf(text)
    assert found is not None and not found.endswith(word.upper())
    assert find_rf(text, known={expected}.__contains__) == (expected, None)


def test_a_known_code_wins_over_a_word_glued_onto_a_letters_only_reference():
    text = "payment RF05HS invoice"
    assert set(rf_cuts(text)) == {"RF05HS", "RF05HSINVOICE"}
    assert find_rf(text, known={"RF05HS"}.__contains__) == ("RF05HS", None)


def test_the_glued_word_case_from_a_polish_payer():
    text = "Zaplata za serwis, kod rf76 pdan-c100 1 dziekuje"
    assert rf_cuts(text) == ["RF76PDANC1001DZIEKUJE", "RF76PDANC1001"]
    assert find_rf(text) == ("RF76PDANC1001", None)
    known = {"RF76PDANC1001DZIEKUJE"}
    assert find_rf(text, known=known.__contains__) == ("RF76PDANC1001DZIEKUJE", None)
