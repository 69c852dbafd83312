"""Credit reports: issuing (public, full, health check), verifying, revoking, and the self-service flow
(apply with the USCC and the legal representative's ID, review or automatic approval, notice, download)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from xinyong.adapters.notifiers import Notifier
from xinyong.adapters.pdf import render_pdf
from xinyong.adapters.repositories.reports import ReportRepository
from xinyong.bootstrap import Platform
from xinyong.domain import reports as rules
from xinyong.domain.accounts import Permission
from xinyong.domain.audit import AuditEvent
from xinyong.domain.identifiers import IdType, check_citizen_id, check_uscc
from xinyong.domain.masking import mask_identifier
from xinyong.domain.reports import Document, ReportKind, Verdict
from xinyong.domain.review import ReviewRules
from xinyong.domain.subjects import Subject
from xinyong.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinyong.rules.review_files import default_review_rules
from xinyong.services import notify
from xinyong.services.publication import decisions
from xinyong.services.unit_of_work import UnitOfWork

CHANNELS = {"email": "电子邮件", "sms": "短信"}
CONTACT_PATTERNS = {"email": re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}"), "sms": re.compile(r"1\d{10}")}


@dataclass
class Verification:
    verdict: Verdict
    report: dict[str, Any] | None = None
    pdf_sha256: str | None = None  # of the file that was checked, when one was

    @property
    def authentic(self) -> bool:
        return self.verdict is Verdict.AUTHENTIC


def review_rules() -> ReviewRules:
    return default_review_rules()


def _organisation(uow: UnitOfWork, subject_id: int) -> Subject:
    subject = uow.subjects.get(subject_id)
    if subject is None or subject.is_person:
        # Natural persons' reports are not issued here; saying "forbidden" would confirm the person.
        raise NotFound("信用主体", "subject", subject_id)
    return subject


def issue(uow: UnitOfWork, platform: Platform, subject_id: int, kind: ReportKind, base_url: str | None = None,
          application_id: int | None = None) -> dict[str, Any]:
    """Issue a report now (an operator; the full report needs ``reports:full``)."""
    uow.actor.require(Permission.REPORTS_FULL if kind is ReportKind.FULL else Permission.REPORTS_ISSUE)
    report = _issue(uow, platform, _organisation(uow, subject_id), kind, base_url, application_id)
    uow.commit()
    return report


def _issue(uow: UnitOfWork, platform: Platform, subject: Subject, kind: ReportKind, base_url: str | None,
           application_id: int | None) -> dict[str, Any]:
    repo = ReportRepository(uow.connection)
    config = review_rules()
    catalogue = platform.catalogue(uow)
    records = uow.records.for_subject(subject.id)
    today, now = uow.clock.today(), uow.clock.now()
    decided = decisions(catalogue, platform.publication, records, subject.is_person, today)
    report_id = repo.new_report_id()
    number = f"XYBG{today:%Y%m%d}{report_id:07d}"
    code = "".join(secrets.choice(rules.CODE_ALPHABET) for _ in range(rules.CODE_LENGTH))
    valid_until = today + timedelta(days=config.report.validity_days)
    data_as_of = max((r.provenance.received_at for r in records), default=now)
    url = f"{(base_url or config.report.verify_base_url).rstrip('/')}/verify/{code}"
    if kind is ReportKind.HEALTH:
        sections = rules.health_sections(subject, decided, catalogue, today)
    else:
        sections = rules.compose(kind, subject, decided, catalogue, config.list_classes)
    cover = rules.cover_of(kind, number, now, data_as_of, valid_until, config.report.issuer, code)
    document = Document(kind.label, subject.name, cover, sections, url, rules.format_code(code))
    snapshot = {"document": document.as_json(), "subject_id": subject.id, "kind": kind.value,
                "record_ids": sorted(r.id for r in records)}
    pdf = render_pdf(document, f"报告编号 {number}")
    row = {
        "id": report_id, "number": number, "code": code, "kind": kind.value, "subject_id": subject.id,
        "subject_name": subject.name, "issued_at": now, "data_as_of": data_as_of, "valid_until": valid_until,
        "issued_by": uow.actor.name, "issuer": config.report.issuer, "snapshot": snapshot,
        "snapshot_sha256": rules.sha256(rules.canonical_json(snapshot)),
        "source_sha256": rules.source_digest(subject, records), "pdf": pdf,
        "pdf_sha256": rules.sha256(pdf), "status": "issued", "application_id": application_id,
    }
    repo.add_report(row)
    uow.audit(AuditEvent("report.issue", "report", report_id, detail={
        "number": number, "kind": kind.value, "subject_id": subject.id, "pdf_sha256": row["pdf_sha256"]}))
    return row


def verify(uow: UnitOfWork, platform: Platform, raw_code: str, pdf: bytes | None = None) -> Verification:
    """Anyone may verify a report by its code (and, optionally, the PDF file they were handed)."""
    row = ReportRepository(uow.connection).report_by_code(rules.normalise_code(raw_code))
    digest = rules.sha256(pdf) if pdf is not None else None
    if row is None:
        return Verification(Verdict.NOT_FOUND, None, digest)
    return _verdict(uow, row, digest)


def verify_file(uow: UnitOfWork, pdf: bytes) -> Verification:
    """Verify a PDF file alone: its SHA-256 must be the one published for an issued report."""
    digest = rules.sha256(pdf)
    row = ReportRepository(uow.connection).report_by_pdf_digest(digest)
    if row is None:
        return Verification(Verdict.ALTERED, None, digest)
    return _verdict(uow, row, digest)


def _verdict(uow: UnitOfWork, row: dict[str, Any], digest: str | None) -> Verification:
    subject = uow.subjects.get(row["subject_id"])
    now_digest = rules.source_digest(subject, uow.records.for_subject(subject.id)) if subject else ""
    verdict = rules.verdict(row["status"], row["valid_until"], uow.clock.today(), row["source_sha256"], now_digest,
                            None if digest is None else digest == row["pdf_sha256"])
    public = {k: v for k, v in row.items() if k not in ("pdf", "snapshot", "code")}
    return Verification(verdict, public, digest)


def revoke(uow: UnitOfWork, report_id: int, reason: str) -> None:
    uow.actor.require(Permission.REPORTS_ISSUE)
    repo = ReportRepository(uow.connection)
    row = repo.report(report_id)
    if row is None:
        raise NotFound("信用报告", "report", report_id)
    if row["status"] == "revoked":
        raise Conflict("报告已撤销", "the report is already revoked", code="report.revoked")
    if not reason.strip():
        raise InvalidInput("必须说明撤销原因", "a reason is required", code="report.reason", field="reason")
    repo.revoke_report(report_id, uow.clock.now(), reason.strip())
    uow.audit(AuditEvent("report.revoke", "report", report_id, detail={"reason": reason.strip()}))
    uow.commit()


def get_report(uow: UnitOfWork, report_id: int) -> dict[str, Any]:
    """A report with its PDF, for the console (full reports need ``reports:full``)."""
    if not (uow.actor.can(Permission.REPORTS_ISSUE) or uow.actor.can(Permission.REPORTS_FULL)):
        uow.actor.require(Permission.REPORTS_ISSUE)
    row = ReportRepository(uow.connection).report(report_id)
    if row is None or (row["kind"] == ReportKind.FULL and not uow.actor.can(Permission.REPORTS_FULL)):
        raise NotFound("信用报告", "report", report_id)
    uow.audit(AuditEvent("report.read", "report", report_id, detail={"kind": row["kind"]}))
    uow.commit()
    return row


def list_reports(uow: UnitOfWork, subject_id: int | None = None) -> list[dict[str, Any]]:
    uow.actor.require(Permission.REPORTS_ISSUE)
    return ReportRepository(uow.connection).reports(subject_id)


# -- self-service ----------------------------------------------------------------------------------

def _access_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def apply(uow: UnitOfWork, platform: Platform, notifier: Notifier, *, uscc: str, rep_name: str, rep_id: str,
          channel: str, contact: str, kind: ReportKind = ReportKind.PUBLIC, purpose: str = "",
          base_url: str | None = None) -> tuple[dict[str, Any], str]:
    """A subject applies for its own report. Returns the application and the secret access token (the
    applicant's only key to the status page and the download)."""
    if kind is ReportKind.FULL:
        raise InvalidInput("企业只能申请公开版信用报告或信用体检报告", "self-service covers public and health reports",
                           code="report.kind", field="kind")
    code, problem = check_uscc(uscc)
    id_number, id_problem = check_citizen_id(rep_id, "rep_id")
    problems = [p for p in (problem, id_problem) if p]
    if not rep_name.strip():
        raise InvalidInput("请填写法定代表人姓名", "the legal representative's name is required", field="rep_name",
                           code="report.rep_name")
    contact = contact.strip()
    if channel not in CHANNELS or not CONTACT_PATTERNS[channel].fullmatch(contact):
        raise InvalidInput("请选择通知方式，并填写有效的电子邮箱或11位手机号码",
                           "choose a channel and give a valid e-mail address or 11-digit mobile number",
                           code="report.contact", field="contact")
    if problems:
        raise InvalidInput.from_problems(problems)
    subject_id = uow.subjects.id_by_identifier(IdType.USCC, code)
    if subject_id is None:
        raise NotFound("统一社会信用代码对应的主体", "subject with USCC", code)
    subject = _organisation(uow, subject_id)
    check = rules.check_identity(uow.records.for_subject(subject_id), platform.catalogue(uow), rep_name, id_number)
    if check.contradicted:
        uow.audit(AuditEvent("report.apply_refused", "subject", subject_id, detail={"check": check.as_dict()}))
        uow.commit()
        raise PermissionDenied("身份核验未通过：法定代表人信息与登记信息不一致", "identity check failed",
                               code="report.identity")
    token = secrets.token_urlsafe(24)
    repo = ReportRepository(uow.connection)
    application_id = repo.add_application({
        "subject_id": subject_id, "kind": kind.value, "applicant_name": rep_name.strip(),
        "legal_rep_id_masked": mask_identifier(id_number), "contact_channel": channel, "contact": contact,
        "purpose": purpose.strip()[:200] or None, "identity_check": check.as_dict(), "status": "pending",
        "access_hash": _access_hash(token), "created_at": uow.clock.now()})
    uow.audit(AuditEvent("report.apply", "report_application", application_id,
                         detail={"subject_id": subject_id, "kind": kind.value, "verified": check.verified}))
    if check.verified and review_rules().report.auto_approve_verified:
        _approve(uow, platform, notifier, application_id, subject, kind, base_url, "身份核验通过，自动批准")
    else:
        notify.notify(uow, notifier, channel, contact, "信用报告申请已受理",
                      f"{subject.name}的{kind.label}申请已受理，{check.summary}，请等待审核。", application_id)
    uow.commit()
    found = repo.application(application_id)
    assert found is not None
    return found, token


def _approve(uow: UnitOfWork, platform: Platform, notifier: Notifier, application_id: int, subject: Subject,
             kind: ReportKind, base_url: str | None, reason: str) -> None:
    repo = ReportRepository(uow.connection)
    report = _issue(uow, platform, subject, kind, base_url, application_id)
    repo.decide_application(application_id, status="issued", decided_at=uow.clock.now(), decided_by=uow.actor.name,
                            decision_reason=reason, report_id=report["id"])
    application = repo.application(application_id)
    assert application is not None
    notify.notify(uow, notifier, application["contact_channel"], application["contact"], "信用报告已出具",
                  f"{subject.name}的{kind.label}（编号 {report['number']}）已出具，请凭申请时取得的查询链接下载。",
                  application_id)


def decide(uow: UnitOfWork, platform: Platform, notifier: Notifier, application_id: int, approve: bool,
           reason: str, base_url: str | None = None) -> dict[str, Any]:
    """An operator approves (the report is issued at once) or rejects a pending application."""
    uow.actor.require(Permission.REPORTS_ISSUE)
    repo = ReportRepository(uow.connection)
    application = repo.application(application_id)
    if application is None:
        raise NotFound("报告申请", "application", application_id)
    if application["status"] != "pending":
        raise Conflict("该申请已办结", "the application was already decided", code="report.decided")
    if approve:
        subject = _organisation(uow, application["subject_id"])
        _approve(uow, platform, notifier, application_id, subject, ReportKind(application["kind"]), base_url,
                 reason.strip() or "人工审核通过")
    else:
        if not reason.strip():
            raise InvalidInput("驳回须说明原因", "a reason is required to reject", code="report.reason", field="reason")
        repo.decide_application(application_id, status="rejected", decided_at=uow.clock.now(),
                                decided_by=uow.actor.name, decision_reason=reason.strip())
        notify.notify(uow, notifier, application["contact_channel"], application["contact"], "信用报告申请未通过",
                      f"您的信用报告申请未通过审核：{reason.strip()}", application_id)
    uow.audit(AuditEvent("report.decide", "report_application", application_id,
                         detail={"approve": approve, "reason": reason.strip()}))
    uow.commit()
    found = repo.application(application_id)
    assert found is not None
    return found


def pending_applications(uow: UnitOfWork, status: str | None = "pending") -> list[dict[str, Any]]:
    uow.actor.require(Permission.REPORTS_ISSUE)
    return ReportRepository(uow.connection).applications(status or None)


def application_messages(uow: UnitOfWork, application_id: int | None = None) -> list[dict[str, Any]]:
    uow.actor.require(Permission.REPORTS_ISSUE)
    return ReportRepository(uow.connection).messages(application_id)


def application_by_token(uow: UnitOfWork, token: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The applicant's view: their application and, once issued, the report (with its PDF)."""
    repo = ReportRepository(uow.connection)
    application = repo.application_by_access(_access_hash(token)) if token else None
    if application is None:
        raise NotFound("报告申请", "application", "…")
    report = repo.report(application["report_id"]) if application["report_id"] else None
    return application, report
