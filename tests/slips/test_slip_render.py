"""Payment slip rendering: QR codes a scanner reads, PDF and HTML text, languages, formats."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from pyzbar.pyzbar import ZBarSymbol, decode

from paydesk.codes.rf import InvalidPaymentCode
from paydesk.errors import InvalidAmount, InvalidIBAN, InvalidInput
from paydesk.money import Money
from paydesk.slips import qr
from paydesk.slips.epc import parse_epc_payload
from paydesk.slips.labels import LABELS
from paydesk.slips.render import (
    SlipData,
    SlipFontMissing,
    epc_payload,
    format_amount,
    format_date,
    render_html,
    render_pdf,
)

IBAN = "GR1601101250000000012300695"
RF_CODE = "RF18539007547034"

MakeSlip = Callable[..., SlipData]


def scan(image: Image.Image) -> str:
    """Read the one QR code in an image with zbar."""
    found = decode(image, symbols=[ZBarSymbol.QRCODE])
    assert len(found) == 1
    return found[0].data.decode("utf-8")


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, no-break spaces read as spaces."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return text.replace("\xa0", " ")


def test_the_png_qr_code_scans_to_a_valid_epc_payload_with_rf_amount_and_iban(
    slip: SlipData,
) -> None:
    payload = epc_payload(slip)
    assert payload is not None
    scanned = parse_epc_payload(scan(Image.open(io.BytesIO(qr.qr_png(payload)))))
    assert scanned.reference == RF_CODE
    assert scanned.amount == Money.parse("1234.56", "EUR")
    assert scanned.iban == IBAN
    assert scanned.bic == "ETHNGRAA"
    assert scanned.name == "Acme Motors S.A."


def test_a_greek_beneficiary_name_survives_the_qr_code_as_utf8(make_slip: MakeSlip) -> None:
    payload = epc_payload(make_slip(business_name="Ακμή Μότορς Α.Ε."))
    assert payload is not None
    assert parse_epc_payload(scan(Image.open(io.BytesIO(qr.qr_png(payload))))).name == (
        "Ακμή Μότορς Α.Ε."
    )


def test_the_qr_code_uses_error_correction_level_m_and_at_most_version_13(slip: SlipData) -> None:
    payload = epc_payload(slip)
    assert payload is not None
    code = qr.make_qr(payload)
    assert code.error == "M"
    assert code.version <= 13
    assert code.mode == "byte"


def test_the_pdf_embeds_a_qr_code_that_scans_to_the_slip_payload(slip: SlipData) -> None:
    page = PdfReader(io.BytesIO(render_pdf(slip))).pages[0]
    [image] = page.images
    assert scan(image.image) == epc_payload(slip)


def test_the_pdf_shows_the_rf_in_groups_of_four_and_the_amount(slip: SlipData) -> None:
    text = pdf_text(render_pdf(slip))
    assert "RF18 5390 0754 7034" in text
    assert "€1,234.56" in text
    assert "GR16 0110 1250 0000 0001 2300 695" in text
    assert "Invoice INV-2026-0042" in text
    assert "30 June 2026" in text


def test_the_greek_pdf_has_greek_labels_and_greek_amount_format(make_slip: MakeSlip) -> None:
    text = pdf_text(render_pdf(make_slip(language="el", business_name="Ακμή Α.Ε.")))
    for key in ("title", "payment_code", "beneficiary", "customer", "amount", "due_date"):
        assert LABELS["el"][key] in text
    assert "Τιμολόγιο INV-2026-0042" in text
    assert "Ακμή Α.Ε." in text
    assert "1.234,56 €" in text
    assert "30 Ιουνίου 2026" in text


def test_the_polish_pdf_has_polish_labels_and_polish_amount_format(make_slip: MakeSlip) -> None:
    text = pdf_text(render_pdf(make_slip(language="pl", customer_name="Łukasz Żółć")))
    for key in ("title", "payment_code", "beneficiary", "customer", "amount", "due_date"):
        assert LABELS["pl"][key] in text
    assert "Łukasz Żółć" in text
    assert "1 234,56 €" in text
    assert "30 czerwca 2026" in text


def test_an_open_amount_slip_says_so_and_its_qr_code_has_no_amount(make_slip: MakeSlip) -> None:
    slip = make_slip(amount=None, expires_on=date(2026, 12, 31))
    pdf = render_pdf(slip)
    assert "Open amount: pay the amount" in pdf_text(pdf)
    assert "31 December 2026" in pdf_text(pdf)
    [image] = PdfReader(io.BytesIO(pdf)).pages[0].images
    scanned = parse_epc_payload(scan(image.image))
    assert scanned.amount is None
    assert scanned.reference == RF_CODE


def test_a_slip_in_another_currency_has_no_qr_code_but_shows_the_amount(
    make_slip: MakeSlip,
) -> None:
    slip = make_slip(amount=Money.parse("1234.56", "PLN"), language="pl")
    assert epc_payload(slip) is None
    pdf = render_pdf(slip)
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 0
    assert "1 234,56 zł" in pdf_text(pdf)
    assert "<svg" not in render_html(slip)


def test_the_html_slip_has_the_grouped_rf_the_amount_and_an_inline_svg_qr(slip: SlipData) -> None:
    html = render_html(slip)
    assert '<html lang="en">' in html
    assert "RF18 5390 0754 7034" in html
    assert "€1,234.56" in html
    assert "<svg" in html
    assert "5 Ermou Street" in html


def test_the_html_slip_escapes_names(make_slip: MakeSlip) -> None:
    html = render_html(make_slip(customer_name="<script>alert(1)</script>"))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_the_html_slip_speaks_greek_and_polish(make_slip: MakeSlip) -> None:
    greek = render_html(make_slip(language="el"))
    polish = render_html(make_slip(language="pl"))
    assert '<html lang="el">' in greek and LABELS["el"]["payment_code"] in greek
    assert '<html lang="pl">' in polish and LABELS["pl"]["payment_code"] in polish


@pytest.mark.parametrize(
    "language, expected", [("en", "€1,234.56"), ("el", "1.234,56\xa0€"), ("pl", "1\xa0234,56\xa0€")]
)
def test_amounts_are_formatted_for_the_language(language: str, expected: str) -> None:
    assert format_amount(Money.parse("1234.56", "EUR"), language) == expected


def test_dates_are_formatted_for_the_language() -> None:
    day = date(2026, 3, 5)
    assert [format_date(day, lang) for lang in ("en", "el", "pl")] == [
        "5 March 2026",
        "5 Μαρτίου 2026",
        "5 marca 2026",
    ]


def test_every_language_has_every_label() -> None:
    assert LABELS["el"].keys() == LABELS["en"].keys() == LABELS["pl"].keys()


def test_slip_data_stores_rf_and_iban_compact(make_slip: MakeSlip) -> None:
    slip = make_slip(
        rf_code="rf18 5390 0754 7034", business_iban="GR16 0110 1250 0000 0001 2300 695"
    )
    assert (slip.rf_code, slip.business_iban) == (RF_CODE, IBAN)


def test_slip_data_refuses_a_bad_rf_code(make_slip: MakeSlip) -> None:
    with pytest.raises(InvalidPaymentCode):
        make_slip(rf_code="RF19539007547034")


def test_slip_data_refuses_a_bad_iban(make_slip: MakeSlip) -> None:
    with pytest.raises(InvalidIBAN):
        make_slip(business_iban="GR0001101250000000012300695")


def test_slip_data_refuses_an_unknown_language(make_slip: MakeSlip) -> None:
    with pytest.raises(InvalidInput, match="en, el, pl"):
        make_slip(language="de")


def test_slip_data_refuses_a_zero_amount(make_slip: MakeSlip) -> None:
    with pytest.raises(InvalidAmount):
        make_slip(amount=Money.parse("0", "EUR"))


def test_a_missing_font_is_reported_with_the_package_to_install(
    slip: SlipData, tmp_path: Path
) -> None:
    with pytest.raises(SlipFontMissing, match="fonts-dejavu-core"):
        render_pdf(slip, font_dir=tmp_path)
