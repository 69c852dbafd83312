"""Identifier maths for the demo city, vectorised with numpy: USCCs (GB 32100), organisation codes
(GB 11714), citizen IDs (GB 11643) and business registration numbers (GB/T 17710 MOD 11,10).

Identifiers are built as ``uint8`` matrices of ASCII codes (one row per identifier) and turned into
``str`` only at the end. Uniqueness comes from bijections of the subject's ordinal, never from luck.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from stdnum import numdb

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28], dtype=np.int64)
_ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_RIC_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)

# ASCII code -> value in the USCC alphabet (-1 outside it), and -> value in the organisation-code alphabet.
_USCC_VALUE = np.full(128, -1, dtype=np.int64)
_USCC_VALUE[[ord(c) for c in USCC_ALPHABET]] = np.arange(len(USCC_ALPHABET))
_ORG_VALUE = np.full(128, -1, dtype=np.int64)
_ORG_VALUE[[ord(c) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"]] = np.arange(36)
_USCC_CHARS = np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)
_ORG_CHECK = np.frombuffer(b"0123456789X0", dtype=np.uint8)  # indexed by 11 - sum % 11 (11 -> "0")
_RIC_CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)


def as_matrix(values: list[str] | np.ndarray, width: int) -> np.ndarray:
    """Equal-width ASCII strings as an ``(n, width)`` uint8 matrix."""
    data = np.asarray(values, dtype=f"S{width}")
    return data.view(np.uint8).reshape(len(data), width)


def as_strings(matrix: np.ndarray) -> np.ndarray:
    """An ``(n, width)`` uint8 matrix back to an object array of ``str``."""
    n, width = matrix.shape
    return np.ascontiguousarray(matrix).view(f"S{width}").reshape(n).astype(f"U{width}").astype(object)


def digits(numbers: np.ndarray, width: int) -> np.ndarray:
    """Non-negative integers as zero-padded ASCII digit matrices."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((numbers[:, None] // powers) % 10 + 48).astype(np.uint8)


def base31(numbers: np.ndarray, width: int) -> np.ndarray:
    """Non-negative integers in the USCC alphabet (no I, O, S, V, Z), zero-padded."""
    powers = 31 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return _USCC_CHARS[(numbers[:, None] // powers) % 31]


def permute(ordinals: np.ndarray, modulus: int, salt: int) -> np.ndarray:
    """A bijection of ``[0, modulus)`` (affine, multiplier coprime to the modulus): distinct ordinals give
    distinct results that look random."""
    multiplier = 2_654_435_761 % modulus
    while np.gcd(multiplier, modulus) != 1:
        multiplier += 1
    return (ordinals.astype(np.int64) % modulus * multiplier + salt * 2_246_822_519) % modulus


def organisation_codes(bodies: np.ndarray) -> np.ndarray:
    """Append the GB 11714 check character to ``(n, 8)`` bodies: ``(n, 9)``."""
    total = (_ORG_VALUE[bodies] * _ORG_WEIGHTS).sum(axis=1)
    return np.concatenate([bodies, _ORG_CHECK[11 - total % 11][:, None]], axis=1)


def usccs(prefixes: np.ndarray, divisions: np.ndarray, organisation: np.ndarray) -> np.ndarray:
    """``(n, 2)`` registration authority + category, ``(n, 6)`` division, ``(n, 9)`` organisation code:
    the ``(n, 18)`` USCC with its check character."""
    body = np.concatenate([prefixes, divisions, organisation], axis=1)
    total = (_USCC_VALUE[body] * _USCC_WEIGHTS).sum(axis=1)
    return np.concatenate([body, _USCC_CHARS[(31 - total % 31) % 31][:, None]], axis=1)


def citizen_ids(areas: np.ndarray, births: np.ndarray, sequences: np.ndarray) -> np.ndarray:
    """``(n, 6)`` area codes, ``(n, 8)`` YYYYMMDD birth dates, integer sequences 1..999: ``(n, 18)``."""
    body = np.concatenate([areas, births, digits(sequences, 3)], axis=1)
    total = ((body.astype(np.int64) - 48) * _RIC_WEIGHTS).sum(axis=1)
    return np.concatenate([body, _RIC_CHECK[total % 11][:, None]], axis=1)


def registration_numbers(authorities: np.ndarray, sequences: np.ndarray) -> np.ndarray:
    """15-digit 工商注册号: ``(n, 6)`` registering authority, 8-digit sequence, MOD 11,10 check digit."""
    body = np.concatenate([authorities, digits(sequences, 8)], axis=1)
    product = np.full(len(body), 10, dtype=np.int64)
    for column in range(14):
        total = (product + body[:, column].astype(np.int64) - 48) % 10
        product = (np.where(total == 0, 10, total) * 2) % 11
    check = (11 - product) % 10
    return np.concatenate([body, (check + 48).astype(np.uint8)[:, None]], axis=1)


def uscc(prefix: str, division: str, body: str) -> str:
    """One USCC from its 2-character prefix, 6-digit division and 8-character organisation body."""
    organisation = organisation_codes(as_matrix([body], 8))
    return str(as_strings(usccs(as_matrix([prefix], 2), as_matrix([division], 6), organisation))[0])


@cache
def area_code_years(code: str) -> tuple[tuple[int, int], ...]:
    """The year ranges in which python-stdnum's ``cn/loc`` database says an area code existed."""
    info = {k: v for _, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    county = info.get("county")
    if not county:
        return ()
    ranges = []
    for part in county.split(","):
        if not part.startswith("["):
            return ((0, 9999),)
        start, end = part[1:].split("]")[0].split("-")
        ranges.append((int(start) if start else 0, int(end) if end else 9999))
    return tuple(ranges)


def area_code_valid(code: str, year: int) -> bool:
    return any(start <= year <= end for start, end in area_code_years(code))
