"""Personal data at rest: citizens' ID numbers and phones are stored encrypted, found by a keyed
hash, and shown masked. Identifier checks (citizen ID, mobile, unified social credit code) live
here too, so every app validates them the same way.

Contract
- `seal_id_number(value, context)` / `seal_phone(value, context)` validate and normalise the value
  and return a `Sealed` triple: `cipher` (AES-256-GCM, for the one column that holds it),
  `digest` (HMAC-SHA256, the only thing a search compares), `masked` (what lists show).
- Lookups hash the searched value with `lookup_digest(kind, value)` and compare digests in the
  database: nothing is ever decrypted in bulk to find a row.
- `decrypt(cipher, context)` is for the rare screen that shows the full value; callers journal it.
- The context string (e.g. "grid.resident.id_number") is bound into the ciphertext as associated
  data, so a value copied from one column into another does not decrypt.

Keys: both the encryption key and the lookup key are derived (HKDF-SHA256) from the one setting
FIELD_ENCRYPTION_KEY (32 random bytes, URL-safe base64; generated into var/field_key when absent).
Ciphertexts carry the id of the key that made them. Known limit: rotating the key needs a
re-encryption pass (and re-hashing), which is not built yet.

Identifier rules: shared/reference/codes-and-checksums.md §1 (GB 11643-1999), §2 (GB 32100-2015),
§4 (mobile numbers)."""

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from .errors import Rejected

ID_NUMBER = "id_number"
PHONE = "phone"
CREDIT_CODE = "credit_code"
TOKEN_VERSION = "g1"  # AES-256-GCM, 96-bit random nonce


# ---- keys ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Keys:
    key_id: str
    encryption: bytes
    lookup: bytes


@lru_cache(maxsize=4)
def _derive(raw: str) -> _Keys:
    try:
        master = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except (ValueError, TypeError):
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY 须为URL安全的Base64编码") from None
    if len(master) < 32:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY 至少需要32字节随机数(Base64编码后约43个字符)")

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)

    encryption = derive(b"zhenjie field encryption v1")
    return _Keys(
        key_id=hashlib.sha256(encryption).hexdigest()[:8],
        encryption=encryption,
        lookup=derive(b"zhenjie lookup digest v1"),
    )


def _keys() -> _Keys:
    raw = getattr(settings, "FIELD_ENCRYPTION_KEY", "")
    if not raw:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY 未设置")
    return _derive(raw)


# ---- encryption and lookup -------------------------------------------------------------------


def encrypt(value: str, context: str) -> str:
    """A self-describing token: version, key id, then nonce + ciphertext + tag in Base64."""
    if value == "":
        return ""
    keys = _keys()
    nonce = os.urandom(12)
    sealed = AESGCM(keys.encryption).encrypt(nonce, value.encode(), context.encode())
    return f"{TOKEN_VERSION}.{keys.key_id}.{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"


class DecryptionFailed(Exception):
    """The token was made with another key, for another column, or was altered."""


def decrypt(token: str, context: str) -> str:
    if token == "":
        return ""
    try:
        version, key_id, body = token.split(".", 2)
        data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError:
        raise DecryptionFailed("not a field token") from None
    keys = _keys()
    if version != TOKEN_VERSION or key_id != keys.key_id:
        raise DecryptionFailed(f"token of key {key_id}, current key is {keys.key_id}")
    try:
        return AESGCM(keys.encryption).decrypt(data[:12], data[12:], context.encode()).decode()
    except Exception:  # InvalidTag and friends: altered, wrong context
        raise DecryptionFailed("token does not verify") from None


