"""The demo city (扬州市): departments, demo users, and generated subjects and records, bulk-written.

Runs on an initialised platform (schema, catalogue, administrators) that has no subjects yet. Subjects
and records are generated block by block (``demo.generate``) and written in one transaction per block,
so memory stays bounded whatever the size; one audit entry summarises the build.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, timedelta
from time import perf_counter

import numpy as np
from sqlalchemy import func, select

from xinyong.adapters import bulk
from xinyong.adapters.notifier import LogNotifier
from xinyong.adapters.passwords import new_password
from xinyong.adapters.tables import credit_record
from xinyong.bootstrap import Platform
from xinyong.clock import FixedClock
from xinyong.demo.city import CITY_CODE, CITY_NAME, DEPARTMENTS, Department
from xinyong.demo.generate import (
    Block,
    Plan,
    RecordBatch,
    SubjectBatch,
    blocks,
    default_records,
    generate_block,
    make_plan,
)
from xinyong.domain.accounts import Role, system_actor
from xinyong.domain.audit import AuditEvent
from xinyong.domain.commitments import Fulfilment
from xinyong.domain.objections import ObjectionOutcome
from xinyong.errors import ConfigurationError, Conflict, XinyongError
from xinyong.services import accounts, articles, commitments, lists, objections, publication, repairs
from xinyong.services.setup import Credentials
from xinyong.services.unit_of_work import UnitOfWork

DEMO_USERS = (
    ("operator", "信用办业务人员（示范）", Role.OPERATOR),
    ("reviewer", "信用审查人员（示范）", Role.REVIEWER),
)
SUBMITTING_DEPARTMENTS = 3
DEFER_INDEXES_FROM = 500_000  # records: from this size on, the record indexes are built after the load


@dataclass
class DemoSummary:
    subjects: int
    records: int
    departments: int
    users: list[Credentials] = field(default_factory=list)
    seconds: float = 0.0
    generation_seconds: float = 0.0
    write_seconds: float = 0.0
    records_by_class: dict[str, int] = field(default_factory=dict)
    rights_cases: dict[str, int] = field(default_factory=dict)  # "repair:executed" → count
    rights_records: int = 0  # records the rights workflows added (commitments, corrections, breaches)
    list_entries: int = 0
    list_proposals: int = 0

    @property
    def credentials(self) -> list[Credentials]:
        return self.users


def build_demo(platform: Platform, seed: int = 1, subjects: int = 20000, records: int | None = None,
               progress: Callable[[str], None] | None = None) -> DemoSummary:
    """Fill an empty platform with the demo city; the same seed, sizes and day build the same city."""
    started = perf_counter()
    say = progress or (lambda _message: None)
    if subjects < 1 or (records is not None and records < 0):
        raise ConfigurationError("主体数须至少为1，记录数不能为负", "subjects must be at least 1, records not negative")
    actor = system_actor("demo")
    with platform.uow(actor) as uow:
        if uow.subjects.counts_by_type():
            raise Conflict("平台已有信用主体，示范城市只能在空平台上生成",
                           "subjects already exist: the demo city is built on an empty platform only",
                           code="demo.not_empty")
        catalogue = platform.catalogue(uow)
        if not catalogue.classes:
            raise ConfigurationError("平台尚未初始化（没有信用信息目录），请先运行 xinyong init",
                                     "the platform is not initialised (no catalogue): run `xinyong init`")
        department_ids = []
        for department in DEPARTMENTS:
            existing = uow.accounts.department_by_uscc(department.uscc)
            department_ids.append(existing.id if existing else accounts.add_department(
                uow, department.uscc, department.name, department.division).id)
    plan = make_plan(catalogue)
    today = platform.clock.today()
    total = default_records(subjects) if records is None else records
    say(f"正在生成示范城市（{CITY_NAME}）：{subjects} 个主体，{total} 条记录，随机种子 {seed}")
    loading = bulk.deferred_indexes(platform.engine, credit_record) if total >= DEFER_INDEXES_FROM else nullcontext()
    with loading:
        generated, written, per_department, by_class, done_records = _write_city(
            platform, plan, seed, blocks(subjects, records), today, department_ids, say)
        indexing = perf_counter()
    written += perf_counter() - indexing  # building the record indexes again, when they were deferred
    users = _users(platform, [DEPARTMENTS[i] for i in np.argsort(-per_department, kind="stable")[
        :SUBMITTING_DEPARTMENTS]])
    with platform.uow(actor) as uow:
        say("正在按公示规则计算各条信息的公示期……")
        publication.refresh_publication(uow, catalogue, everything=True)
        articles.add_demo_articles(uow)
        uow.commit()
    with platform.uow(actor) as uow:  # list entries from the generated list records, and rule proposals
        entries = lists.sync_from_records(uow)["created"]
        proposals = sum(lists.propose_from_rules(uow).values())
    summary = DemoSummary(subjects=subjects, records=done_records, departments=len(DEPARTMENTS), users=users,
                          generation_seconds=generated, write_seconds=written, records_by_class=by_class,
                          list_entries=entries, list_proposals=proposals)
    summary.rights_cases, summary.rights_records = rights_demo(platform)
    summary.seconds = perf_counter() - started
    with platform.uow(actor) as uow:
        uow.audit(AuditEvent("demo.build", "platform", CITY_CODE, detail={
            "city": CITY_NAME, "seed": seed, "subjects": subjects, "records": done_records,
            "departments": len(DEPARTMENTS), "users": [u.username for u in users], "records_by_class": by_class,
            "list_entries": entries, "list_proposals": proposals,
            "seconds": round(summary.seconds, 1)}))
        uow.commit()
    return summary


def _generate(plan: Plan, seed: int, block: Block, today: date) -> tuple[SubjectBatch, RecordBatch, float]:
    tick = perf_counter()
    subject_batch, record_batch = generate_block(plan, seed, block, today)
    return subject_batch, record_batch, perf_counter() - tick


def _write_city(platform: Platform, plan: Plan, seed: int, city: list[Block], today: date, department_ids: list[int],
                say: Callable[[str], None]) -> tuple[float, float, np.ndarray, dict[str, int], int]:
    """Generate and write every block, one transaction each, generating the next block in a thread while
    the database works on the current one (both drivers release the GIL). Returns seconds generating,
    seconds writing, records per department, records per class, and the number of records."""
    generated = written = 0.0
    per_department = np.zeros(len(DEPARTMENTS), dtype=np.int64)
    by_class: dict[str, int] = {}
    done = 0
    at = platform.clock.now()
    total_subjects, total_records = sum(b.subjects for b in city), sum(b.records for b in city)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-generate") as pool:
        pending = pool.submit(_generate, plan, seed, city[0], today)
        for number, block in enumerate(city, start=1):
            subject_batch, record_batch, seconds = pending.result()
            if number < len(city):
                pending = pool.submit(_generate, plan, seed, city[number], today)
            generated += seconds
            tick = perf_counter()
            with platform.engine.begin() as connection:
                subject_ids = bulk.write_subjects(connection, subject_batch, at)
                bulk.write_records(connection, record_batch, subject_ids, department_ids)
            written += perf_counter() - tick
            per_department += np.bincount(record_batch.department, minlength=len(DEPARTMENTS))
            for code, count in zip(*np.unique(record_batch.info_class.astype(str), return_counts=True), strict=True):
                by_class[str(code)] = by_class.get(str(code), 0) + int(count)
            done += len(record_batch)
            if number == len(city) or number % max(1, len(city) // 10) == 0:
                say(f"  {block.first + block.subjects}/{total_subjects} 个主体，{done}/{total_records} 条记录")
    return generated, written, per_department, by_class, done


def _users(platform: Platform, submitting: list[Department]) -> list[Credentials]:
    """The demo's business users with fresh random passwords (returned once); existing users are kept."""
    wanted = [(username, display, role, None) for username, display, role in DEMO_USERS]
    wanted += [(f"{d.key}_submitter", f"{d.name}报送人员（示范）", Role.SUBMITTER, d.uscc) for d in submitting]
    created = []
    with platform.uow(system_actor("demo")) as uow:
        for username, display, role, department in wanted:
            if uow.accounts.user_by_name(username) is not None:
                continue
            password = new_password()
            accounts.add_user(uow, platform.passwords, username, display, password, department)
            accounts.set_roles(uow, username, {role})
            created.append(Credentials(username, password, role))
    return created


