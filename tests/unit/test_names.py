"""The name fold and its bigrams: the Python form (queries, single writes) and the column-wise form (bulk
writes, the migration) give the same grams."""

from __future__ import annotations

import polars as pl

from xinyong.adapters.repositories.names import gram_frame
from xinyong.domain.names import key_grams, name_grams, name_key

NAMES = ["扬州（江都）某某有限责任公司", "扬州(江都)某某有限公司", "ＡＢＣ 科技", "【恒达】机械　制造厂", "甲", "",
         "恒达恒达", "扬州市示例科技有限公司"]


def test_the_fold_reads_what_people_type_as_the_registered_form() -> None:
    assert name_key("扬州（江都）某某有限责任公司") == name_key("扬州(江都)某某有限公司") == "扬州江都某某有限公司"
    assert name_key("ＡＢＣ 科技") == "ABC科技"
    assert name_key("【恒达】机械　制造厂") == "恒达机械制造厂"


def test_grams_are_the_distinct_bigrams_of_the_folded_name() -> None:
    assert name_grams("恒达（机械）") == ["恒达", "达机", "机械"]
    assert key_grams("恒达恒达") == ["恒达", "达恒"]
    assert name_grams("甲") == [] and name_grams("") == []


def test_the_column_wise_grams_are_the_same_and_leave_persons_out() -> None:
    frame = pl.DataFrame({"subject_id": [*range(len(NAMES)), 99], "name": [*NAMES, "张三明"],
                          "subject_type": ["enterprise"] * len(NAMES) + ["person"]})
    rows = gram_frame(frame)
    assert sorted(rows.iter_rows()) == sorted((g, i) for i, name in enumerate(NAMES) for g in name_grams(name))
