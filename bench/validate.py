"""Benchmark: vectorised catalogue validation (``ingest.vectorised.validate_frame``) against the per-row
reference (``catalogue.validate_values``) on realistic 行政处罚 rows (~2% bad).

    python bench/validate.py [--rows 1000000] [--sample 50000] [--threads 1]

Prints both rates (rows/s) and the speed-up; the reference is timed on a sample and extrapolated.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from datetime import date, timedelta

_THREADS = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--threads=")), None)
os.environ.setdefault("POLARS_MAX_THREADS", _THREADS or "1")  # before polars is imported: one core

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402
from stdnum.cn import ric, uscc  # noqa: E402

from xinyong.demo.city import DEPARTMENTS  # noqa: E402
from xinyong.demo.codes import area_code_valid  # noqa: E402
from xinyong.demo.names import (  # noqa: E402
    GIVEN_FEMALE,
    GIVEN_MALE,
    INDUSTRIES,
    SHOPS,
    SURNAMES,
    TRADE_CHARS,
)
from xinyong.demo.texts import PENALTY_CONTENT, VIOLATIONS  # noqa: E402
from xinyong.domain.catalogue import validate_values  # noqa: E402
from xinyong.ingest.vectorised import validate_frame  # noqa: E402
from xinyong.rules.catalogue_files import load_default_catalogue  # noqa: E402

TODAY = date(2026, 6, 15)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
AREAS = ("321002", "321003", "321012", "321023", "321081", "321084", "321000")  # 扬州
CATEGORIES = (("罚款", 0.55), ("警告", 0.2), ("fine", 0.05), ("没收违法所得", 0.08), ("责令停产停业", 0.04),
              ("暂扣许可证件", 0.03), ("通报批评", 0.03), ("吊销许可证件", 0.02))
CONTENT_KEYS = {"罚款": "fine", "fine": "fine", "警告": "warning", "没收违法所得": "confiscate_income",
                "责令停产停业": "suspend_business", "暂扣许可证件": "suspend_licence",
                "通报批评": "circulated_criticism", "吊销许可证件": "revoke_licence"}


def _uscc(rng: random.Random, head: str) -> str:
    body = head + rng.choice(("321002", "321003", "321012", "321081")) + "".join(rng.choices(USCC_ALPHABET, k=9))
    return body + uscc.calc_check_digit(body + "0")


def _citizen_id(rng: random.Random) -> str:
    born = date(1984, 1, 1) + timedelta(days=rng.randint(0, 21 * 365))
    area = rng.choice([a for a in AREAS if area_code_valid(a, born.year)])
    first = f"{area}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first + ric.calc_check_digit(first + "0")


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(rng.choice((GIVEN_MALE, GIVEN_FEMALE)), k=rng.choice((1, 2))))


def subjects(n: int, seed: int) -> pl.DataFrame:
    """Enterprises (80%), individual businesses (15%) and natural persons (5%)."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        kind = rng.choices(("org", "shop", "person"), (80, 15, 5))[0]
        trade = "".join(rng.sample(TRADE_CHARS, 2))
        if kind == "org":
            form = rng.choice(("有限公司", "有限公司", "股份有限公司", "有限责任公司", "有限公司（分公司）"))
            name, head, category = f"扬州{trade}{rng.choice(INDUSTRIES)[0]}{form}", "91", "法人及非法人组织"
        elif kind == "shop":
            name, head, category = f"扬州市广陵区{trade}{rng.choice(SHOPS)}", "92", "个体工商户"
        else:
            name, head, category = _person(rng), "", "自然人"
        person_id = _citizen_id(rng)
        rows.append({"cf_xdr_mc": name, "cf_xdr_lb": category, "cf_xdr_shxym": _uscc(rng, head) if head else None,
                     "cf_frdb": _person(rng) if head else None, "cf_fr_zjlx": "身份证" if head else None,
                     "cf_fr_zjhm": person_id if head else None, "cf_xdr_zjlx": None if head else "身份证",
                     "cf_xdr_zjhm": None if head else person_id})
    return pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String))


