"""Vectorised ``clean_text`` (Unicode NFKC, then ``str.strip``) for polars String columns.

polars has NFKC (``str.normalize``) but it is slow, and its Unicode version is newer than Python's.
Cells fall in four tiers, cheapest first:

0. printable ASCII and *inert* characters only (CJK ideographs, CJK punctuation, common symbols: NFKC
   leaves them alone and they play no part in any later check): the cell is its own clean text;
1. also full-width ASCII (U+FF01–U+FF5E), the ideographic space and white space: a one-to-one
   translation to ASCII, then strip;
2. any other character of the Basic Multilingual Plane that Python's ``unicodedata`` knows: polars'
   NFKC (the Unicode stability policy makes it agree with Python's on such text), then strip;
3. characters Python's Unicode version does not know, or outside the BMP: Python's NFKC, then strip.

One regex scan finds the cells beyond tier 0; only those are worked on further. Only tiers 0 and 1
leave text that the vectorised typed checks (dates, numbers, codes, identifiers) handle exactly: the
caller sends typed cells of tiers 2 and 3 ("odd" cells) to the reference ``parse_item``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import cache

import numpy as np
import polars as pl
from stdnum import util as stdnum_util

# Blocks searched for inert characters: Latin-1 symbols, punctuation and symbols, CJK radicals,
# CJK punctuation, kana, bopomofo, CJK ideographs (extension A and unified).
_INERT_BLOCKS = ((0xA0, 0xFF), (0x2000, 0x2BFF), (0x2E80, 0x2FFF), (0x3000, 0x31FF), (0x3400, 0x9FFF))
_ID_SEPARATORS = "-‐‑‒–—―_·"  # identifiers.normalize removes these (and white space)
_FULL_WIDTH = (*(chr(c) for c in range(0xFF01, 0xFF5F)), "\u3000")


def _ranges(codes: Iterable[int]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for code in sorted(codes):
        if found and found[-1][1] == code - 1:
            found[-1] = (found[-1][0], code)
        else:
            found.append((code, code))
    return found


def char_class(codes: Iterable[int], negate: bool = False, extra: str = "") -> str:
    """A regex character class (Rust syntax) of code points."""
    parts = "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in _ranges(codes))
    return f"[{'^' if negate else ''}{extra}{parts}]"


@cache
def _composition_seconds() -> frozenset[str]:
    """Characters that can combine with the one before them under NFC (NFKC quick check "maybe")."""
    found = set()
    for code in range(0x10000):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            first, second = (chr(int(p, 16)) for p in parts)
            if unicodedata.normalize("NFC", first + second) == chr(code):
                found.add(second)
    return frozenset(found)


def _is_inert(char: str) -> bool:
    """NFKC leaves it and its neighbours alone, it has no case, is no digit, white space or identifier
    separator, and python-stdnum does not read it as a letter or digit."""
    category = unicodedata.category(char)
    return (
        category[0] in "LNPS"
        and unicodedata.normalize("NFKC", char) == char
        and unicodedata.combining(char) == 0
        and char not in _composition_seconds()
        and char.lower() == char.upper() == char.casefold() == char
        and not (char.isspace() or char.isdigit() or char.isdecimal())
        and char not in _ID_SEPARATORS
        and not stdnum_util._char_map.get(char, "-").isalnum()  # stdnum would read it as a digit
    )


@cache
def inert_codes() -> tuple[int, ...]:
    return tuple(c for lo, hi in _INERT_BLOCKS for c in range(lo, hi + 1) if _is_inert(chr(c)))


@cache
def python_whitespace() -> str:
    """Every character ``str.strip`` removes (there are none outside the BMP)."""
    return "".join(chr(c) for c in range(0x10000) if chr(c).isspace())


@cache
def _patterns() -> tuple[str, str, str]:
    inert = inert_codes()
    plain = char_class(inert, negate=True, extra=r"!-~")  # anything but printable ASCII and inert
    full_width = [ord(c) for c in _FULL_WIDTH]
    translatable = char_class((*inert, *full_width), negate=True, extra=r"\x00-\x7F")
    unknown = [c for c in range(0x10000) if unicodedata.category(chr(c)) == "Cn"]
    exotic = f"[^\\x00-\\x{{D7FF}}\\x{{E000}}-\\x{{FFFF}}]|{char_class(unknown)}"
    return plain, translatable, exotic


def clean_column(raw: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(``clean_text`` of every cell, whether it is beyond tier 1): one scan of every cell, and the cells
    that need more are filtered out and worked on alone (a mask would not spare a regex its work)."""
    plain, translatable, _ = _patterns()
    rows = raw.str.contains(plain).fill_null(False).arg_true()
    odd = np.zeros(raw.len(), dtype=bool)
    if rows.is_empty():
        return raw, pl.Series(raw.name, odd)
    flagged = raw.gather(rows)
    simple = flagged.str.contains(translatable).not_()
    text = flagged.str.replace_many(_FULL_WIDTH, _translations())
    harder = simple.not_().arg_true()
    if not harder.is_empty():
        text = text.scatter(harder, _normalize(flagged.gather(harder)))
        odd[rows.gather(harder).to_numpy()] = True
    return raw.scatter(rows, text.str.strip_chars(python_whitespace())), pl.Series(raw.name, odd)


def _normalize(cells: pl.Series) -> pl.Series:
    """NFKC by polars, or by Python for characters its Unicode version does not know."""
    exotic = cells.str.contains(_patterns()[2]).arg_true()
    normalized = cells.str.normalize("NFKC")
    if exotic.is_empty():
        return normalized
    python = [unicodedata.normalize("NFKC", c) for c in cells.gather(exotic).to_list()]
    return normalized.scatter(exotic, pl.Series(python, dtype=pl.String))


@cache
def _translations() -> tuple[str, ...]:
    found = tuple(unicodedata.normalize("NFKC", c) for c in _FULL_WIDTH)
    assert all(len(t) == 1 and t.isascii() for t in found)
    return found
