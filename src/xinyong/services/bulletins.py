"""Collection bulletins (归集情况通报) and the submission monitor: how each source department reports.

Per department, for the batches received in a period: how many rows came, were accepted, rejected or
held, why rows were rejected, how timely the records arrived (the batch columns ``timely``/``late``
count records received within the class's deadline in working days of their decision date, computed at
ingest), how complete the optional items are, and which classes are overdue against their update cycle.
The credit office sees every department; a department's submitter sees only its own.
"""

from __future__ import annotations

import calendar
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, select

from xinyong.adapters.exports import safe_cell
from xinyong.adapters.tables import ingest_batch, ingest_issue
from xinyong.clock import CHINA
from xinyong.domain.accounts import Permission
from xinyong.domain.calendar import add_working_days
from xinyong.domain.catalogue import Catalogue, InfoClass, UpdateCycle
from xinyong.errors import InvalidInput
from xinyong.services.unit_of_work import UnitOfWork

# Chinese names of the problem codes a rejected row may carry (ingest_issue.problems[].code).
REASON_LABELS: dict[str, str] = {
    "item.required": "必填项为空",
    "item.too_long": "内容超过长度限制",
    "item.date": "日期无效",
    "item.future_date": "日期晚于当天",
    "item.number": "数值无效",
    "item.minimum": "数值小于下限",
    "item.code": "不在代码表中",
    "item.date_order": "日期先后顺序错误",
    "item.unknown": "目录中没有该数据项",
    "identifier.empty": "代码为空",
    "identifier.length": "代码位数错误",
    "identifier.format": "代码格式错误",
    "identifier.checksum": "代码校验位错误",
    "identifier.birth_date": "身份号码出生日期无效",
    "identifier.area_code": "身份号码地址码无效",
    "identifier.type": "证件类型无效",
    "cell.formula": "单元格含有公式",
    "cell.markup": "单元格含有 HTML 标记",
    "cell.no_header": "无表头的列中有内容",
    "row.extra_cells": "单元格多于表头列数",
    "link.conflict": "多个代码分属不同主体",
    "link.organisation_code": "缺少主体代码",
    "link.person_certificate": "自然人缺少证件类型或号码",
    "link.held_for_review": "旧代码无法确认主体（待核实）",
}

_PREFIX_LABELS = {"item": "数据项校验未通过", "identifier": "代码校验未通过", "cell": "单元格内容不合规",
                  "row": "行格式错误", "link": "无法确定信用主体", "file": "文件错误"}

CYCLE_DAYS_LABELS: dict[UpdateCycle, str] = {
    UpdateCycle.REALTIME: "实时（1个工作日）", UpdateCycle.DAILY: "每日（1个工作日）",
    UpdateCycle.WEEKLY: "每周（7天）",
    UpdateCycle.MONTHLY: "每月", UpdateCycle.QUARTERLY: "每季度", UpdateCycle.YEARLY: "每年",
}


def reason_label(code: str) -> str:
    """The Chinese name of a problem code; an unknown code is named by its family."""
    if code in REASON_LABELS:
        return REASON_LABELS[code]
    return _PREFIX_LABELS.get(code.split(".", 1)[0], code)


@dataclass
class ReasonCount:
    code: str
    label: str
    count: int


@dataclass
class OverdueClass:
    info_class: str
    class_name: str
    cycle: UpdateCycle
    last_received: date | None  # the last successful batch (None: never a successful one)
    due: date | None
    days_late: int | None  # calendar days after the due date (None: never a successful batch)


@dataclass
class DepartmentBulletin:
    department_id: int | None  # None for the city-wide total row
    name: str
    batches: int = 0
    failed: int = 0
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    held: int = 0
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    timely: int = 0
    late: int = 0
    completeness_values: list[float] = field(default_factory=list, repr=False)
    reasons: list[ReasonCount] = field(default_factory=list)
    overdue: list[OverdueClass] = field(default_factory=list)

    @property
    def timeliness(self) -> float | None:
        """Records received within the deadline, as a percentage of those with a decision date."""
        measured = self.timely + self.late
        return round(100 * self.timely / measured, 1) if measured else None

    @property
    def completeness(self) -> float | None:
        """Optional items filled, in percent: per batch the mean over the class's optional items of
        filled / accepted, averaged over the batches that accepted rows."""
        values = self.completeness_values
        return round(100 * sum(values) / len(values), 1) if values else None

    @property
    def rejection_rate(self) -> float | None:
        return round(100 * self.rejected / self.rows, 1) if self.rows else None


