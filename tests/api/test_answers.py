"""The shared pieces of API answers: rows read into answers, amounts as decimal text, pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from paydesk.api.deps import Paging
from paydesk.api.schemas import Amount, Minor, Out, PageOf


@dataclass
class Row:
    id: int
    amount_minor: int | None
    currency: str | None
    float_minor: int = 0
    note: str = "kept"


class Answer(Out):
    id: int
    amount: Annotated[str | None, Minor()]
    currency: str | None
    float_amount: Annotated[str | None, Minor("float_minor")] = None
    note: str
    extra: str = "default"


def test_an_amount_is_read_from_minor_units_in_the_rows_currency():
    answer = Answer.of_row(Row(7, 12050, "EUR", float_minor=500))
    assert answer.model_dump() == {
        "id": 7,
        "amount": "120.50",
        "currency": "EUR",
        "float_amount": "5.00",
        "note": "kept",
        "extra": "default",
    }


def test_an_amount_follows_the_currencys_minor_units():
    assert Answer.of_row(Row(1, 1234, "JPY")).amount == "1234"


def test_no_minor_units_or_no_currency_is_no_amount():
    assert Answer.of_row(Row(1, None, "EUR")).amount is None
    assert Answer.of_row(Row(1, 100, None)).amount is None


def test_given_fields_win_over_the_rows_attributes():
    answer = Answer.of_row(Row(1, 100, "EUR"), note="given", amount="9.99")
    assert (answer.note, answer.amount, answer.extra) == ("given", "9.99", "default")


def test_a_row_that_maps_one_to_one_is_validated_from_its_attributes():
    class Plain(Out):
        id: int
        note: str

    assert Plain.model_validate(Row(3, None, None)).model_dump() == {"id": 3, "note": "kept"}


def test_an_amount_field_is_text_in_the_openapi_schema():
    class Priced(Out):
        amount: Amount
        currency: str

    properties = Priced.model_json_schema(mode="serialization")["properties"]
    assert properties["amount"] == {"title": "Amount", "type": "string"}


def test_a_page_answers_its_items_and_where_it_stands_in_the_list():
    class Numbers(PageOf[int]):
        pass

    page = Numbers.of([1, 2], 12, Paging(limit=2, offset=4))
    assert page.model_dump() == {"items": [1, 2], "page": {"total": 12, "limit": 2, "offset": 4}}
    assert Numbers.model_json_schema()["title"] == "Numbers"
