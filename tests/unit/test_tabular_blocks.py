"""CSV files are parsed block by block; a block always ends at the end of a record."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import pytest

from xinyong.adapters import tabular
from xinyong.adapters.tabular import _csv_blocks, _record_end
from xinyong.errors import InvalidInput


def test_a_record_ends_only_at_a_line_break_outside_quotes() -> None:
    assert _record_end(b'a,b\nc,"d\ne"\nf,"g\n') == 11
    assert _record_end(b'a,"b\nc') == -1
    assert _record_end(b"no line break") == -1


@pytest.mark.parametrize("size", [7, 100, 1000, 1 << 20])
def test_blocks_cover_the_file_exactly_and_parse_to_every_row(tmp_path: Path, size: int) -> None:
    rows = [[f"r{i}", '含"引号"\n和换行' if i % 7 == 0 else "普通", str(i)] for i in range(3000)]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    data = buffer.getvalue().encode()
    path = tmp_path / "rows.csv"
    path.write_bytes(data)
    blocks = list(_csv_blocks(path, size, 0))
    assert b"".join(blocks) == data
    parsed = pl.concat([pl.read_csv(b, has_header=False, infer_schema=False) for b in blocks])
    assert parsed.rows() == [tuple(r) for r in rows]


def test_rows_are_numbered_across_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "BLOCK_BYTES", 64)
    path = tmp_path / "file.csv"
    lines = ["某某通报", "行政相对人名称,处罚决定日期"] + [f"公司{i},2026-05-{i % 28 + 1:02d}" for i in range(40)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with tabular.open_table(path, {"行政相对人名称", "处罚决定日期"}.__contains__, 1 << 20) as table:
        frames = list(table.batches())
    assert len(frames) > 5 and table.header_row == 2
    joined = pl.concat(frames)
    assert joined["row"].to_list() == list(range(3, 43))
    assert joined["c0"].to_list() == [f"公司{i}" for i in range(40)]


def test_the_data_starts_after_the_header_record_even_with_a_quoted_line_break(tmp_path: Path) -> None:
    path = tmp_path / "file.csv"
    path.write_bytes('"两行\n标题"\n名称,日期\n甲,1\n'.encode())
    assert tabular._records_start(path, 2) == len('"两行\n标题"\n名称,日期\n'.encode())
    assert _record_end(b'"a\nb"\nc\n', 0) == 5


def test_a_header_without_data_rows_gives_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "file.csv"
    path.write_text("行政相对人名称,处罚决定日期\n", encoding="utf-8")
    with tabular.open_table(path, {"行政相对人名称", "处罚决定日期"}.__contains__, 1 << 20) as table:
        assert list(table.batches()) == []


HEADERS = {"行政相对人名称", "处罚决定日期", "cf_xdr_mc", "cf_jdrq"}.__contains__


def test_the_encoding_is_decided_on_the_first_non_ascii_text_even_past_the_first_mib(tmp_path: Path) -> None:
    """A GB18030 file whose first MiB is ASCII (code headers, ASCII rows) is still read as GB18030."""
    path = tmp_path / "file.csv"
    ascii_rows = [f"company {i},2026-05-01" for i in range(60_000)]  # about 1.5 MiB
    lines = ["cf_xdr_mc,cf_jdrq", *ascii_rows, "扬州市䶮鑫科技有限公司,2026-05-02"]
    path.write_bytes(("\n".join(lines) + "\n").encode("gb18030"))
    with tabular.open_table(path, HEADERS, 1 << 30) as table:
        rows = pl.concat(list(table.batches()))
    assert table.encoding == "GB18030"
    assert rows.height == 60_001 and rows["c0"][-1] == "扬州市䶮鑫科技有限公司"


def test_a_block_that_is_not_in_the_file_s_encoding_refuses_the_file(tmp_path: Path) -> None:
    """UTF-8 for more than the first MiB and GBK bytes further on: the file is refused when that block is
    read, not read with the wrong characters."""
    path = tmp_path / "file.csv"
    head = "行政相对人名称,处罚决定日期\n" + "".join(f"公司{i},2026-05-01\n" for i in range(60_000))
    path.write_bytes(head.encode("utf-8") + "错码公司,2026-05-01\n".encode("gbk"))
    with tabular.open_table(path, HEADERS, 1 << 30) as table:
        assert table.encoding == "UTF-8"
        with pytest.raises(InvalidInput) as caught:
            list(table.batches())
    assert caught.value.code == "file.encoding"
