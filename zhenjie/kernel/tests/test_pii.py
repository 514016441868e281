"""Personal data at rest and the identifier checks (shared/reference/codes-and-checksums.md)."""

from datetime import date

import pytest

from zhenjie.kernel import pii
from zhenjie.kernel.errors import Rejected


def test_an_encrypted_value_reads_back_and_does_not_contain_the_clear_text():
    token = pii.encrypt("11010519491231002X", "grid.resident.id_number")
    assert "11010519491231002X" not in token and "1949" not in token
    assert pii.decrypt(token, "grid.resident.id_number") == "11010519491231002X"


def test_the_same_value_encrypts_differently_each_time_so_equal_rows_do_not_show():
    assert pii.encrypt("13812345678", "x") != pii.encrypt("13812345678", "x")


def test_a_value_copied_into_another_column_does_not_decrypt():
    token = pii.encrypt("13812345678", "grid.resident.phone")
    with pytest.raises(pii.DecryptionFailed):
        pii.decrypt(token, "grid.building.owner_phone")


def test_an_altered_token_does_not_decrypt():
    token = pii.encrypt("13812345678", "x")
    altered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    with pytest.raises(pii.DecryptionFailed):
        pii.decrypt(altered, "x")


def test_a_token_of_another_key_is_refused_not_misread(settings):
    token = pii.encrypt("13812345678", "x")
    settings.FIELD_ENCRYPTION_KEY = "A" * 43
    with pytest.raises(pii.DecryptionFailed):
        pii.decrypt(token, "x")


def test_the_lookup_digest_is_stable_keyed_and_separates_kinds(settings):
    first = pii.lookup_digest(pii.PHONE, "13812345678")
    assert first == pii.lookup_digest(pii.PHONE, "13812345678") and len(first) == 64
    assert first != pii.lookup_digest(pii.ID_NUMBER, "13812345678")
    settings.FIELD_ENCRYPTION_KEY = "B" * 43
    assert pii.lookup_digest(pii.PHONE, "13812345678") != first  # without the key it cannot be recomputed


def test_a_missing_or_short_key_stops_the_platform_with_a_clear_reason(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.FIELD_ENCRYPTION_KEY = "c2hvcnQ"
    with pytest.raises(ImproperlyConfigured, match="至少需要32字节"):
        pii.encrypt("x", "x")


def test_masks_hide_the_birth_date_and_the_middle_of_a_phone():
    assert pii.mask_id_number("11010519491231002X") == "110105********002X"
    assert pii.mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014", "513101198201130014", " 11010519491231002x "])
def test_the_reference_examples_of_valid_citizen_ids_pass(number):
    assert pii.normalise_citizen_id(number) == number.strip().upper()


@pytest.mark.parametrize(
    "number, code, words",
    [
        ("110101200001010014", "pii.id_number_checksum", "校验位不正确"),
        ("110105194902300027", "pii.id_number_birth_date", "不是有效日期"),
        ("11010519491231002", "pii.id_number_format", "应为18位"),
        ("1101051949123100ZX", "pii.id_number_format", "应为18位"),
        ("", "pii.id_number_required", "请填写身份证号"),
    ],
)
def test_invalid_citizen_ids_are_refused_saying_why(number, code, words):
    with pytest.raises(Rejected) as error:
        pii.normalise_citizen_id(number)
    assert error.value.code == code and words in error.value.message and error.value.field == "id_number"


def test_a_citizen_id_born_tomorrow_is_refused():
    with pytest.raises(Rejected) as error:
        pii.normalise_citizen_id("110105202601010018", today=date(2025, 12, 31))
    assert "晚于今天" in error.value.message


def test_sex_and_birth_date_come_from_the_number():
    assert pii.sex_of("11010519491231002X") == "female" and pii.sex_of("513101198201130014") == "male"
    assert pii.birth_date_of("11010519491231002X") == date(1949, 12, 31)


@pytest.mark.parametrize("raw, clean", [("13812345678", "13812345678"), ("+86 138-1234-5678", "13812345678"), ("008619912345678", "19912345678"), ("86 166 1234 5678", "16612345678")])
def test_mobile_numbers_are_normalised(raw, clean):
    assert pii.normalise_mobile(raw) == clean


@pytest.mark.parametrize("raw", ["12345678901", "1381234567", "23812345678", "0537-8800001"])
def test_numbers_that_are_not_mainland_mobiles_are_refused(raw):
    with pytest.raises(Rejected) as error:
        pii.normalise_mobile(raw, field="contact_phone")
    assert error.value.code == "pii.phone_invalid" and error.value.field == "contact_phone"


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91512081MA62K0260E", "91110000100000000R", "91512081ma62k0260e"])
def test_the_reference_examples_of_valid_credit_codes_pass(code):
    assert pii.normalise_credit_code(code) == code.upper()


@pytest.mark.parametrize(
    "code, error_code",
    [("91512081MA62K0260F", "pii.credit_code_checksum"), ("91350100M000100Y4Z", "pii.credit_code_format"), ("91350100M0001O0Y43", "pii.credit_code_format")],
)
def test_invalid_credit_codes_are_refused(code, error_code):
    with pytest.raises(Rejected) as error:
        pii.normalise_credit_code(code)
    assert error.value.code == error_code


def test_sealing_keeps_only_cipher_digest_and_mask():
    sealed = pii.seal_id_number("11010519491231002x", "ctx")
    assert sealed.masked == "110105********002X"
    assert sealed.digest == pii.lookup_digest(pii.ID_NUMBER, "11010519491231002X")
    assert pii.decrypt(sealed.cipher, "ctx") == "11010519491231002X"
    assert pii.seal_phone("", "ctx") == pii.EMPTY