def _pick(rng: np.random.Generator, n: int, choices: tuple[tuple[str, float], ...]) -> pl.Series:
    weights = np.array([w for _, w in choices])
    index = rng.choice(len(choices), size=n, p=weights / weights.sum())
    return pl.Series([c for c, _ in choices]).gather(index)


def _date_text(days: pl.Expr, form: pl.Expr) -> pl.Expr:
    """Mostly ISO dates; some 2023/5/1, 2023年5月1日, 20230501 and Excel serials, as departments send them."""
    day = days.cast(pl.Date)
    return (pl.when(form < 88).then(day.dt.to_string("%Y-%m-%d"))
            .when(form < 93).then(day.dt.to_string("%Y/%-m/%-d"))
            .when(form < 97).then(day.dt.to_string("%Y年%-m月%-d日"))
            .when(form < 99).then(day.dt.to_string("%Y%m%d"))
            .otherwise((days + 25569).cast(pl.String)))


def penalties(n: int, seed: int = 1, bad: float = 0.02) -> pl.DataFrame:
    """``n`` realistic 行政处罚 rows as a String frame; about ``bad`` of them have one fault."""
    rng = np.random.default_rng(seed)
    people = subjects(max(1000, n // 5), seed)
    subject = people.select(pl.all().gather(rng.integers(0, people.height, n)))
    violations = [(d, facts) for key, org, _, cases in VIOLATIONS for d in DEPARTMENTS if d.key == key
                  for facts in cases if org]
    case = rng.integers(0, len(violations), n)
    dept = pl.Series([d.name for d, _ in violations]).gather(case)
    frame = subject.with_columns(
        pl.Series("dept", dept), pl.Series("prefix", [d.penalty_doc for d, _ in violations]).gather(case),
        pl.Series("dept_uscc", [d.uscc for d, _ in violations]).gather(case),
        *(pl.Series(name, [f[i] for _, f in violations]).gather(case)
          for i, name in enumerate(("cf_wfxw", "cf_sy", "cf_yj"))),
        pl.Series("cf_cflb", _pick(rng, n, CATEGORIES)),
        pl.Series("days", rng.integers(day(date(2019, 1, 1)), day(TODAY) - 7, n)),
        pl.Series("valid", rng.integers(90, 1100, n)), pl.Series("form", rng.integers(0, 100, n)),
        pl.Series("form2", rng.integers(0, 100, n)), pl.Series("seq", rng.integers(1, 3000, n)),
        pl.Series("fine", rng.choice(np.array([0.05, 0.1, 0.2, 0.3, 0.5, 1, 1.5, 2, 5, 10, 20]), n)),
    )
    content = pl.col("cf_cflb").replace_strict({k: PENALTY_CONTENT[v] for k, v in CONTENT_KEYS.items()})
    yuan = (pl.col("fine") * 10000).cast(pl.Int64).cast(pl.String)
    frame = frame.select(
        "cf_xdr_mc", "cf_xdr_lb", "cf_xdr_shxym", "cf_frdb", "cf_fr_zjlx", "cf_fr_zjhm", "cf_xdr_zjlx", "cf_xdr_zjhm",
        pl.concat_str(pl.col("prefix"), pl.lit("〔"), (pl.col("days") // 365 + 1970).cast(pl.String), pl.lit("〕"),
                      pl.col("seq").cast(pl.String), pl.lit("号")).alias("cf_wsh"),
        "cf_wfxw", pl.format("{}，证据确凿。", pl.col("cf_sy")).alias("cf_sy"), "cf_yj", "cf_cflb",
        content.str.replace("{f}", yuan, literal=True).str.replace("{c}", "3000", literal=True).alias("cf_nr"),
        pl.when(pl.col("cf_cflb").is_in(["罚款", "fine"])).then(pl.col("fine").cast(pl.String)).alias("cf_nr_fk"),
        _date_text(pl.col("days"), pl.col("form")).alias("cf_jdrq"),
        pl.when(pl.col("form2") < 30).then(pl.lit("2099-12-31"))
        .otherwise(_date_text(pl.col("days") + pl.col("valid"), pl.col("form2"))).alias("cf_yxq"),
        _date_text(pl.col("days") + 365 * 3, pl.col("form")).alias("cf_gsjzq"),
        pl.col("dept").alias("cf_cfjg"), pl.col("dept_uscc").alias("cf_cfjgdm"), pl.col("dept").alias("cf_sjly"),
        pl.col("dept_uscc").alias("cf_sjlydm"),
    )
    return _spoil(frame, rng, bad)


def day(d: date) -> int:
    return (d - date(1970, 1, 1)).days


FAULTS: tuple[tuple[str, str | None], ...] = (
    ("cf_xdr_mc", None), ("cf_xdr_shxym", "91321002MA1XYZ1230"), ("cf_xdr_shxym", "9132100207837628"),
    ("cf_jdrq", "2023-02-30"), ("cf_jdrq", "2031-01-01"), ("cf_nr_fk", "-0.5"), ("cf_nr_fk", "五千元"),
    ("cf_cflb", "其它处罚"), ("cf_fr_zjhm", "321002198501011234"), ("cf_yxq", "2018-01-01"),
    ("cf_cfjgdm", "1132100001415000"), ("cf_wsh", "扬市监罚" * 20), ("cf_fr_zjlx", "驾驶证"),
    ("cf_xdr_lb", "企业法人"), ("cf_cfjg", "  "), ("cf_gsjzq", "长期"),
)


def _spoil(frame: pl.DataFrame, rng: np.random.Generator, share: float) -> pl.DataFrame:
    rows = rng.choice(frame.height, size=int(frame.height * share), replace=False)
    kinds = rng.integers(0, len(FAULTS), len(rows))
    columns = {}
    for k, (column, value) in enumerate(FAULTS):
        hit = rows[kinds == k]
        series = columns.get(column, frame[column])
        columns[column] = series.scatter(hit, pl.Series([value] * len(hit), dtype=pl.String))
    return frame.with_columns(columns.values())


def as_read(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame as the ingest pipeline gets it from a file: every cell in its own String buffer."""
    buffer = io.BytesIO()
    frame.write_csv(buffer)
    buffer.seek(0)
    return pl.read_csv(buffer, infer_schema=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3, help="vectorised runs (the best is reported)")
    parser.add_argument("--threads", default=None, help="polars threads (default 1; set before import)")
    args = parser.parse_args()
    catalogue = load_default_catalogue()
    info = catalogue.classes["administrative_penalty"]
    started = time.perf_counter()
    frame = as_read(penalties(args.rows))
    print(f"built {frame.height:,} rows in {time.perf_counter() - started:.1f} s "
          f"(polars threads: {pl.thread_pool_size()})")
    validate_frame(info, catalogue, frame.head(1000), TODAY)  # warm-up: code tables, area codes, regexes
    runs = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = validate_frame(info, catalogue, frame, TODAY)
        runs.append(time.perf_counter() - started)
    vectorised = min(runs)
    sample = frame.head(args.sample).to_dicts()
    started = time.perf_counter()
    reference_ok = [not validate_values(info, row, catalogue, TODAY).problems for row in sample]
    reference = (time.perf_counter() - started) * frame.height / len(sample)
    agree = sum(a == b for a, b in zip(reference_ok, result.ok_mask.head(len(sample)).to_list(), strict=True))
    print(f"vectorised: {frame.height / vectorised:12,.0f} rows/s  (best of {len(runs)}: {vectorised:.2f} s; all runs "
          f"{', '.join(f'{r:.2f}' for r in runs)} s; {int((~result.ok_mask).sum()):,} rows with problems)")
    print(f"reference:  {frame.height / reference:12,.0f} rows/s  ({len(sample):,}-row sample, "
          f"{reference_ok.count(False):,} with problems, {reference:.1f} s extrapolated; the two agree on "
          f"{agree:,} of {len(sample):,} rows)")
    print(f"speed-up:   {reference / vectorised:12,.1f}x")


if __name__ == "__main__":
    main()