@dataclass
class Bulletin:
    period_start: date
    period_end: date
    as_of: date  # the day overdue classes are judged at: the period's end, or today if that is earlier
    departments: list[DepartmentBulletin]
    total: DepartmentBulletin
    city_wide: bool  # False when the actor sees its own department only


@dataclass
class LatestSubmission:
    department_id: int
    department: str
    batch_id: int | None = None
    received_at: datetime | None = None
    info_class: str | None = None
    class_name: str | None = None
    channel: str | None = None
    filename: str | None = None
    status: str | None = None
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    held: int = 0
    error_message: str | None = None


# -- scope ----------------------------------------------------------------------------------------

def _scope(uow: UnitOfWork) -> int | None:
    """None for the credit office (every department); the actor's department for a submitter."""
    if uow.actor.can(Permission.RECORDS_READ_ALL):
        return None
    uow.actor.require(Permission.RECORDS_READ_OWN)
    if uow.actor.department_id is None:
        uow.actor.require(Permission.RECORDS_READ_ALL)
    return uow.actor.department_id


def _departments(uow: UnitOfWork, department_id: int | None) -> dict[int, str]:
    return {d.id: d.name for d in uow.accounts.departments() if department_id is None or d.id == department_id}


# -- queries (they belong in adapters/repositories/batches.py; kept here until they move) -----------

def _beijing_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=CHINA).astimezone(UTC)


def _beijing_date(moment: datetime) -> date:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(CHINA).date()


def _batches_between(connection: Connection, start: datetime, end: datetime,
                     department_id: int | None) -> list[dict[str, Any]]:
    query = select(ingest_batch.c.id, ingest_batch.c.department_id, ingest_batch.c.info_class,
                   ingest_batch.c.status, ingest_batch.c.rows, ingest_batch.c.accepted, ingest_batch.c.rejected,
                   ingest_batch.c.held, ingest_batch.c.created, ingest_batch.c.updated, ingest_batch.c.duplicates,
                   ingest_batch.c.timely, ingest_batch.c.late, ingest_batch.c.item_filled).where(
        ingest_batch.c.received_at >= start, ingest_batch.c.received_at < end).order_by(ingest_batch.c.id)
    if department_id is not None:
        query = query.where(ingest_batch.c.department_id == department_id)
    return [dict(r._mapping) for r in connection.execute(query)]


def _rejection_problems(connection: Connection, start: datetime, end: datetime,
                        department_id: int | None) -> list[tuple[int, list[dict[str, Any]]]]:
    """(department, problems) of every rejected row of the batches received in the period."""
    query = select(ingest_batch.c.department_id, ingest_issue.c.problems).select_from(
        ingest_issue.join(ingest_batch, ingest_issue.c.batch_id == ingest_batch.c.id)).where(
        ingest_issue.c.kind == "rejected", ingest_batch.c.received_at >= start, ingest_batch.c.received_at < end)
    if department_id is not None:
        query = query.where(ingest_batch.c.department_id == department_id)
    return [(d, p or []) for d, p in connection.execute(query)]


def _last_received(connection: Connection, end: datetime,
                   department_id: int | None) -> dict[tuple[int, str], datetime | None]:
    """For each (department, class) with any batch before ``end``: the last successful batch's time."""
    success = func.max(ingest_batch.c.received_at).filter(ingest_batch.c.status == "done")
    query = select(ingest_batch.c.department_id, ingest_batch.c.info_class, success).where(
        ingest_batch.c.received_at < end).group_by(ingest_batch.c.department_id, ingest_batch.c.info_class)
    if department_id is not None:
        query = query.where(ingest_batch.c.department_id == department_id)
    found: dict[tuple[int, str], datetime | None] = {}
    for department, info_class, last in connection.execute(query):
        if isinstance(last, str):  # SQLite: an aggregate over a timestamp comes back as text
            last = datetime.fromisoformat(last)
        if isinstance(last, datetime) and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        found[(department, info_class)] = last
    return found


