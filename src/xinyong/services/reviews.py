"""Batch credit review (信用审查): a department uploads a list for a matter and gets, per subject, the
hits (lists, penalties in the look-back window, other warning information), the names a person must
resolve, summary statistics, and the review as PDF and XLSX. Each review is kept with its inputs and
answers."""

from __future__ import annotations

import hashlib
import io
from collections import Counter
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from xinyong.adapters.exports import safe_cell
from xinyong.adapters.pdf import render_pdf
from xinyong.adapters.repositories.reports import ReportRepository, ReviewLookups
from xinyong.adapters.tabular import open_table
from xinyong.bootstrap import Platform
from xinyong.domain import review as rules
from xinyong.domain.accounts import Permission
from xinyong.domain.audit import AuditEvent
from xinyong.domain.mapping import header_key
from xinyong.domain.records import CreditRecord
from xinyong.domain.reports import Document, Grid, Section
from xinyong.domain.review import Candidate, Hit, Match, MatchStatus, ReviewInput
from xinyong.errors import NotFound
from xinyong.services.publication import decisions
from xinyong.services.reports import review_rules
from xinyong.services.unit_of_work import UnitOfWork

FUZZY_CUTOFF = 80.0
FUZZY_LIMIT = 3
_KNOWN_HEADERS = {header_key(h) for h in (*rules.NAME_HEADERS, *rules.USCC_HEADERS, "序号", "备注")}


def read_list(path: Path, max_bytes: int) -> list[ReviewInput]:
    """The uploaded list (CSV in UTF-8/GBK/GB18030 or XLSX), read by the collection's file reader."""
    with open_table(path, _KNOWN_HEADERS.__contains__, max_bytes) as table:
        rows: list[tuple[int, list[str | None]]] = []
        width = len(table.headers)
        for frame in table.batches():
            columns = [frame.get_column(f"c{i}").to_list() for i in range(width)]
            for index, number in enumerate(frame.get_column("row").to_list()):
                rows.append((number, [column[index] for column in columns]))
        return rules.parse_inputs(table.headers, rows)


def _fuzzy(lookups: ReviewLookups) -> Any:
    loaded: dict[str, Any] = {}

    def candidates(name: str) -> list[Candidate]:
        if "names" not in loaded:  # only when a name matched nothing exactly
            loaded["names"], loaded["ids"] = lookups.organisation_names()
        found = process.extract(name, loaded["names"], scorer=fuzz.ratio, limit=FUZZY_LIMIT,
                                score_cutoff=FUZZY_CUTOFF)
        return [Candidate(loaded["ids"][i], text, round(score, 1)) for text, score, i in found]

    return candidates


def review(uow: UnitOfWork, platform: Platform, matter_code: str, inputs: list[ReviewInput], title: str = "",
           filename: str | None = None, file_sha256: str | None = None) -> dict[str, Any]:
    """Review ``inputs`` for the matter now; the review is stored and returned."""
    uow.actor.require(Permission.REVIEW)
    matter = review_rules().matter(matter_code)
    lookups = ReviewLookups(uow.connection)
    usccs = sorted({i.uscc for i in inputs if i.uscc and not i.problem})
    by_uscc = lookups.subjects_by_uscc(usccs)
    unresolved = sorted({i.name for i in inputs if i.name and not (i.uscc and i.uscc in by_uscc)})
    by_name = lookups.organisations_by_name(unresolved)
    names = {sid: name for sid, name in by_uscc.values()} | {sid: n for n, ids in by_name.items() for sid in ids}
    matches = rules.match_inputs(inputs, by_uscc, by_name, names, _fuzzy(lookups))
    subject_ids = sorted({m.subject_id for m in matches if m.subject_id is not None})
    hits = _hits(uow, platform, matter, subject_ids)
    summary = rules.summarise(matches, hits)
    today = uow.clock.today()
    row = {
        "matter": matter.code, "matter_name": matter.name, "title": title.strip()[:200] or f"{matter.name}信用审查",
        "created_at": uow.clock.now(), "created_by": uow.actor.name, "department_id": uow.actor.department_id,
        "window_from": matter.window_from(today), "as_of": today, "filename": filename, "file_sha256": file_sha256,
        "inputs": [{"row": i.row, "name": i.name, "uscc": i.uscc, "problem": i.problem} for i in inputs],
        "results": [_result(m, hits) for m in matches], "summary": summary.as_dict(),
    }
    review_id = ReportRepository(uow.connection).add_review(row)
    uow.audit(AuditEvent("review.run", "review", review_id, detail={
        "matter": matter.code, "rows": summary.rows, "matched": summary.matched, "file_sha256": file_sha256}))
    uow.commit()
    return {"id": review_id, **row}


def review_file(uow: UnitOfWork, platform: Platform, matter_code: str, path: Path, filename: str | None,
                title: str = "") -> dict[str, Any]:
    uow.actor.require(Permission.REVIEW)
    inputs = read_list(path, platform.settings.max_upload_mb * 2**20)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return review(uow, platform, matter_code, inputs, title, filename, digest)


