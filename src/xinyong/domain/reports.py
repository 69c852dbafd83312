"""Credit reports (信用报告): what a report of each kind shows, its frozen snapshot, and verification.

A report is composed from a subject's records and the publication rules' decisions (``decide``): the
public report shows only what is ``PUBLIC``; the full report (authorised departments) shows
``RESTRICTED`` records too, never ``HIDDEN`` ones; the health-check report (信用体检报告) lists the
subject's negative records with when each leaves publication and whether it can be repaired. Whatever
is left out is counted by reason, and the report says so.

The content is a plain ``Document`` (cover, sections of key/value pairs and tables) that the HTML
templates and the PDF renderer both draw, so the two never disagree. Its canonical JSON is the frozen
snapshot; its SHA-256 is the snapshot digest. The *source digest* fingerprints the subject's records
(id, version, status) when the report was issued: when any record changes later (repaired, revoked,
corrected, added) the digest recomputed from current data differs and verification says "superseded".
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from xinyong.clock import CHINA
from xinyong.domain.catalogue import Catalogue, InfoClass, ItemRole
from xinyong.domain.identifiers import IdType
from xinyong.domain.masking import mask_identifier
from xinyong.domain.publication import Decision, PublicationKind, Visibility
from xinyong.domain.records import Classification, CreditRecord, RecordStatus
from xinyong.domain.subjects import Subject

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: people type these codes
CODE_LENGTH = 16
_PERSONAL_ROLES = {ItemRole.LEGAL_REP_CERT_NO, ItemRole.SUBJECT_CERT_NO}


class ReportKind(StrEnum):
    PUBLIC = "public"
    FULL = "full"
    HEALTH = "health"

    @property
    def label(self) -> str:
        return {"public": "公共信用信息报告（公开版）", "full": "公共信用信息报告（完整版，供授权部门使用）",
                "health": "信用体检报告"}[self.value]


class Verdict(StrEnum):
    AUTHENTIC = "authentic"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    ALTERED = "altered"
    NOT_FOUND = "not_found"

    @property
    def label(self) -> str:
        return {"authentic": "真实有效", "expired": "报告已过有效期", "revoked": "报告已被撤销",
                "superseded": "报告出具后主体的信用信息已发生变化，请重新申请报告",
                "altered": "文件内容与出具的报告不一致（已被篡改或不是本平台出具）",
                "not_found": "查无此报告"}[self.value]


# -- the printable document ------------------------------------------------------------------------

@dataclass
class Grid:
    headers: list[str]
    rows: list[list[str]]
    widths: list[int]  # relative column widths


@dataclass
class Section:
    title: str
    pairs: list[tuple[str, str]] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Document:
    title: str
    subject_name: str
    cover: list[tuple[str, str]]
    sections: list[Section]
    verify_url: str = ""
    code: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        sections = [Section(s["title"], [tuple(p) for p in s["pairs"]],  # type: ignore[misc]
                            [Grid(**g) for g in s["grids"]], list(s["notes"])) for s in data["sections"]]
        return cls(data["title"], data["subject_name"], [tuple(p) for p in data["cover"]],  # type: ignore[misc]
                   sections, data.get("verify_url", ""), data.get("code", ""))

    def texts(self) -> Iterable[str]:
        """Every string the document prints (the PDF embeds exactly the glyphs these need)."""
        yield from (self.title, self.subject_name, self.verify_url, self.code)
        for label, value in self.cover:
            yield label
            yield value
        for section in self.sections:
            yield section.title
            yield from section.notes
            for label, value in section.pairs:
                yield label
                yield value
            for grid in section.grids:
                yield from grid.headers
                for row in grid.rows:
                    yield from row


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def source_digest(subject: Subject, records: Iterable[CreditRecord]) -> str:
    """A fingerprint of the subject's records as they stand: any status change, new version or new
    record changes it."""
    lines = sorted(f"{r.id}:{r.version}:{r.status.value}:{r.superseded_by or ''}" for r in records)
    return sha256("\n".join([subject.name, *lines]).encode())


def format_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalise_code(raw: str) -> str:
    return "".join(c for c in raw.upper() if c.isalnum())


# -- composition -----------------------------------------------------------------------------------

def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _value(record: CreditRecord, info: InfoClass, code: str, catalogue: Catalogue) -> str:
    item = info.item(code)
    raw = record.core.get(item.column) if item.column else record.extra.get(item.code)
    if raw is None or raw == "":
        return ""
    if item.code_table and item.code_table in catalogue.code_tables:
        return catalogue.code_tables[item.code_table].label_of(str(raw))
    if item.role in _PERSONAL_ROLES or item.id_type is IdType.CITIZEN_ID:
        return mask_identifier(str(raw))
    return _text(raw)


def _category(record: CreditRecord, info: InfoClass, catalogue: Catalogue) -> str:
    item = next((i for i in info.items if i.column == "category"), None)
    return _value(record, info, item.code, catalogue) if item else ""


def _section_of(info: InfoClass, list_classes: Sequence[str]) -> str:
    if info.classification is Classification.GOOD:  # red list, A-grade taxpayers: good information
        return "good"
    if info.code in list_classes or info.publication_rule == PublicationKind.LIST:
        return "lists"
    if info.publication_rule == PublicationKind.PENALTY:
        return "penalties"
    if info.classification is Classification.LICENCE:
        return "licences"
    if info.code == "credit_commitment" or "承诺" in info.name:
        return "commitments"
    if info.classification is Classification.BASIC:
        return "basic"
    return "other"


SECTION_TITLES = {
    "basic": "一、基本信息", "licences": "二、行政许可信息", "penalties": "三、行政处罚信息",
    "lists": "四、名单信息", "commitments": "五、信用承诺信息", "good": "六、良好信息", "other": "七、其他信息",
}


def _shown(kind: ReportKind, decision: Decision) -> bool:
    if kind is ReportKind.PUBLIC:
        return decision.visibility is Visibility.PUBLIC
    return decision.visibility is not Visibility.HIDDEN


def compose(kind: ReportKind, subject: Subject, decided: Sequence[tuple[CreditRecord, Decision]],
            catalogue: Catalogue, list_classes: Sequence[str]) -> list[Section]:
    """The sections of a public or full report (the cover is added by ``cover_of``)."""
    groups: dict[str, list[tuple[CreditRecord, Decision, InfoClass]]] = {k: [] for k in SECTION_TITLES}
    omitted: Counter[str] = Counter()
    for record, decision in decided:
        info = catalogue.info_class(record.info_class)
        if info is None:
            continue
        if not _shown(kind, decision):
            omitted[decision.reasons[-1].message if decision.reasons else decision.visibility.label] += 1
            continue
        groups[_section_of(info, list_classes)].append((record, decision, info))
    sections = [_basic(subject, groups["basic"], catalogue)]
    for key in ("licences", "penalties", "lists", "commitments", "good", "other"):
        sections.append(_table(SECTION_TITLES[key], key, groups[key], catalogue, kind))
    sections.append(_omissions(kind, omitted))
    return sections


def _basic(subject: Subject, rows: list[tuple[CreditRecord, Decision, InfoClass]], catalogue: Catalogue) -> Section:
    pairs = [("主体名称", subject.name), ("主体类型", subject.subject_type.label),
             ("统一社会信用代码", subject.canonical.value)]
    section = Section(SECTION_TITLES["basic"], pairs=pairs)
    registration = [r for r in rows if r[2].code == "enterprise_registration"]
    if registration:
        record, _, info = registration[0]
        for item in info.items:
            if item.role in (ItemRole.SUBJECT_NAME, ItemRole.SUBJECT_ID):
                continue
            value = _value(record, info, item.code, catalogue)
            if value:
                section.pairs.append((item.label, value))
    else:
        section.notes.append("平台未归集到该主体的登记基本信息。")
    return section


_COLUMNS = {
    "penalties": (["决定书文号", "处罚类别与内容", "决定日期", "处罚机关", "公示截止"], [22, 34, 12, 20, 12]),
    "licences": (["许可文书号", "许可类别与内容", "决定日期", "有效期至", "许可机关"], [22, 34, 12, 12, 20]),
    "lists": (["名单", "列入事由", "列入日期", "有效期至", "认定机关"], [18, 36, 12, 12, 22]),
    "commitments": (["承诺编码", "承诺类型与内容", "作出日期", "有效期至", "受理单位"], [22, 34, 12, 12, 20]),
    "good": (["信息类", "内容", "日期", "有效期至", "认定机关"], [18, 36, 12, 12, 22]),
    "other": (["信息类", "内容", "日期", "有效期至", "认定机关"], [18, 36, 12, 12, 22]),
}


def _table(title: str, key: str, rows: list[tuple[CreditRecord, Decision, InfoClass]], catalogue: Catalogue,
           kind: ReportKind) -> Section:
    headers, widths = _COLUMNS[key]
    grid = Grid(list(headers), [], list(widths))
    if kind is ReportKind.FULL:
        grid.headers.append("公示状态")
        grid.widths.append(12)
    for record, decision, info in sorted(rows, key=lambda r: r[0].decision_date or date.min, reverse=True):
        core = record.core
        category = _category(record, info, catalogue)
        content = _text(core.get("content"))
        described = f"{category}：{content}" if category and content else (category or content)
        first = info.name if key in ("lists", "good", "other") else _text(core.get("doc_number"))
        until = decision.public_until if key == "penalties" else core.get("valid_to")
        row = [first, described, _text(core.get("decision_date")), _text(until), _text(core.get("authority_name"))]
        if key == "penalties":  # the penalty table names the authority before the end of publication
            row[3], row[4] = row[4], row[3]
        if kind is ReportKind.FULL:
            row.append(decision.visibility.label)
        grid.rows.append(row)
    section = Section(title, grids=[grid])
    if not rows:
        section.grids = []
        section.notes.append("无。")
    return section


def _omissions(kind: ReportKind, omitted: Counter[str]) -> Section:
    section = Section("八、未展示信息的说明")
    if kind is ReportKind.PUBLIC:
        section.notes.append("本报告为公开版，仅包含依据信用信息公示规则应当向社会公开的信息；"
                             "自然人信息、仅在部门间共享的信息和已停止公示的信息不在本报告中展示。")
    else:
        section.notes.append("本报告为完整版，供经授权的部门依法使用，包含仅在部门间共享的信息（已注明公示状态）；"
                             "已修复、已撤销、已更正或已届满停止公示的信息不在本报告中展示。")
    if omitted:
        for reason, count in sorted(omitted.items(), key=lambda item: (-item[1], item[0])):
            section.notes.append(f"{reason}：{count} 条")
    else:
        section.notes.append("本报告未省略该主体的任何信用记录。")
    return section


def health_sections(subject: Subject, decided: Sequence[tuple[CreditRecord, Decision]], catalogue: Catalogue,
                    today: date) -> list[Section]:
    """The health check: each negative record still shown or shared, when it leaves publication, and
    whether and from when it can be repaired (from the rules' decision)."""
    grid = Grid(["信息类", "文号", "决定日期", "公示状态", "公示截止", "可否修复", "最早可申请修复"],
                [], [14, 22, 12, 14, 12, 12, 14])
    for record, decision in decided:
        info = catalogue.info_class(record.info_class)
        if info is None or record.classification not in (Classification.WARNING, Classification.HINT):
            continue
        if decision.visibility is Visibility.HIDDEN:
            continue
        if decision.repairable is None:
            repair, since = "按名单退出规则办理", ""
        elif decision.repairable:
            repair = "可申请修复"
            since = _text(decision.repair_from)
            if decision.repair_from and decision.repair_from <= today:
                since += "（已满足最短公示期）"
        else:
            repair, since = "不可修复（特定严重失信）", ""
        until = decision.public_until or record.core.get("valid_to")
        grid.rows.append([info.name, _text(record.core.get("doc_number")), _text(record.decision_date),
                          decision.visibility.label, _text(until), repair, since])
    section = Section("一、需要关注的信用记录", grids=[grid] if grid.rows else [])
    if not grid.rows:
        section.notes.append("截至报告时点，平台未发现该主体正在公示或共享的失信、提示类记录。")
    advice = Section("二、信用修复指引", notes=[
        "公示期满的行政处罚信息将自动停止公示，无需申请。",
        "申请修复须已满最短公示期、已纠正失信行为、履行法定义务，并作出信用承诺；严重失信的还需参加信用修复培训并提交信用报告。",
        "特定严重失信行为的行政处罚信息在公示期内不予修复。",
    ])
    return [Section("基本信息", pairs=[("主体名称", subject.name), ("统一社会信用代码", subject.canonical.value)]),
            section, advice]


def cover_of(kind: ReportKind, number: str, issued_at: datetime, data_as_of: datetime, valid_until: date,
             issuer: str, code: str) -> list[tuple[str, str]]:
    def beijing(moment: datetime) -> str:
        return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")

    return [("报告编号", number), ("报告类型", kind.label), ("出具时间", beijing(issued_at)),
            ("数据截止时间", beijing(data_as_of)), ("有效期至", valid_until.isoformat()),
            ("出具机构", issuer), ("数字验证码", format_code(code))]


def verdict(status: str, valid_until: date, today: date, source_then: str, source_now: str,
            pdf_matches: bool | None) -> Verdict:
    """What verification says: altered bytes first, then revoked, superseded, expired, else authentic."""
    if pdf_matches is False:
        return Verdict.ALTERED
    if status == "revoked":
        return Verdict.REVOKED
    if source_then != source_now:
        return Verdict.SUPERSEDED
    if today > valid_until:
        return Verdict.EXPIRED
    return Verdict.AUTHENTIC


@dataclass(frozen=True)
class IdentityCheck:
    """The minimum identity proof of a self-service applicant: the legal representative's name and ID
    number against what the platform holds for the subject."""

    name_on_file: bool  # a registration record names a legal representative
    name_matches: bool
    id_on_file: bool  # some record carries the legal representative's ID number
    id_matches: bool

    @property
    def verified(self) -> bool:
        return self.name_on_file and self.name_matches and self.id_on_file and self.id_matches

    @property
    def contradicted(self) -> bool:
        return (self.name_on_file and not self.name_matches) or (self.id_on_file and not self.id_matches)

    def as_dict(self) -> dict[str, bool]:
        return {"name_on_file": self.name_on_file, "name_matches": self.name_matches, "id_on_file": self.id_on_file,
                "id_matches": self.id_matches, "verified": self.verified}

    @property
    def summary(self) -> str:
        if self.verified:
            return "法定代表人姓名和证件号码与平台记录一致"
        if self.contradicted:
            return "法定代表人信息与平台记录不一致"
        return "平台记录中缺少法定代表人" + ("证件号码" if self.name_on_file else "信息") + "，需人工核验身份"


def check_identity(records: Iterable[CreditRecord], catalogue: Catalogue, rep_name: str, rep_id: str) -> IdentityCheck:
    """Compare the applicant's legal representative with the subject's active records: the name with
    the registration record(s), the ID number with any record that carries one (e.g. 双公示 records)."""
    names: set[str] = set()
    ids: set[str] = set()
    for record in records:
        info = catalogue.info_class(record.info_class)
        if info is None or record.status is not RecordStatus.ACTIVE:
            continue
        for item in info.items:
            value = record.extra.get(item.code)
            if not value:
                continue
            if item.role is ItemRole.LEGAL_REP_NAME and info.classification is Classification.BASIC:
                names.add(str(value).strip())
            elif item.role is ItemRole.LEGAL_REP_CERT_NO:
                ids.add(str(value).strip().upper())
    return IdentityCheck(bool(names), rep_name.strip() in names, bool(ids), rep_id.strip().upper() in ids)