def _latest_batches(connection: Connection, department_id: int | None) -> list[dict[str, Any]]:
    latest = select(func.max(ingest_batch.c.id).label("id")).group_by(ingest_batch.c.department_id)
    if department_id is not None:
        latest = latest.where(ingest_batch.c.department_id == department_id)
    ids = latest.subquery()
    query = select(ingest_batch).join(ids, and_(ingest_batch.c.id == ids.c.id))
    return [dict(r._mapping) for r in connection.execute(query)]


# -- the bulletin ---------------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(last: date, cycle: UpdateCycle) -> date:
    """When the next submission of a class updated every ``cycle`` is due after one received on ``last``."""
    if cycle in (UpdateCycle.DAILY, UpdateCycle.REALTIME):
        return add_working_days(last, 1)
    if cycle is UpdateCycle.WEEKLY:
        return last + timedelta(days=7)
    months = {UpdateCycle.MONTHLY: 1, UpdateCycle.QUARTERLY: 3, UpdateCycle.YEARLY: 12}[cycle]
    return add_months(last, months)


def month_period(month: str) -> tuple[date, date]:
    """``YYYY-MM`` → (first day, last day) of that month."""
    text = month.strip()
    try:
        year, number = (int(part) for part in text.split("-"))
        first = date(year, number, 1)
    except ValueError:
        raise InvalidInput(f"月份应为“年-月”格式，如 2026-06：{text[:20]}", "month must be YYYY-MM",
                           code="request.month", field="month") from None
    return first, date(year, number, calendar.monthrange(year, number)[1])


def _completeness(info: InfoClass | None, batch: dict[str, Any]) -> float | None:
    if info is None or not batch["accepted"]:
        return None
    optional = [item.code for item in info.items if not item.required]
    if not optional:
        return None
    filled = batch["item_filled"] or {}
    accepted = batch["accepted"]
    return sum(min(int(filled.get(code, 0)), accepted) / accepted for code in optional) / len(optional)


def _add_batch(row: DepartmentBulletin, batch: dict[str, Any], completeness: float | None) -> None:
    row.batches += 1
    row.failed += batch["status"] == "failed"
    for name in ("rows", "accepted", "rejected", "held", "created", "updated", "duplicates", "timely", "late"):
        setattr(row, name, getattr(row, name) + int(batch[name] or 0))
    if completeness is not None:
        row.completeness_values.append(completeness)


def _reasons(counter: Counter[str]) -> list[ReasonCount]:
    return [ReasonCount(code, reason_label(code), n) for code, n in
            sorted(counter.items(), key=lambda item: (-item[1], item[0]))]


def bulletin(uow: UnitOfWork, catalogue: Catalogue, period_start: date, period_end: date) -> Bulletin:
    """The collection bulletin of the batches received (Beijing dates) from ``period_start`` to
    ``period_end`` inclusive, one row per department and a city-wide total."""
    department_id = _scope(uow)
    if period_end < period_start:
        raise InvalidInput("统计期间的结束日期不能早于开始日期", "the period ends before it starts",
                           code="request.period", field="period_end")
    start, end = _beijing_midnight(period_start), _beijing_midnight(period_end + timedelta(days=1))
    as_of = min(period_end, uow.clock.today())
    names = _departments(uow, department_id)
    rows = {d: DepartmentBulletin(d, name) for d, name in names.items()}
    total = DepartmentBulletin(None, "全市合计" if department_id is None else "合计")

    def row_of(key: int) -> DepartmentBulletin:
        return rows.setdefault(key, DepartmentBulletin(key, str(key)))

    for batch in _batches_between(uow.connection, start, end, department_id):
        share = _completeness(catalogue.info_class(batch["info_class"]), batch)
        _add_batch(row_of(batch["department_id"]), batch, share)
        _add_batch(total, batch, share)

    counters: dict[int, Counter[str]] = {}
    for department, problems in _rejection_problems(uow.connection, start, end, department_id):
        counters.setdefault(department, Counter()).update(str(p.get("code", "")) for p in problems)
    everything: Counter[str] = Counter()
    for department, counter in counters.items():
        row_of(department).reasons = _reasons(counter)
        everything.update(counter)
    total.reasons = _reasons(everything)

    for (department, code), last in sorted(_last_received(uow.connection, end, department_id).items()):
        info = catalogue.info_class(code)
        if info is None:
            continue
        received = _beijing_date(last) if last is not None else None
        due = due_date(received, info.update_cycle) if received is not None else None
        if due is None or as_of > due:
            late = OverdueClass(code, info.name, info.update_cycle, received, due,
                                (as_of - due).days if due is not None else None)
            row_of(department).overdue.append(late)
            total.overdue.append(late)
    ordered = sorted(rows.values(), key=lambda r: (r.name, r.department_id or 0))
    return Bulletin(period_start, period_end, as_of, ordered, total, city_wide=department_id is None)