def _hits(uow: UnitOfWork, platform: Platform, matter: rules.Matter, subject_ids: list[int]) -> dict[int, list[Hit]]:
    catalogue = platform.catalogue(uow)
    today = uow.clock.today()
    by_subject: dict[int, list[CreditRecord]] = {}
    for record in ReviewLookups(uow.connection).records_of(subject_ids, matter.classes):
        by_subject.setdefault(record.subject_id, []).append(record)
    class_names = {code: info.name for code, info in catalogue.classes.items()}
    return {sid: rules.hits_of(matter, decisions(catalogue, platform.publication, found, False, today),
                               class_names, today)
            for sid, found in by_subject.items()}


def _result(match: Match, hits: dict[int, list[Hit]]) -> dict[str, Any]:
    found = hits.get(match.subject_id, []) if match.subject_id is not None else []
    return {"row": match.input.row, "name": match.input.name, "uscc": match.input.uscc,
            "status": match.status.value, "subject_id": match.subject_id, "subject_name": match.subject_name,
            "by": match.by, "note": match.note,
            "candidates": [{"subject_id": c.subject_id, "name": c.name, "score": c.score} for c in match.candidates],
            "hits": [h.as_dict() for h in found]}


def get_review(uow: UnitOfWork, review_id: int) -> dict[str, Any]:
    uow.actor.require(Permission.REVIEW)
    row = ReportRepository(uow.connection).review(review_id)
    # A department's reviewer sees the department's own reviews only.
    if row is None or (uow.actor.department_id is not None and row["department_id"] not in (None,
                                                                                            uow.actor.department_id)):
        raise NotFound("审查记录", "review", review_id)
    uow.audit(AuditEvent("review.read", "review", review_id))
    uow.commit()
    return row


def list_reviews(uow: UnitOfWork) -> list[dict[str, Any]]:
    uow.actor.require(Permission.REVIEW)
    return ReportRepository(uow.connection).reviews(uow.actor.department_id)


# -- outputs ---------------------------------------------------------------------------------------

def _hit_text(hits: list[dict[str, Any]]) -> str:
    """Every hit with its document number and date (the XLSX)."""
    return "；".join(f"{h['class_name']} {h['doc_number']} {h['decision_date'] or ''}".strip() for h in hits)


def _hit_counts(hits: list[dict[str, Any]]) -> str:
    """Hits counted by class (the PDF: short cells keep a 10,000-row review printable in seconds)."""
    counts = Counter(h["class_name"] for h in hits)
    return "、".join(f"{name} {count} 条" for name, count in counts.items())


def review_document(row: dict[str, Any]) -> Document:
    s = row["summary"]
    cover = [("审查编号", str(row["id"])), ("审查事项", row["matter_name"]), ("审查时间", str(row["as_of"])),
             ("回溯期间", f"{row['window_from']} 至 {row['as_of']}"), ("名单文件", row["filename"] or "（接口提交）"),
             ("审查人", row["created_by"])]
    stats = Section("一、统计", pairs=[
        ("名单行数", str(s["rows"])), ("已匹配行数", str(s["matched"])), ("涉及主体", str(s["subjects"])),
        ("需人工确认", str(s["ambiguous"])),
        ("未找到", str(s["unmatched"])), ("有记录的主体", str(s["with_hits"])),
        ("有失信记录的主体", f"{s['with_negative']}（占涉及主体的 {s['negative_share']}%）")])
    hit_rows = [[str(r["row"]), r["subject_name"] or r["name"], r["uscc"] or "", _hit_counts(r["hits"])]
                for r in row["results"] if r["hits"]]
    hits = Section("二、审查发现")
    if hit_rows:
        hits.grids.append(Grid(["行号", "主体名称", "统一社会信用代码", "记录（明细见 Excel）"], hit_rows,
                               [8, 30, 22, 40]))
    else:
        hits.notes.append("名单中已匹配的主体在回溯期间内均无相关记录。")
    open_rows = [[str(r["row"]), r["name"], r["uscc"] or "", MatchStatus(r["status"]).label,
                  "、".join(f"{c['name']}（{c['score']}）" for c in r["candidates"]) or (r["note"] or "")]
                 for r in row["results"] if r["status"] != "matched"]
    pending = Section("三、需人工确认的名称")
    if open_rows:
        pending.grids.append(Grid(["行号", "名单名称", "代码", "结果", "候选主体"], open_rows, [8, 24, 20, 16, 32]))
    else:
        pending.notes.append("名单中的名称均已准确匹配。")
    return Document("信用审查报告", row["title"], cover, [stats, hits, pending])


def review_pdf(row: dict[str, Any]) -> bytes:
    return render_pdf(review_document(row), f"信用审查 {row['id']}")


def review_xlsx(row: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("审查结果")
    sheet.append(["行号", "名单名称", "统一社会信用代码", "匹配结果", "匹配主体", "说明", "记录数", "失信记录",
                  "记录明细"])
    for r in row["results"]:
        sheet.append([safe_cell(v) for v in (
            r["row"], r["name"], r["uscc"] or "", MatchStatus(r["status"]).label, r["subject_name"] or "",
            r["note"] or "、".join(c["name"] for c in r["candidates"]), len(r["hits"]),
            "是" if any(h["negative"] for h in r["hits"]) else "否", _hit_text(r["hits"]))])
    stats = book.create_sheet("统计")
    for key, value in row["summary"].items():
        stats.append([safe_cell(key), safe_cell(value)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