# -- subjects' rights: repair and objection cases in every state, commitments kept and broken -------------

REPAIR_PATHS: dict[str, tuple[str, ...]] = {  # final state → the steps after submission
    "submitted": (), "accepted": ("accept",), "refused": ("refuse",), "verified": ("accept", "confirm"),
    "approved": ("accept", "confirm", "approve"), "rejected": ("accept", "deny", "reject"),
    "executed": ("accept", "confirm", "approve", "execute"),
}
OVERDUE_PATHS: dict[str, tuple[str, ...]] = {"submitted": (), "accepted": ("accept",)}  # applied 3 weeks ago
OBJECTION_PATHS: dict[str, tuple[str, ...]] = {
    "submitted": (), "accepted": ("accept",), "refused": ("refuse",), "removed": ("accept", "removed"),
    "rejected": ("accept", "rejected"),
}
DEMO_MATERIALS = {"fulfilment_proof": "罚款缴纳凭证（示范）", "training_certificate": "信用修复培训证明（示范）",
                  "credit_report": "信用报告（示范）"}


def _record_count(platform: Platform) -> int:
    with platform.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(credit_record)).scalar_one())


def _repair_step(uow: UnitOfWork, rules: repairs.Rules, case_no: str, step: str) -> None:
    if step in ("accept", "refuse"):
        repairs.accept(uow, rules, case_no, step == "accept", "" if step == "accept" else "申请材料不齐全（示范）")
    elif step in ("confirm", "deny"):
        repairs.verify(uow, rules, case_no, step == "confirm", "已核实" if step == "confirm" else "罚款未缴清（示范）")
    elif step in ("approve", "reject"):
        repairs.decide(uow, rules, case_no, step == "approve", "" if step == "approve" else "部门核实未通过（示范）")
    else:
        repairs.execute(uow, rules, case_no, LogNotifier())


