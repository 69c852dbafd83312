"""Which column of a department's file holds which catalogue item (column mapping).

A header is recognised by the department's own saved mapping first, then by the catalogue: the item's
code (e.g. ``cf_wsh``, any case), its national Chinese label, or one of its aliases. Headers that map to
nothing, two columns for one item, and missing required items are file-level errors: accepting such a
file would silently lose or misplace data.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from xinyong.domain.catalogue import InfoClass
from xinyong.errors import FieldProblem


def header_key(text: str) -> str:
    """Header text as compared: NFKC, no white space, no required-marks, case-folded."""
    value = unicodedata.normalize("NFKC", text)
    return "".join(value.split()).strip("*").replace("(必填)", "").casefold()


def catalogue_headers(info: InfoClass) -> dict[str, str]:
    return {header_key(h): item.code for item in info.items for h in item.headers}


@dataclass(frozen=True)
class Mapping:
    columns: tuple[str | None, ...]  # item code per file column; None for a column without a header

    def as_dict(self, headers: list[str]) -> dict[str, str]:
        return {h: c for h, c in zip(headers, self.columns, strict=True) if c is not None}


def map_headers(info: InfoClass, headers: list[str], saved: dict[str, str]) -> tuple[Mapping, list[FieldProblem]]:
    known = catalogue_headers(info)
    own = {header_key(h): code for h, code in saved.items()}
    columns: list[str | None] = []
    problems: list[FieldProblem] = []
    seen: dict[str, str] = {}
    for position, header in enumerate(headers, start=1):
        key = header_key(header)
        if not key:
            columns.append(None)
            continue
        code = own.get(key) or known.get(key)
        if code is None:
            problems.append(FieldProblem(header, "file.unknown_header",
                                         f"第{position}列表头“{header}”不是“{info.name}”目录中的数据项",
                                         f"column {position} header '{header}' maps to no item of {info.code}"))
        elif code in seen:
            problems.append(FieldProblem(header, "file.duplicate_header",
                                         f"第{position}列“{header}”与“{seen[code]}”是同一数据项，表头重复",
                                         f"column {position} '{header}' repeats '{seen[code]}' ({code})"))
        else:
            seen[code] = header
        columns.append(code)
    for item in info.items:
        if item.required and item.code not in seen:
            problems.append(FieldProblem(item.code, "file.missing_column", f"缺少必填列“{item.label}”",
                                         f"required column {item.code} ({item.label}) is missing"))
    return Mapping(tuple(columns)), problems
