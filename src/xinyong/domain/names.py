"""Subject names as people type them: one fold (full-width forms, brackets, spaces, 有限责任公司) and the
character bigrams of the folded name that the name index stores and the name search looks up."""

from __future__ import annotations

import unicodedata

# After NFKC (which turns full-width brackets and the ideographic space into plain ones).
_DROPPED = "()[]【】（） 　"
NAME_FOLDS: tuple[tuple[str, str], ...] = (("有限责任公司", "有限公司"), *((c, "") for c in _DROPPED))
_DROP = str.maketrans("", "", _DROPPED)
GRAM_SIZE = 2


def name_key(text: str) -> str:
    """A name folded for matching: full-width forms made plain, brackets and spaces dropped,
    有限责任公司 read as 有限公司 (what people type rarely matches the registered form exactly)."""
    return unicodedata.normalize("NFKC", text).replace("有限责任公司", "有限公司").translate(_DROP)


def key_grams(key: str) -> list[str]:
    """The distinct bigrams of a folded name, in order of first appearance (none for one character)."""
    return list(dict.fromkeys(key[i:i + GRAM_SIZE] for i in range(len(key) - GRAM_SIZE + 1)))


def name_grams(name: str) -> list[str]:
    return key_grams(name_key(name))
