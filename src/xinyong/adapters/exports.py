"""Files we hand out (reject files, exports): CSV that Excel opens as UTF-8, with formulas neutralised."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import IO

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value: object) -> str:
    """Text that a spreadsheet shows as text: a leading ``=``, ``+``, ``-`` or ``@`` gets a quote first
    (a plain number such as ``-5`` is no formula and stays as it is). Our own upload strips that quote
    again, so a neutralised cell that comes back in a corrected file is checked as what it was."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def write_csv(stream: IO[str], header: Sequence[str], rows: Iterable[Sequence[object]], bom: bool = True) -> None:
    if bom:
        stream.write("\ufeff")
    writer = csv.writer(stream)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
