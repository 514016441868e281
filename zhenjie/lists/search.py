"""Search by name or by pinyin initials, as people type them: "yyzz" finds 营业执照, "营业" too."""

import re
from functools import lru_cache

from django.db.models import Q
from pypinyin import Style, lazy_pinyin

from .layouts import CONTROL_CHARACTERS

SEARCH_MAX = 50
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_INITIALS_QUERY = re.compile(r"^[A-Za-z0-9]+$")


@lru_cache(maxsize=20_000)  # the same names recur across townships and versions
def initials_of(name: str) -> str:
    """Lower-case pinyin initials of the Chinese characters, letters and digits kept as they are."""
    letters = "".join(lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="default"))
    return _NOT_ALNUM.sub("", letters.lower())[:200]


def clean_query(text: str | None) -> str:
    return CONTROL_CHARACTERS.sub("", (text or "").strip())[:SEARCH_MAX]


def search_q(query: str) -> Q:
    """Items whose name or code contains the words, or whose initials contain a Latin query."""
    condition = Q(name__icontains=query) | Q(code__iexact=query)
    if _INITIALS_QUERY.match(query):
        condition |= Q(initials__contains=query.lower())
    return condition