# -- the monitor ----------------------------------------------------------------------------------

def monitor(uow: UnitOfWork, catalogue: Catalogue | None = None) -> list[LatestSubmission]:
    """Each department's latest batch (departments that never submitted included, listed last)."""
    department_id = _scope(uow)
    names = _departments(uow, department_id)
    current = catalogue if catalogue is not None else uow.catalogue.load()
    latest = {b["department_id"]: b for b in _latest_batches(uow.connection, department_id)}
    found: list[LatestSubmission] = []
    for key, name in names.items():
        batch = latest.get(key)
        if batch is None:
            found.append(LatestSubmission(key, name))
            continue
        info = current.info_class(batch["info_class"])
        found.append(LatestSubmission(
            key, name, batch["id"], batch["received_at"], batch["info_class"],
            info.name if info else batch["info_class"], batch["channel"], batch["filename"], batch["status"],
            batch["rows"], batch["accepted"], batch["rejected"], batch["held"], batch["error_message"]))
    never = datetime.min.replace(tzinfo=UTC)
    found.sort(key=lambda s: (s.received_at is None, -(s.received_at or never).timestamp(), s.department))
    return found


# -- the spreadsheet ------------------------------------------------------------------------------

BULLETIN_SHEET = "归集情况通报"
REASONS_SHEET = "退回原因"
BULLETIN_HEADER = ("信源部门", "批次数", "失败批次", "报送条数", "接收条数", "退回条数", "待核实条数",
                   "及时率(%)", "完整率(%)", "逾期信息类")
REASONS_HEADER = ("信源部门", "退回原因", "问题代码", "次数")


def overdue_text(late: OverdueClass) -> str:
    if late.days_late is None:
        return f"{late.class_name}（从未成功报送）"
    return f"{late.class_name}（逾期{late.days_late}天）"


def bulletin_xlsx(report: Bulletin) -> bytes:
    """The bulletin as an Excel workbook: the table per department and the rejection reasons."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    def text(value: object) -> str:
        return ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value))

    def line(row: DepartmentBulletin) -> list[object]:
        return [text(row.name), row.batches, row.failed, row.rows, row.accepted, row.rejected, row.held,
                row.timeliness, row.completeness, text("；".join(overdue_text(o) for o in row.overdue))]

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = BULLETIN_SHEET
    sheet.append(list(BULLETIN_HEADER))
    for row in report.departments:
        sheet.append(line(row))
    sheet.append(line(report.total))
    sheet.append([])
    sheet.append([text(f"统计期间：{report.period_start.isoformat()} 至 {report.period_end.isoformat()}；"
                       f"逾期按 {report.as_of.isoformat()} 计算")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[len(report.departments) + 2]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["J"].width = 48

    reasons = book.create_sheet(REASONS_SHEET)
    reasons.append(list(REASONS_HEADER))
    for row in report.departments:
        for reason in row.reasons:
            reasons.append([text(row.name), text(reason.label), text(reason.code), reason.count])
    for reason in report.total.reasons:
        reasons.append([text(report.total.name), text(reason.label), text(reason.code), reason.count])
    for cell in reasons[1]:
        cell.font = Font(bold=True)
    reasons.column_dimensions["A"].width = 32
    reasons.column_dimensions["B"].width = 28
    reasons.column_dimensions["C"].width = 24

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
