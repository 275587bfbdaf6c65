import pytest

from paydesk.cashier.errors import CardTenderRefused, InvalidTender, UnknownTenderType
from paydesk.cashier.tenders import (
    BANK_TRANSFER,
    CARD,
    CASH,
    CHEQUE,
    DEFAULT_TENDER_TYPES,
    DIRECT_DEBIT,
    STORED_METHOD,
    TenderDraft,
    TenderType,
    TenderTypes,
    iban_fingerprint,
    mask_iban,
)
from paydesk.errors import InvalidIBAN, InvalidInput, PaydeskError
from paydesk.money import Money

IBAN = "GR16 0110 1250 0000 0001 2300 695"
SECRET = b"installation-secret-32-bytes-long"


def eur(value: str) -> Money:
    return Money.parse(value, "EUR", allow_negative=True)


def test_default_registry_has_the_desk_tender_types():
    codes = {t.code for t in DEFAULT_TENDER_TYPES}
    assert {"cash", "cheque", "direct_debit", "stored_method", "bank_transfer"} <= codes
    assert DEFAULT_TENDER_TYPES.get("cash").like_cash
    assert DEFAULT_TENDER_TYPES.get("cheque").allows_cash_back
    assert DEFAULT_TENDER_TYPES.get("cheque").requires_cheque_number
    assert DEFAULT_TENDER_TYPES.get("direct_debit").requires_bank_account
    assert DEFAULT_TENDER_TYPES.cash() is CASH


def test_card_tender_type_is_refused_naming_the_external_card_processor():
    with pytest.raises(CardTenderRefused, match="external card processor") as caught:
        DEFAULT_TENDER_TYPES.get("card")
    assert isinstance(caught.value, PaydeskError)
    assert caught.value.status == 422
    assert caught.value.slug == "card-tender-refused"


def test_any_configured_card_type_is_refused():
    types = TenderTypes.of([CASH, TenderType("visa", "Visa", is_card=True)])
    with pytest.raises(CardTenderRefused):
        types.get("visa")


def test_card_tender_draft_cannot_be_built():
    with pytest.raises(CardTenderRefused):
        TenderDraft(CARD, eur("10"))


def test_unknown_tender_type_is_refused_listing_known_types():
    with pytest.raises(UnknownTenderType, match="cash, cheque"):
        DEFAULT_TENDER_TYPES.get("gold")


def test_tender_type_codes_are_unique_in_a_registry():
    with pytest.raises(ValueError, match="twice"):
        TenderTypes.of([CASH, CASH])


def test_cash_like_type_cannot_allow_cash_back():
    with pytest.raises(ValueError):
        TenderType("cash2", "Cash", like_cash=True, allows_cash_back=True)


@pytest.mark.parametrize("amount", ["0", "-1.00"])
def test_tender_amount_must_be_positive(amount):
    with pytest.raises(InvalidTender, match="greater than zero"):
        TenderDraft(CASH, eur(amount))


def test_cash_back_tender_is_negative_cash():
    tender = TenderDraft(CASH, eur("-20"), is_cash_back=True)
    assert tender.amount == eur("-20.00")
    with pytest.raises(InvalidTender, match="negative"):
        TenderDraft(CASH, eur("20"), is_cash_back=True)
    with pytest.raises(InvalidTender, match="cash tender"):
        TenderDraft(CHEQUE, eur("-20"), cheque_number="1", is_cash_back=True)


def test_cheque_needs_its_number():
    with pytest.raises(InvalidTender, match="cheque number") as no:
        TenderDraft(CHEQUE, eur("50"))
    assert no.value.extra == {"field": "cheque_number", "tender_type": "cheque"}
    with pytest.raises(InvalidTender, match="cheque number"):
        TenderDraft(CHEQUE, eur("50"), cheque_number="   ")
    assert TenderDraft(CHEQUE, eur("50"), cheque_number=" 000123 ").cheque_number == "000123"


