"""Parsing the values clerks type: dates in every common form, amounts, codes. Pure functions."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def clean_text(raw: object) -> str:
    """NFKC-normalised text with surrounding white space removed (full-width digits become ASCII)."""
    if raw is None:
        return ""
    return unicodedata.normalize("NFKC", str(raw)).strip()


def parse_date(raw: object) -> date | None:
    """A date from ``2023-05-01``, ``2023/5/1``, ``2023.5.1``, ``20230501``, ``2023年5月1日`` or an Excel
    serial number; ``None`` when it is none of these or not a real calendar date."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = clean_text(raw) if not isinstance(raw, int | float) else str(raw)
    for candidate in (text, text.replace(" ", "")):
        for pattern in _DATE_PATTERNS:
            match = pattern.match(candidate)
            if match:
                try:
                    return date(int(match[1]), int(match[2]), int(match[3]))
                except ValueError:
                    return None
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        # Excel serials of five digits: 1927-05-18 to 2173-10-14 (a bare year like 2023 is not a date)
        serial = int(float(text))
        if serial >= 10000:
            return _EXCEL_EPOCH + timedelta(days=serial)
    return None


def parse_decimal(raw: object) -> Decimal | None:
    text = clean_text(raw).replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def canonical_text(value: object) -> str | None:
    """How a typed value is kept among a record's extra items: ISO dates, decimals without trailing zeros."""
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)