def _objection_step(uow: UnitOfWork, rules: repairs.Rules, case_no: str, step: str) -> None:
    if step in ("accept", "refuse"):
        objections.accept(uow, rules, case_no, step == "accept", "" if step == "accept" else "不属于异议范围（示范）")
    else:
        objections.resolve(uow, rules, case_no, ObjectionOutcome(step), "经信源部门核实（示范）")


def rights_demo(platform: Platform) -> tuple[dict[str, int], int]:
    """Repair and objection cases in each state on the city's own penalties (two repairs overdue), and
    three commitments signed online: one kept, one broken (filed as dishonest information), one running.
    Returns the cases by ``kind:status`` and the number of records the workflows added."""
    actor = system_actor("demo")
    before = _record_count(platform)
    made: dict[str, int] = {}
    with platform.uow(actor) as uow:
        rules = repairs.rules_of(platform, uow)
        penalties = []
        for record in uow.records.browse(info_class="administrative_penalty", limit=600):
            subject = uow.subjects.get(record.subject_id)
            if subject is not None and not subject.is_person:
                penalties.append((record, subject))
        eligible = [(r, s) for r, s in penalties if repairs.check_eligibility(uow, rules, r.id).eligible]
        public = [(r, s) for r, s in penalties
                  if (r, s) not in eligible and repairs.decision_of(uow, rules, r, s).is_public]
    earlier = FixedClock(platform.clock.now() - timedelta(days=21))
    plans = [(state, steps, platform.clock) for state, steps in REPAIR_PATHS.items()]
    plans += [(state, steps, earlier) for state, steps in OVERDUE_PATHS.items()]
    for state, steps, clock in plans:
        while eligible:
            record, subject = eligible.pop()
            with UnitOfWork(platform.engine, actor, clock) as uow:
                try:
                    case, _ = repairs.apply(uow, repairs.rules_of(platform, uow), record.id,
                                            subject_code=subject.canonical.value, applicant_name="经办人（示范）",
                                            applicant_contact="0514-87000000", materials=DEMO_MATERIALS,
                                            commitment="本单位已纠正失信行为，承诺今后依法诚信经营。")
                except XinyongError:
                    continue  # not eligible on the earlier day: try the next penalty
            with UnitOfWork(platform.engine, actor, clock) as uow:
                for step in steps:
                    _repair_step(uow, repairs.rules_of(platform, uow), case.case_no, step)
            made[f"repair:{state}"] = made.get(f"repair:{state}", 0) + 1
            break
    for state, steps in OBJECTION_PATHS.items():
        if not public:
            break
        with platform.uow(actor) as uow:
            rules = repairs.rules_of(platform, uow)
            case, _ = objections.file(uow, rules, public.pop()[0].id, reason_type="content_error",
                                      reason="处罚金额与决定书不一致（示范）", applicant_name="公众（示范）",
                                      applicant_contact="0514-87000001", is_subject=False)
            for step in steps:
                _objection_step(uow, rules, case.case_no, step)
        made[f"objection:{state}"] = made.get(f"objection:{state}", 0) + 1
    with platform.uow(actor) as uow:
        rules = repairs.rules_of(platform, uow)
        for number, (record, subject) in enumerate(penalties[:3]):
            unit = uow.accounts.department(record.department_id)
            assert unit is not None
            signed = commitments.sign(uow, rules, {
                "cn_crmc": subject.name, "cn_crlb": subject.subject_type.value, "cn_crdm": subject.canonical.value,
                "cn_lx": ("容缺受理型", "证明事项型", "审批替代型")[number], "cn_sy": "行政审批事项（示范）",
                "cn_nr": "承诺于30日内补交全部申请材料，所报信息真实有效。", "cn_wnzr": "自愿承担撤销审批结果等责任",
                "cn_sldwdm": unit.uscc, "cn_gklx": "可向社会公开"})
            if number == 0:
                commitments.record_fulfilment(uow, rules, signed.id, Fulfilment.FULFILLED)
            elif number == 1:
                commitments.record_fulfilment(uow, rules, signed.id, Fulfilment.UNFULFILLED,
                                              unfulfilled="逾期未补交材料（示范）", liability="撤销审批结果（示范）")
            made["commitment:signed"] = made.get("commitment:signed", 0) + 1
        # the generated (imported) commitments: 公开类型 applied, broken ones filed as dishonest information
        made["commitment:breach_imported"] = commitments.sync_imported(uow, rules).breaches_filed
    return made, _record_count(platform) - before
