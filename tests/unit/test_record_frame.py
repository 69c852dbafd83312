"""The ``extra`` JSON of collected records: only the items that have a value, every value exactly as given."""

from __future__ import annotations

import json

import polars as pl

from xinyong.ingest.records import record_frame
from xinyong.rules.catalogue_files import load_default_catalogue

AWKWARD = ['引号"与\\反斜杠', '"cf_sy":null,', "换\n行\t制表", ",}", "普通"]


def test_extra_holds_the_filled_items_only_and_every_value_survives() -> None:
    info = load_default_catalogue().classes["administrative_penalty"]
    codes = [item.code for item in info.items if not item.column]
    first, plain, last = codes[0], codes[1], codes[-1]
    rows = len(AWKWARD) + 1
    values = pl.DataFrame({item.code: [None] * rows for item in info.items}, schema=dict.fromkeys(
        [item.code for item in info.items], pl.String)).with_columns(
        pl.Series(first, [*AWKWARD, None]), pl.Series(last, [None, "末项", None, "x", '"', None]),
        pl.Series(plain, ["平常", None, None, None, None, None]))
    extra = record_frame(info, values)["extra"].to_list()
    assert [json.loads(e) if e else None for e in extra] == [
        {first: AWKWARD[0], plain: "平常"}, {first: AWKWARD[1], last: "末项"}, {first: AWKWARD[2]},
        {first: AWKWARD[3], last: "x"}, {first: AWKWARD[4], last: '"'}, None]
