"""Collection (归集): a department's file or JSON push becomes one batch, processed as a unit.

Every row ends accepted (a new record, a new version, or a duplicate that changes nothing), rejected
(kept with its original cells and the reasons) or held for review; or the whole batch is marked failed
with the reason and nothing of it is written. See docs/architecture.md, "How a batch flows".
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from xinyong.adapters.bulk import bulk_transaction, copy_behind
from xinyong.adapters.jsontext import json_value
from xinyong.adapters.tabular import open_table
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Actor, Permission
from xinyong.domain.audit import AuditEvent
from xinyong.domain.calendar import working_day_index
from xinyong.domain.catalogue import Catalogue, InfoClass
from xinyong.domain.mapping import Mapping, catalogue_headers, header_key, map_headers
from xinyong.domain.publication import PublicationKind
from xinyong.errors import InvalidInput, NotFound, XinyongError
from xinyong.ingest.cells import cell_problems, empty_problems, problem
from xinyong.ingest.linking import Seen, claims_of, link_rows
from xinyong.ingest.records import Provenance, record_frame, write_records
from xinyong.ingest.vectorised import validate_frame
from xinyong.services import lists, publication
from xinyong.services.records import check_submitter, info_class_or_error
from xinyong.services.unit_of_work import UnitOfWork

log = logging.getLogger("xinyong.ingest")

# Columns a reject file adds; ignored when the corrected file comes back.
ROW_COLUMN = "原行号"
ERROR_COLUMN = "错误原因"
REJECT_FILE_COLUMNS = (ROW_COLUMN, ERROR_COLUMN)
_HEADERLESS = re.compile(r"第\d+列")  # how a reject file names a column that had no header


@dataclass
class BatchReport:
    batch_id: int
    status: str
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    held: int = 0
    timely: int = 0
    late: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class BatchFailed(XinyongError):
    """The file as a whole cannot be used; the batch is recorded as failed and nothing of it kept."""

    def __init__(self, batch_id: int, cause: XinyongError) -> None:
        super().__init__(cause.message, cause.message_en, code=cause.code, status=cause.status, field=cause.field,
                         problems=cause.problems)
        self.batch_id = batch_id

    def as_dict(self) -> dict[str, Any]:
        return super().as_dict() | {"batch_id": self.batch_id}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def ingest_file(platform: Platform, actor: Actor, path: Path, info_class: str, department_id: int,
                filename: str | None = None, channel: str = "file") -> BatchReport:
    """Process one uploaded file (CSV in UTF-8/GBK/GB18030, or XLSX) as one batch."""
    check_submitter(actor, department_id)
    meta = {"filename": (filename or path.name)[:255], "file_sha256": _sha256(path),
            "byte_size": path.stat().st_size, "channel": channel}
    with platform.uow(actor) as uow:
        catalogue = platform.catalogue(uow)
        info = info_class_or_error(catalogue, info_class)
        saved = uow.batches.mapping(department_id, info_class)
        ignored = {header_key(h) for h in REJECT_FILE_COLUMNS}
        known = set(catalogue_headers(info)) | {header_key(h) for h in saved} | ignored
        try:
            with open_table(path, known.__contains__, platform.settings.max_upload_mb * 2**20) as table:
                headers = ["" if header_key(h) in ignored or _HEADERLESS.fullmatch(h.strip()) else h
                           for h in table.headers]
                mapping, problems = map_headers(info, headers, saved)
                if problems:
                    raise InvalidInput.from_problems(problems)
                batch_id = _open_batch(uow, info, department_id, meta | {
                    "encoding": table.encoding, "sheet": table.sheet, "header_row": table.header_row,
                    "mapping": mapping.as_dict(headers)})
                report = _process(uow, catalogue, info, department_id, batch_id, channel,
                                  ((_named(f, table.headers), _columns(f, mapping)) for f in table.batches()),
                                  unmapped=[_column_name(h, i) for i, (h, c) in
                                            enumerate(zip(headers, mapping.columns, strict=True)) if c is None])
            if info.publication_rule == PublicationKind.LIST:
                lists.sync_records(uow, batch_id=batch_id)
            uow.commit()
            return report
        except XinyongError as error:
            failure = error
        except Exception as error:  # a file the readers choke on must still fail cleanly, with a reason
            log.warning("batch from %s could not be read: %s", meta["filename"], error)
            failure = InvalidInput("文件无法读取：内容已损坏或格式不符", f"the file cannot be read: {error}",
                                   code="file.unreadable", field="file")
    # The unit of work above has rolled back: nothing of the batch is kept but the record of its failure.
    raise _failed(platform, actor, info, department_id, meta, failure)


def push_records(platform: Platform, actor: Actor, info_class: str, department_id: int,
                 items: list[dict[str, Any]]) -> tuple[BatchReport, list[dict[str, Any]]]:
    """A department system's JSON push: each item ``{"values": {...}, "source_key": "..."}``; the same
    source key again updates (new version) or is a duplicate, so pushes can be retried safely."""
    check_submitter(actor, department_id)
    with platform.uow(actor) as uow:
        catalogue = platform.catalogue(uow)
        info = info_class_or_error(catalogue, info_class)
        codes = {item.code for item in info.items}
        frame = pl.DataFrame({code: [_text(i.get("values", {}).get(code)) for i in items] for code in codes},
                             schema=dict.fromkeys(codes, pl.String))
        unknown = [problem([n], key, "item.unknown", f"目录“{info.name}”中没有数据项“{key}”",
                           f"no item {key} in catalogue class {info.code}")
                   for n, item in enumerate(items) for key in item.get("values", {}) if key not in codes]
        keys = pl.Series("source_key", [str(i["source_key"])[:128] if i.get("source_key") else None for i in items],
                         dtype=pl.String)
        batch_id = _open_batch(uow, info, department_id, {"channel": "api", "filename": None})
        frame = frame.with_columns(pl.int_range(1, len(items) + 1, dtype=pl.Int64).alias("row"))
        report = _process(uow, catalogue, info, department_id, batch_id, "api", iter([(frame, frame)]),
                          extra_problems=pl.concat(unknown) if unknown else None, source_keys=keys)
        outcomes = _item_outcomes(uow, batch_id, len(items))
        if info.publication_rule == PublicationKind.LIST:
            lists.sync_records(uow, batch_id=batch_id)
        uow.commit()
    return report, outcomes



def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _columns(frame: pl.DataFrame, mapping: Mapping) -> pl.DataFrame:
    """The item-coded columns of a file batch."""
    return frame.select([pl.col(f"c{i}").alias(code) for i, code in enumerate(mapping.columns) if code]
                        + [pl.col("row")])


def _column_name(header: str, index: int) -> str:
    return header or f"第{index + 1}列"


def _named(frame: pl.DataFrame, headers: list[str]) -> pl.DataFrame:
    """The original cells under their original headers (kept for rejected rows and reject files)."""
    names = {f"c{i}": _column_name(h, i) for i, h in enumerate(headers)}
    return frame.rename({k: v for k, v in names.items() if k in frame.columns})


def _open_batch(uow: UnitOfWork, info: InfoClass, department_id: int, meta: dict[str, Any]) -> int:
    return uow.batches.add(department_id=department_id, info_class=info.code, submitter_id=uow.actor.user_id,
                           submitter_name=uow.actor.name, received_at=uow.clock.now(), status="processing", **meta)


def _failed(platform: Platform, actor: Actor, info: InfoClass, department_id: int, meta: dict[str, Any],
            error: XinyongError) -> BatchFailed:
    with platform.uow(actor) as uow:
        batch_id = _open_batch(uow, info, department_id, meta)
        uow.batches.update(batch_id, status="failed", error_code=error.code, error_message=error.message,
                           finished_at=uow.clock.now())
        uow.audit(AuditEvent("batch.failed", "batch", batch_id, detail={"code": error.code,
                                                                        "filename": meta.get("filename")}))
        uow.commit()
    return BatchFailed(batch_id, error)


@dataclass
class _Checked:
    """One chunk after the checks that need no database: values, problems, and which rows failed."""

    raw: pl.DataFrame
    lines: pl.Series
    values: pl.DataFrame
    rejected: pl.DataFrame  # the ``ingest_issue`` rows of the rows validation refused
    bad: pl.Series
    since: pl.Series
    claims: pl.DataFrame  # what each row says of its subject (``linking.claims_of``)
    records: pl.DataFrame  # each row as a record (``records.record_frame``)


def _check(chunks: Iterator[tuple[pl.DataFrame, pl.DataFrame]], info: InfoClass, catalogue: Catalogue,
           today: date, batch_id: int, extra_problems: pl.DataFrame | None,
           unmapped: list[str]) -> Iterator[_Checked]:
    """Each chunk validated and prepared as far as it can be without the database (in ``_ahead``'s worker)."""
    labels = {item.code: item.label for item in info.items}
    decision = next((i.code for i in info.items if i.column == "decision_date"), None)
    for raw, data in chunks:
        # A cell our own reject file neutralised ('=…) is checked as what it was, not stored with the quote.
        values_in = data.drop("row").with_columns(pl.all().str.replace(r"^'([=+\-@])", "$1"))
        result = validate_frame(info, catalogue, values_in, today)
        problems = [cell_problems(values_in, labels), result.problems, _unmapped_cells(raw, unmapped)]
        if extra_problems is not None:
            problems.append(extra_problems)
        found = pl.concat(problems)
        bad = pl.int_range(0, data.height, dtype=pl.UInt32, eager=True).is_in(found["row"].implode())
        since = result.values[decision] if decision else pl.Series([None] * data.height, dtype=pl.Date)
        yield _Checked(raw, data["row"], result.values, _issue_rows(batch_id, raw, data["row"], found, "rejected"),
                       bad, since, claims_of(info, result.values), record_frame(info, result.values))


def _ahead(items: Iterator[_Checked]) -> Iterator[_Checked]:
    """The next chunk is read and checked in a worker thread while this one is linked and written (polars
    releases the GIL, and the main thread mostly waits for the database)."""
    with ThreadPoolExecutor(1, thread_name_prefix="xinyong-ingest") as pool:
        pending = pool.submit(next, items, None)
        while (item := pending.result()) is not None:
            pending = pool.submit(next, items, None)
            yield item


def _process(uow: UnitOfWork, catalogue: Catalogue, info: InfoClass, department_id: int, batch_id: int,
             channel: str, chunks: Iterator[tuple[pl.DataFrame, pl.DataFrame]],
             extra_problems: pl.DataFrame | None = None, source_keys: pl.Series | None = None,
             unmapped: list[str] | None = None) -> BatchReport:
    report = BatchReport(batch_id, "done")
    origin = Provenance(department_id, channel, batch_id, uow.actor.user_id, uow.actor.name, uow.clock.now())
    decision = next((i.code for i in info.items if i.column == "decision_date"), None)
    filled: dict[str, int] = {}
    timed = decision is not None and info.deadline_working_days is not None
    calendar = working_day_index(2000, origin.received_at.year + 1) if timed else None
    windows = publication.calculator(uow, catalogue)
    seen = Seen()
    bulk_transaction(uow.connection)
    # Each chunk arrives validated and prepared (its rejected rows, claims and record columns) from a worker
    # thread. Its COPYs (the rejected rows first) run behind (a worker thread on PostgreSQL) while its
    # windows and counts are worked out; each statement in between first waits for them.
    with copy_behind(uow.connection):
        for chunk in _ahead(_check(chunks, info, catalogue, uow.clock.today(), batch_id, extra_problems,
                                   unmapped or [])):
            uow.batches.add_issues(chunk.rejected)
            linked = link_rows(uow.connection, info, chunk.values, chunk.claims, ~chunk.bad, chunk.since,
                               origin.received_at, f"{info.code}:{channel}", seen)
            accepted = linked.subject_id.is_not_null()
            kept = chunk.values.filter(accepted)
            written = write_records(uow.connection, info, chunk.records.filter(accepted),
                                    linked.subject_id.filter(accepted), chunk.lines.filter(accepted),
                                    source_keys.filter(accepted) if source_keys is not None else None, origin,
                                    linked.created)
            publication.store_new_windows(uow, windows, info, department_id, written.current, linked.types,
                                          written.replaced)
            uow.batches.add_issues(_issue_rows(batch_id, chunk.raw, chunk.lines, linked.problems, "rejected"))
            uow.batches.add_issues(_issue_rows(batch_id, chunk.raw, chunk.lines, linked.held, "held"))
            report.rows += chunk.values.height
            report.accepted += int(accepted.sum())
            report.rejected += chunk.rejected.height + linked.problems["row"].n_unique()
            report.held += linked.held.height
            report.created += written.created
            report.updated += written.updated
            report.duplicates += written.duplicates
            for code, count in kept.select(pl.all().is_not_null().sum()).row(0, named=True).items():
                filled[code] = filled.get(code, 0) + int(count)
            if decision and info.deadline_working_days is not None and calendar is not None:
                timely, late = _timeliness(kept[decision], origin.received_at.date(), info.deadline_working_days,
                                           calendar)
                report.timely += timely
                report.late += late
    uow.batches.update(batch_id, status=report.status, finished_at=uow.clock.now(), rows=report.rows,
                       accepted=report.accepted, rejected=report.rejected, created=report.created,
                       updated=report.updated, duplicates=report.duplicates, held=report.held,
                       timely=report.timely, late=report.late, item_filled=filled)
    uow.audit(AuditEvent("batch.ingest", "batch", batch_id, detail=report.as_dict() | {"info_class": info.code}))
    return report


def _timeliness(decided: pl.Series, received: date, deadline: int,
                calendar: tuple[date, tuple[int, ...]]) -> tuple[int, int]:
    """(timely, late): records received within ``deadline`` working days of their decision date;
    ``calendar`` is ``working_day_index(2000, received.year + 1)``, computed once per batch."""
    first, counts = calendar
    index = pl.Series(counts, dtype=pl.Int32)
    days = decided.drop_nulls().cast(pl.Date).cast(pl.Int32) - _epoch_day(first)
    days = days.clip(0, len(counts) - 1)
    delay = counts[(received - first).days] - index.gather(days)
    timely = int((delay <= deadline).sum())
    return timely, len(delay) - timely


def _epoch_day(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def _unmapped_cells(raw: pl.DataFrame, unmapped: list[str]) -> pl.DataFrame:
    """Data in a column without a header, or beyond the last header, would be lost: the row is refused."""
    found = [empty_problems()]
    indexed = raw.with_row_index("i")
    for column in [c for c in unmapped if c in raw.columns]:
        rows = indexed.filter(pl.col(column).str.strip_chars().str.len_chars() > 0)["i"].to_list()
        found.append(problem(rows, column, "cell.no_header", f"“{column}”没有表头，其中的内容没有对应的数据项",
                             f"data in {column}, a column without a header"))
    if "overflow" in raw.columns:
        rows = indexed.filter(pl.col("overflow").is_not_null())["i"].to_list()
        found.append(problem(rows, "row", "row.extra_cells", "该行的单元格多于表头的列数，多出的内容没有对应的数据项",
                             "the row has more cells than the header has columns"))
    return pl.concat(found)


def _issue_rows(batch_id: int, raw: pl.DataFrame, lines: pl.Series, found: pl.DataFrame,
                kind: str) -> pl.DataFrame:
    """One ``ingest_issue`` row per row with problems in ``found``: its original cells and its problems
    (in the order found), both as JSON text."""
    grouped = found.group_by("row", maintain_order=True).agg(
        pl.struct("field", "code", "message", "message_en").alias("problems"))
    cells = raw.drop([c for c in ("row", "overflow") if c in raw.columns]).select(pl.all().gather(grouped["row"]))
    return pl.DataFrame({
        "batch_id": pl.Series([batch_id] * grouped.height, dtype=pl.Int64),
        "row_number": lines.gather(grouped["row"]).cast(pl.Int64),
        "kind": pl.Series([kind] * grouped.height, dtype=pl.String),
        "cells": cells.select(pl.struct(pl.all()).struct.json_encode()).to_series(),
        "problems": grouped.select(json_value("problems")).to_series(),
    })


def _item_outcomes(uow: UnitOfWork, batch_id: int, count: int) -> list[dict[str, Any]]:
    issues = {i["row_number"]: i for i in uow.batches.issues(batch_id)}
    return [{"index": n - 1, "status": issues[n]["kind"], "problems": issues[n]["problems"]} if n in issues
            else {"index": n - 1, "status": "accepted"} for n in range(1, count + 1)]


def batch_detail(uow: UnitOfWork, batch_id: int) -> dict[str, Any]:
    batch = uow.batches.get(batch_id)
    if batch is None or not uow.actor.can_read_department(batch["department_id"]):
        raise NotFound("批次", "batch", batch_id)
    return batch | {"issues": uow.batches.issues(batch_id)}



def reject_file_rows(uow: UnitOfWork, batch_id: int) -> tuple[list[str], list[list[object]]]:
    """The rejected rows as the department sent them, plus the row number and the reasons in Chinese."""
    batch = batch_detail(uow, batch_id)
    rejected = [i for i in batch["issues"] if i["kind"] == "rejected"]
    header: list[str] = []
    for issue in rejected:
        header += [h for h, v in issue["cells"].items()
                   if h not in header and h not in REJECT_FILE_COLUMNS and not (_HEADERLESS.fullmatch(h) and not v)]
    rows = [[issue["row_number"], "；".join(f"{p['message']}[{p['code']}]" for p in issue["problems"]),
             *[issue["cells"].get(h) for h in header]] for issue in rejected]
    return [ROW_COLUMN, ERROR_COLUMN, *header], rows


def save_mapping(uow: UnitOfWork, catalogue: Catalogue, info_class: str, department_id: int,
                 mapping: dict[str, str]) -> dict[str, str]:
    """A department's own header → item mapping for one class, used before the catalogue's headers."""
    check_submitter(uow.actor, department_id)
    info = info_class_or_error(catalogue, info_class)
    codes = {item.code for item in info.items}
    cleaned = {header.strip(): code for header, code in mapping.items() if header.strip() and code}
    unknown = sorted(code for code in cleaned.values() if code not in codes)
    if unknown:
        raise InvalidInput(f"映射指向了目录中不存在的数据项：{'、'.join(unknown)}",
                           f"mapping names unknown items: {', '.join(unknown)}", code="mapping.unknown_item")
    uow.batches.save_mapping(department_id, info_class, cleaned)
    uow.audit(AuditEvent("mapping.save", "info_class", info_class, detail={"department_id": department_id,
                                                                           "mapping": cleaned}))
    uow.commit()
    return cleaned


def recent_batches(uow: UnitOfWork, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Batches the actor may see: all for the credit office, a department's own for its submitters."""
    if uow.actor.can(Permission.RECORDS_READ_ALL):
        return uow.batches.recent(None, limit, offset)
    uow.actor.require(Permission.RECORDS_READ_OWN)
    return uow.batches.recent(uow.actor.department_id, limit, offset)
