"""EPC069-12 SEPA credit transfer QR payload: fields, line order, limits, typed errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paydesk.codes.rf import InvalidPaymentCode
from paydesk.errors import InvalidAmount, InvalidCurrency, InvalidIBAN, InvalidInput
from paydesk.money import Money
from paydesk.slips.epc import (
    MAX_PAYLOAD_BYTES,
    InvalidBIC,
    InvalidEpcPayload,
    build_epc_payload,
    parse_epc_payload,
)

IBAN = "GR1601101250000000012300695"
RF_CODE = "RF18539007547034"


def eur(value: str) -> Money:
    return Money.parse(value, "EUR")


def build(**changes: object) -> str:
    fields: dict[str, object] = {
        "name": "Acme Motors S.A.",
        "iban": IBAN,
        "reference": RF_CODE,
        "amount": eur("12.5"),
    }
    fields.update(changes)
    return build_epc_payload(**fields)  # type: ignore[arg-type]


def test_payload_lines_follow_the_epc_order_and_stop_after_the_reference() -> None:
    assert build(bic="ETHNGRAA").split("\n") == [
        "BCD",
        "002",
        "1",
        "SCT",
        "ETHNGRAA",
        "Acme Motors S.A.",
        IBAN,
        "EUR12.50",
        "",
        RF_CODE,
    ]


def test_version_002_leaves_the_bic_line_empty_when_no_bic_is_given() -> None:
    assert build().split("\n")[4] == ""


def test_open_amount_leaves_the_amount_line_empty() -> None:
    lines = build(amount=None).split("\n")
    assert lines[7] == ""
    assert lines[9] == RF_CODE


def test_information_goes_on_line_12_after_an_empty_remittance_text() -> None:
    lines = build(information="Invoice INV-42").split("\n")
    assert len(lines) == 12
    assert lines[9:] == [RF_CODE, "", "Invoice INV-42"]


def test_iban_and_rf_are_written_compact_and_upper_case() -> None:
    lines = build(iban="gr16 0110 1250 0000 0001 2300 695", reference="rf18 5390 0754 7034")
    assert lines.split("\n")[6] == IBAN
    assert lines.split("\n")[9] == RF_CODE


def test_non_ascii_names_are_kept_as_utf8() -> None:
    payload = build(name="Ακμή Α.Ε. – Łódź")
    assert parse_epc_payload(payload).name == "Ακμή Α.Ε. – Łódź"


def test_parse_reads_back_every_field() -> None:
    parsed = parse_epc_payload(build(bic="ETHNGRAA", information="Thanks"))
    assert parsed.name == "Acme Motors S.A."
    assert parsed.iban == IBAN
    assert parsed.bic == "ETHNGRAA"
    assert parsed.amount == eur("12.50")
    assert parsed.reference == RF_CODE
    assert parsed.text == ""
    assert parsed.information == "Thanks"
    assert (parsed.version, parsed.character_set) == ("002", "1")


@pytest.mark.parametrize(
    "value, minor", [("0.01", 1), ("1", 100), ("999999999.99", 99999999999), ("12.3", 1230)]
)
def test_amounts_within_the_epc_range_round_trip(value: str, minor: int) -> None:
    assert parse_epc_payload(build(amount=eur(value))).amount.minor == minor  # type: ignore[union-attr]


@pytest.mark.parametrize("value", ["0", "0.00", "1000000000.00"])
def test_amounts_outside_the_epc_range_are_refused(value: str) -> None:
    with pytest.raises(InvalidAmount, match=r"between EUR0\.01 and EUR999999999\.99"):
        build(amount=eur(value))


def test_a_non_euro_amount_is_refused_with_a_currency_error() -> None:
    with pytest.raises(InvalidCurrency, match="euro amounts only"):
        build(amount=Money.parse("10.00", "PLN"))


def test_a_bad_iban_is_refused() -> None:
    with pytest.raises(InvalidIBAN, match="not a valid IBAN"):
        build(iban="GR1601101250000000012300696")


def test_an_iban_outside_the_sepa_zone_is_refused() -> None:
    with pytest.raises(InvalidIBAN, match="not in the SEPA zone"):
        build(iban="BR1800360305000010009795493C1")


def test_a_bad_rf_code_is_refused() -> None:
    with pytest.raises(InvalidPaymentCode):
        build(reference="RF17539007547034")


def test_a_bad_bic_is_refused() -> None:
    with pytest.raises(InvalidBIC):
        build(bic="NOTABIC")


def test_the_beneficiary_name_is_required_and_at_most_70_characters() -> None:
    assert parse_epc_payload(build(name="N" * 70)).name == "N" * 70
    with pytest.raises(InvalidInput, match="70"):
        build(name="N" * 71)
    with pytest.raises(InvalidInput, match="must not be empty"):
        build(name="  ")


def test_a_name_spanning_lines_is_refused() -> None:
    with pytest.raises(InvalidInput, match="single line"):
        build(name="Acme\nMotors")


def test_a_payload_over_331_bytes_is_refused() -> None:
    # 70 two-byte letters in the name and 70 in the information: 280 bytes on two lines alone.
    with pytest.raises(InvalidInput, match=f"at most {MAX_PAYLOAD_BYTES}"):
        build(name="Ω" * 70, information="Ω" * 70)


def test_parse_refuses_a_payload_with_both_a_reference_and_remittance_text() -> None:
    payload = build(information="x").split("\n")
    payload[10] = "Invoice 42"
    with pytest.raises(InvalidEpcPayload, match="both"):
        parse_epc_payload("\n".join(payload))


@pytest.mark.parametrize(
    "line, value, message",
    [(0, "XYZ", "service tag"), (1, "003", "version"), (2, "9", "character set"),
     (3, "INST", "identification")],
)  # fmt: skip
def test_parse_refuses_a_wrong_header(line: int, value: str, message: str) -> None:
    payload = build().split("\n")
    payload[line] = value
    with pytest.raises(InvalidEpcPayload, match=message):
        parse_epc_payload("\n".join(payload))


def test_parse_requires_a_bic_in_version_001() -> None:
    payload = build().split("\n")
    payload[1] = "001"
    with pytest.raises(InvalidBIC, match="001"):
        parse_epc_payload("\n".join(payload))


@pytest.mark.parametrize("amount", ["12.50", "EUR12,50", "EUR12.505", "USD12.50", "EUR-1"])
def test_parse_refuses_a_malformed_amount(amount: str) -> None:
    payload = build().split("\n")
    payload[7] = amount
    with pytest.raises(InvalidAmount):
        parse_epc_payload("\n".join(payload))


def test_parse_accepts_crlf_line_ends() -> None:
    assert parse_epc_payload(build().replace("\n", "\r\n")).amount == Money(Decimal("12.50"), "EUR")