def lookup_digest(kind: str, normalised: str) -> str:
    """Keyed hash of an already normalised value; the kind keeps an ID number and a phone that
    happen to share digits apart. Without the key, the digest cannot be brute-forced from the
    small space of ID numbers."""
    if normalised == "":
        return ""
    return hmac.new(_keys().lookup, f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Sealed:
    cipher: str
    digest: str
    masked: str
    normalised: str  # for the caller's own checks in this request; never stored


EMPTY = Sealed("", "", "", "")


def seal_id_number(value: str, context: str, *, field: str = "id_number", today: date | None = None) -> Sealed:
    number = normalise_citizen_id(value, field=field, today=today)
    return Sealed(encrypt(number, context), lookup_digest(ID_NUMBER, number), mask_id_number(number), number)


def seal_credit_code(value: str, context: str, *, field: str = "credit_code") -> Sealed:
    code = normalise_credit_code(value, field=field)
    return Sealed(encrypt(code, context), lookup_digest(CREDIT_CODE, code), mask_credit_code(code), code)


def seal_phone(value: str, context: str, *, field: str = "phone", required: bool = False) -> Sealed:
    if not (value or "").strip() and not required:
        return EMPTY
    number = normalise_mobile(value, field=field)
    return Sealed(encrypt(number, context), lookup_digest(PHONE, number), mask_phone(number), number)


# ---- masking ---------------------------------------------------------------------------------


def mask_id_number(number: str) -> str:
    """Address code and the last four kept (enough to tell two people apart on a list), the date
    of birth hidden: 110105********002X."""
    if len(number) != 18:
        return "*" * len(number)
    return number[:6] + "*" * 8 + number[-4:]


def mask_credit_code(code: str) -> str:
    """Registration authority, organisation type and division code kept (the first eight), the
    organisation's own code hidden but for the last four with the check character."""
    if len(code) != 18:
        return "*" * len(code)
    return code[:8] + "*" * 6 + code[-4:]


def mask_phone(number: str) -> str:
    """The usual 138****5678."""
    if len(number) != 11:
        return "*" * len(number)
    return number[:3] + "****" + number[-4:]


def mask_person_name(name: str) -> str:
    """A person's name as a public page may print it (执法公示: 张*三, 李*): the surname and, for
    three characters or more, the last character kept, the rest starred."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


# ---- citizen ID number: GB 11643-1999 ---------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2^(17-i) mod 11
ID_CHECK_CHARACTERS = "10X98765432"  # Y = S mod 11 → check character
_ID_SHAPE = re.compile(r"\d{17}[\dX]")
_SEPARATORS = re.compile(r"[\s\-]")


def citizen_id_check_character(body: str) -> str:
    """ISO 7064 MOD 11-2 over the 17-digit body (codes-and-checksums.md §1)."""
    return ID_CHECK_CHARACTERS[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS)) % 11]


def birth_date_of(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def sex_of(number: str) -> str:
    """GB 11643-1999: the sequence code (positions 15–17) is odd for men, even for women."""
    return "male" if int(number[16]) % 2 else "female"


def normalise_citizen_id(value: str, *, field: str = "id_number", today: date | None = None) -> str:
    """The ID number in its canonical form, or Rejected saying what is wrong with it.

    Spaces and dashes are dropped and a lower-case x is read as X: people type both, and the
    reference notes this is our choice, not the standard's. The address code is not checked
    against GB/T 2260: it is fixed at first issue, so retired codes stay valid for life."""
    number = _SEPARATORS.sub("", str(value or "")).upper()
    if not number:
        raise Rejected("pii.id_number_required", "请填写身份证号", field=field)
    if not _ID_SHAPE.fullmatch(number):
        raise Rejected("pii.id_number_format", "身份证号应为18位：前17位为数字，末位为数字或X", field=field)
    try:
        born = birth_date_of(number)
    except ValueError:
        raise Rejected("pii.id_number_birth_date", "身份证号中的出生日期不是有效日期，请核对第7至14位", field=field) from None
    if born > (today or timezone.localdate()):
        raise Rejected("pii.id_number_birth_date", "身份证号中的出生日期晚于今天，请核对第7至14位", field=field)
    if citizen_id_check_character(number[:17]) != number[17]:
        raise Rejected("pii.id_number_checksum", "身份证号校验位不正确，请逐位核对", field=field)
    return number


# ---- mainland mobile numbers ------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9]\d{9}")  # codes-and-checksums.md §4: the simple pattern, prefixes get reassigned
_MOBILE_SEPARATORS = re.compile(r"[\s\-()（）]")


def normalise_mobile(value: str, *, field: str = "phone") -> str:
    """11 digits after dropping spaces, dashes and a +86 / 0086 / 86 country prefix."""
    number = _MOBILE_SEPARATORS.sub("", str(value or ""))
    for prefix in ("+86", "0086", "86"):
        if number.startswith(prefix) and len(number) == len(prefix) + 11:
            number = number[len(prefix):]
            break
    if not number:
        raise Rejected("pii.phone_required", "请填写手机号", field=field)
    if not _MOBILE.fullmatch(number):
        raise Rejected("pii.phone_invalid", "手机号应为11位数字，以1开头、第二位为3至9", field=field)
    return number


# ---- unified social credit code: GB 32100-2015 -------------------------------------------------

CREDIT_CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
CREDIT_CODE_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
_CREDIT_CODE_SHAPE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")


def credit_code_check_character(body: str) -> str:
    total = sum(CREDIT_CODE_CHARACTERS.index(c) * w for c, w in zip(body, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_CHARACTERS[(31 - total % 31) % 31]  # 31 − (S mod 31); 31 means 0


def normalise_credit_code(value: str, *, field: str = "credit_code") -> str:
    code = _SEPARATORS.sub("", str(value or "")).upper()
    if not code:
        raise Rejected("pii.credit_code_required", "请填写统一社会信用代码", field=field)
    if not _CREDIT_CODE_SHAPE.fullmatch(code):
        raise Rejected(
            "pii.credit_code_format",
            "统一社会信用代码应为18位：数字或大写字母(不含I、O、Z、S、V)，第3至8位为数字",
            field=field,
        )
    if credit_code_check_character(code[:17]) != code[17]:
        raise Rejected("pii.credit_code_checksum", "统一社会信用代码校验位不正确，请逐位核对", field=field)
    return code
