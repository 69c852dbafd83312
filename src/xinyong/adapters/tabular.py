"""Reading departments' files: CSV in UTF-8, GBK or GB18030 (found by strict decoding, never guessed),
XLSX, and a header row found even under a title row. Cells come out as text, rows with their number.

Files are read as a stream: a CSV is cut into blocks at record boundaries (on its bytes: a line break or
a quote is never part of a UTF-8 or GB18030 multi-byte character), each block decoded strictly and parsed
by polars as it is needed; an XLSX is read row by row. Memory stays bounded whatever the file's size, and
nothing is copied to disk.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import polars as pl

from xinyong.domain.mapping import header_key
from xinyong.errors import InvalidInput

HEADER_SCAN_ROWS = 20
BATCH_ROWS = 50_000  # rows per XLSX batch
BLOCK_BYTES = 12 << 20  # bytes per CSV batch (about 35,000 rows of a 双公示 file)
_CHUNK = 1 << 20
_PIECE = 64 << 10  # bytes of a GB18030 block decoded at a time
# A CSV row may have more cells than the header: the first 16 beyond it are read, so that the row is
# refused with a reason instead of failing the whole file.
_EXTRA_CELLS = [f"extra{i}" for i in range(16)]


@dataclass
class Table:
    """An opened file: its header, where the header was, and its data rows in batches."""

    format: str
    encoding: str | None
    sheet: str | None
    header_row: int  # 1-based
    headers: list[str]
    batches: Callable[[], Iterator[pl.DataFrame]] = field(repr=False)
    # Each batch: one pl.String column per header position ("c0", "c1", …) plus "row" (file row number).


def file_error(code: str, message: str, message_en: str) -> InvalidInput:
    return InvalidInput(message, message_en, code=f"file.{code}", field="file")


@contextmanager
def open_table(path: Path, is_header: Callable[[str], bool], max_bytes: int) -> Iterator[Table]:
    """Open a CSV or XLSX file; ``is_header`` says whether a header key (``header_key``) is known."""
    size = path.stat().st_size
    if size == 0:
        raise file_error("empty", "文件为空", "the file is empty")
    if size > max_bytes:
        raise file_error("too_large", f"文件过大（{size / 2**20:.0f} MB），单个文件不超过 {max_bytes / 2**20:.0f} MB，"
                         "请拆分后分批上传", f"file of {size} bytes exceeds the limit of {max_bytes} bytes")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        yield _open_xlsx(path, is_header)
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        raise file_error("xls", "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后上传",
                         "legacy .xls files are not supported: save as .xlsx or CSV")
    else:
        yield _open_csv(path, _encoding(path), is_header)


_ENCODING_ERROR = ("encoding", "无法识别文件编码：既不是 UTF-8，也不是 GBK/GB18030，请另存为 UTF-8 后上传",
                   "unknown encoding: the file is neither UTF-8 nor GBK/GB18030")
_NON_ASCII = re.compile(rb"[\x80-\xff]")


def _encoding(path: Path) -> str:
    """The CSV's encoding ("utf-8-sig", which also reads UTF-8 without a BOM, or "gb18030", of which GBK is a
    part), decided on up to 1 MiB of its text from the first non-ASCII byte on: UTF-8 if that decodes
    strictly as UTF-8, else GB18030 if it decodes strictly as GB18030 (GB18030 text fails as UTF-8 within
    its first non-ASCII characters). Every block is decoded strictly again when it is read."""
    with path.open("rb") as handle:
        chunk = handle.read(_CHUNK)
        if b"\x00" in chunk or chunk.startswith((b"%PDF", b"\x89PNG", b"\x1f\x8b", b"\xff\xd8")):
            raise file_error("format", "文件不是 CSV 或 XLSX 表格", "not a CSV or XLSX file")
        while (found := _NON_ASCII.search(chunk)) is None:
            chunk = handle.read(_CHUNK)
            if not chunk:
                return "utf-8-sig"  # ASCII only
        text = chunk[found.start():] + handle.read(_CHUNK - len(chunk) + found.start())
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)(errors="strict").decode(text)
        except UnicodeDecodeError:
            continue
        return encoding
    raise file_error(*_ENCODING_ERROR)


def _utf8(block: bytes, encoding: str) -> bytes | io.BytesIO:
    """A block of whole records as UTF-8 for polars: a UTF-8 block as it is (polars refuses bytes that are
    not UTF-8), a GB18030 block transcoded strictly in pieces of ``_PIECE`` bytes (its text is never in
    memory whole)."""
    if encoding != "gb18030":
        return block
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    view = memoryview(block)
    out = io.BytesIO()
    try:
        for start in range(0, len(block), _PIECE):
            out.write(decoder.decode(view[start:start + _PIECE], final=start + _PIECE >= len(block)).encode())
    except UnicodeDecodeError as exc:
        raise file_error(*_ENCODING_ERROR) from exc
    out.seek(0)
    return out


def _find_header(rows: list[list[str]], is_header: Callable[[str], bool]) -> int:
    """0-based index of the first row where at least two cells (or all, if fewer) are known headers."""
    for index, cells in enumerate(rows):
        filled = [header_key(c) for c in cells if header_key(c)]
        known = sum(1 for c in filled if is_header(c))
        if filled and (known >= 2 or known == len(filled)):
            return index
    raise file_error("no_header", f"前 {HEADER_SCAN_ROWS} 行中没有找到表头：没有一列的标题是目录中的数据项",
                     "no header row found: no column title names a catalogue item")


def _open_csv(path: Path, encoding: str, is_header: Callable[[str], bool]) -> Table:
    with path.open("rb") as handle:
        try:
            sample = codecs.getincrementaldecoder(encoding)(errors="strict").decode(handle.read(64 * 1024))
        except UnicodeDecodeError as exc:
            raise file_error(*_ENCODING_ERROR) from exc
    # Departments export comma- or tab-separated text; the one that occurs more often is the separator.
    dialect_delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    head = list(csv.reader(io.StringIO(sample), delimiter=dialect_delimiter))[:HEADER_SCAN_ROWS]
    index = _find_header(head, is_header)
    headers = [c.strip() for c in head[index]]
    width = len(headers)

    def batches() -> Iterator[pl.DataFrame]:
        first_row = index + 2
        schema = dict.fromkeys([f"c{i}" for i in range(width)] + _EXTRA_CELLS, pl.String)
        for block in _csv_blocks(path, BLOCK_BYTES, _records_start(path, index + 1)):
            try:
                frame = pl.read_csv(_utf8(block, encoding), has_header=False, separator=dialect_delimiter,
                                    schema=schema, truncate_ragged_lines=True, missing_columns="insert",
                                    quote_char='"')
            except pl.exceptions.ComputeError as exc:
                if "utf-8" not in str(exc):
                    raise
                raise file_error(*_ENCODING_ERROR) from exc  # a UTF-8 file with bytes that are not UTF-8
            # Cells beyond the header are kept as "overflow" (the row is refused, never silently cut).
            extra = pl.concat_str(_EXTRA_CELLS, separator=" ", ignore_nulls=True)
            frame = frame.with_columns(pl.when(extra != "").then(extra).alias("overflow")).drop(_EXTRA_CELLS)
            if frame["overflow"].null_count() == frame.height:
                frame = frame.drop("overflow")
            yield frame.with_columns(pl.int_range(first_row, first_row + frame.height, dtype=pl.Int64).alias("row"))
            first_row += frame.height

    return Table("csv", "GB18030" if encoding == "gb18030" else "UTF-8", None, index + 1, headers, batches)


def _records_start(path: Path, records: int) -> int:
    """Byte offset just after the first ``records`` records (the title and header rows)."""
    offset = 0
    with path.open("rb") as handle:
        head = handle.read(_CHUNK)
    for _ in range(records):
        cut = _record_end(head, offset)
        if cut < 0:
            return len(head)
        offset = cut + 1
    return offset


def _csv_blocks(path: Path, size: int, start: int) -> Iterator[bytes]:
    """The file from byte ``start`` in blocks of about ``size`` bytes, each ending at the end of a record:
    at a line break outside quotes (an even number of '"' before it). One block is in memory at a time."""
    with path.open("rb") as handle:
        handle.seek(start)
        carried = b""
        while data := handle.read(size):
            block = carried + data
            cut = _record_end(block)
            if cut < 0:
                carried = block
                continue
            carried = block[cut + 1:]
            if block[: cut + 1].strip():
                yield block[: cut + 1]
        if carried.strip():
            yield carried


def _record_end(block: bytes, first: int | None = None) -> int:
    """Index of the line break in ``block`` that ends a record: the first one from ``first`` on, or, without
    ``first``, the last one; -1 if there is none."""
    if first is not None:
        cut = block.find(b"\n", first)
        while cut >= 0 and block.count(b'"', first, cut) % 2:
            cut = block.find(b"\n", cut + 1)
        return cut
    cut = block.rfind(b"\n")
    quotes = block.count(b'"', 0, cut) if cut >= 0 else 0
    while cut >= 0 and quotes % 2:
        previous = block.rfind(b"\n", 0, cut)
        quotes -= block.count(b'"', previous + 1, cut)
        cut = previous
    return cut


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _open_xlsx(path: Path, is_header: Callable[[str], bool]) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise file_error("format", "文件不是有效的 XLSX 表格", f"not a valid XLSX file: {exc}") from exc
    sheet = workbook.worksheets[0]
    head: list[list[str]] = []
    for cells in sheet.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True):
        head.append(["" if c is None else str(c) for c in cells])
    index = _find_header(head, is_header)
    headers = [c.strip() for c in head[index]]
    width = len(headers)

    def batches() -> Iterator[pl.DataFrame]:
        rows: list[list[str | None]] = []
        numbers: list[int] = []
        for number, cells in enumerate(sheet.iter_rows(min_row=index + 2, values_only=True), start=index + 2):
            values = [_cell(c) for c in cells[:width]] + [None] * max(0, width - len(cells))
            if all(v is None or v == "" for v in values) and all(c is None for c in cells[width:]):
                continue
            if any(c not in (None, "") for c in cells[width:]):
                values.append(" ".join(str(c) for c in cells[width:] if c not in (None, "")))
            rows.append(values[: width + 1] if len(values) > width else values)
            numbers.append(number)
            if len(rows) >= BATCH_ROWS:
                yield _frame(rows, numbers, width)
                rows, numbers = [], []
        if rows:
            yield _frame(rows, numbers, width)
        workbook.close()

    return Table("xlsx", None, sheet.title, index + 1, headers, batches)


def _frame(rows: list[list[str | None]], numbers: list[int], width: int) -> pl.DataFrame:
    names = [f"c{i}" for i in range(width)]
    data = {name: [r[i] if i < len(r) else None for r in rows] for i, name in enumerate(names)}
    overflow = [r[width] if len(r) > width else None for r in rows]
    frame = pl.DataFrame({**data, "row": numbers}, schema={**dict.fromkeys(names, pl.String), "row": pl.Int64})
    if any(v is not None for v in overflow):
        frame = frame.with_columns(pl.Series("overflow", overflow, dtype=pl.String))
    return frame
