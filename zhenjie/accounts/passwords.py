"""Password rules (AUTH_PASSWORD_VALIDATORS) whose numbers are the security administrator's.

等保 8.1.4.1 a asks for complexity ("复杂度要求") and regular change; ASVS 5.0 6.2.5 and 6.2.10 ask
for neither composition rules nor forced rotation. A 等保 assessor tests for both, so both are
settings (SecurityPolicy) with defaults that satisfy 等保: at least 12 characters, three of the
four character classes, not a common or local password; docs/SECURITY.md records the deviation."""

import re
from functools import lru_cache
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import ValidationError

from .policy import current_policy


class PolicyLengthValidator:
    """At least the policy's number of characters (default 12). No upper limit below Django's form
    field (256): long passphrases are welcome and never truncated (ASVS 6.2.9)."""

    def validate(self, password, user=None):
        minimum = current_policy().password_min_length
        if len(password) < minimum:
            raise ValidationError(f"密码至少需要 {minimum} 个字符", code="password_too_short")

    def get_help_text(self):
        return f"密码至少需要 {current_policy().password_min_length} 个字符。"


class CharacterClassValidator:
    """Passwords mix at least the policy's number (default three) of: upper-case, lower-case,
    digits, symbols (the usual 等保 (GB/T 22239) reading of "复杂度要求")."""

    classes = (r"[A-Z]", r"[a-z]", r"\d", r"[^A-Za-z0-9]")

    def validate(self, password, user=None):
        needed = current_policy().password_min_classes
        if sum(bool(re.search(pattern, password)) for pattern in self.classes) < needed:
            raise ValidationError(f"密码须包含大写字母、小写字母、数字、符号中的至少{_CLASS_WORDS[needed]}类", code="password_too_simple")

    def get_help_text(self):
        return f"密码须包含大写字母、小写字母、数字、符号中的至少{_CLASS_WORDS[current_policy().password_min_classes]}类。"


_CLASS_WORDS = {1: "一", 2: "两", 3: "三", 4: "四"}

# What people write for letters when a rule asks for digits and symbols: P@ssw0rd is password.
_LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "i", "!": "i", "3": "e", "$": "s", "5": "s", "7": "t", "+": "t"})
_LIST_FILE = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=1)
def _listed() -> frozenset[str]:
    lines = _LIST_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _cores(password: str) -> set[str]:
    """The word a password is built on: the digits and symbols around it taken off (Qinghe@2026! is
    qinghe), read once with look-alike characters as letters (P@ssw0rd) and once without them
    (1qaz@WSX is qazwsx)."""
    middle = re.sub(r"^[^A-Za-z]+|[^A-Za-z]+$", "", password).lower()
    return {core for core in (re.sub(r"[^a-z]", "", middle.translate(_LEET)), re.sub(r"[^a-z]", "", middle)) if core}


# The platform's own name, which every user of it knows (ASVS 6.2.11 context-specific words).
CONTEXT_WORDS = frozenset({"zhenjie"})


def local_words() -> frozenset[str]:
    """The pinyin of the county's and townships' names as people write them in passwords (青禾县 →
    qinghe, qinghexian), from the area tree; cached for an hour."""
    words = cache.get("accounts:local-password-words")
    if words is None:
        from pypinyin import lazy_pinyin

        from zhenjie.areas.models import Area

        words = set()
        for name in Area.objects.filter(level__in=["county", "township"]).values_list("name", flat=True):
            whole = "".join(lazy_pinyin(name)).lower()
            bare = "".join(lazy_pinyin(re.sub(r"(自治县|县|市|区|镇|乡|街道|街道办事处)$", "", name))).lower()
            words.update(word for word in (whole, bare) if len(word) >= 4 and word.isascii())
        words = frozenset(words)
        cache.set("accounts:local-password-words", words, 3600)
    return words


class LocalPasswordValidator:
    """Not a password from the vendored list of common and local ones (common_passwords.txt:
    keyboard walks, pinyin such as woaini, and words of government work such as zhengfu, zhenjie),
    nor built on the name of the county or one of its townships. Django's CommonPasswordValidator
    beside it checks its own list of 20,000 as typed."""

    def validate(self, password, user=None):
        cores = _cores(password)
        if cores & _listed():
            raise ValidationError("密码过于常见(如 P@ssw0rd、Admin@123 这类写法)，容易被猜中，请换一个", code="password_common")
        # Containment, not equality (QingheCounty!23 too), but in the password as written: letters
        # are not joined across digits, so a random password does not spell a town by chance.
        lower = password.lower()
        if any(word in text for text in (lower, lower.translate(_LEET)) for word in local_words() | CONTEXT_WORDS):
            raise ValidationError("密码不能包含本县、乡镇(街道)名称或本系统名称的拼音，容易被猜中，请换一个", code="password_local")

    def get_help_text(self):
        return "不能使用常见密码，也不能以地名拼音、系统名称为主体。"