def test_details_the_type_does_not_use_are_refused():
    with pytest.raises(InvalidTender) as no:
        TenderDraft(CASH, eur("5"), cheque_number="1")
    assert no.value.extra["field"] == "cheque_number"
    with pytest.raises(InvalidTender) as no:
        TenderDraft(CASH, eur("5"), iban=IBAN)
    assert no.value.extra["field"] == "iban"
    with pytest.raises(InvalidTender):
        TenderDraft(BANK_TRANSFER, eur("5"), stored_method_id="pm_1")


def test_overlong_details_are_refused():
    with pytest.raises(InvalidTender, match="35"):
        TenderDraft(CHEQUE, eur("5"), cheque_number="1" * 36)


def test_direct_debit_needs_a_valid_iban():
    with pytest.raises(InvalidIBAN):
        TenderDraft(DIRECT_DEBIT, eur("50"))
    with pytest.raises(InvalidIBAN, match="not a valid IBAN"):
        TenderDraft(DIRECT_DEBIT, eur("50"), iban="GR17 0110 1250 0000 0001 2300 695")
    tender = TenderDraft(DIRECT_DEBIT, eur("50"), iban=IBAN.lower())
    assert tender.iban == "GR1601101250000000012300695"
    assert tender.masked_iban == "GR16 **** **** 0695"


def test_stored_method_tender_needs_the_stored_method():
    with pytest.raises(InvalidTender, match="stored method"):
        TenderDraft(STORED_METHOD, eur("5"))
    assert TenderDraft(STORED_METHOD, eur("5"), stored_method_id="pm_7").stored_method_id == "pm_7"


def test_tender_has_a_payer_account_or_a_non_cis_payer_not_both():
    with pytest.raises(InvalidTender, match="not both"):
        TenderDraft(CASH, eur("5"), payer_account_id="A1", non_cis_payer="J. Doe")
    assert TenderDraft(CASH, eur("5"), non_cis_payer="J. Doe").non_cis_payer == "J. Doe"


def test_masked_iban_keeps_country_check_digits_and_last_four():
    assert mask_iban(IBAN) == "GR16 **** **** 0695"
    assert mask_iban("DE89370400440532013000") == "DE89 **** **** 3000"


def test_iban_fingerprint_is_the_same_for_any_spelling_of_one_iban():
    compact = "GR1601101250000000012300695"
    assert iban_fingerprint(IBAN, SECRET) == iban_fingerprint(compact.lower(), SECRET)
    assert len(iban_fingerprint(IBAN, SECRET)) == 64


def test_iban_fingerprint_depends_on_the_secret_and_the_iban():
    other = iban_fingerprint(IBAN, b"another-secret-of-enough-length")
    assert iban_fingerprint(IBAN, SECRET) != other
    assert iban_fingerprint(IBAN, SECRET) != iban_fingerprint("DE89370400440532013000", SECRET)
    assert "0695" not in iban_fingerprint(IBAN, SECRET)


def test_iban_fingerprint_refuses_a_short_secret_and_an_invalid_iban():
    with pytest.raises(ValueError, match="16 bytes"):
        iban_fingerprint(IBAN, "short")
    with pytest.raises(InvalidIBAN):
        iban_fingerprint("GR00 1234", SECRET)


def test_invalid_iban_is_an_input_error():
    with pytest.raises(InvalidInput):
        mask_iban("not an iban")


def test_the_settings_file_lists_the_desk_tender_types_and_refuses_a_bad_one(tmp_path, monkeypatch):
    from pydantic import ValidationError

    from paydesk.cashier.wallet import tender_types
    from paydesk.settings import Settings

    config = tmp_path / "paydesk.toml"
    config.write_text(
        '[[cashier.tender_types]]\ncode = "cash"\nname = "Cash"\nlike_cash = true\n'
        '[[cashier.tender_types]]\ncode = "voucher"\nname = "Voucher"\nallows_cash_back = true\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("PAYDESK_CONFIG", str(config))
    types = tender_types(Settings().cashier)
    assert list(types) == [CASH, TenderType("voucher", "Voucher", allows_cash_back=True)]
    assert types.get("voucher").allows_cash_back and types.cash() is types.get("cash")

    config.write_text(
        '[[cashier.tender_types]]\ncode = "cash"\nname = "Cash"\nlike_cash = true\n'
        "allows_cash_back = true\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError, match="a cash-like type cannot allow cash back"):
        Settings()
