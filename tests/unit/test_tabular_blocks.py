"""CSV files are parsed block by block; a block always ends at the end of a record."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import pytest

from xinyong.adapters import tabular
from xinyong.adapters.tabular import _csv_blocks, _record_end


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
