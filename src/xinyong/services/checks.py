"""The check service (嵌入式应用): a business system asks, for a subject and a matter, which lists the
subject is on, which measures apply, and what to do; it later reports what it did (feedback).

Every check is stored with the answer given, in the same transaction: if the answer cannot be stored,
it is not given (the caller gets an error status, never a silent "none"). A database failure during a
check is reported as ``check.unavailable`` (503): the service never fails open.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from rapidfuzz import fuzz, process
from sqlalchemy.exc import SQLAlchemyError

from xinyong.adapters.check_store import CheckStore, StoreUnavailable
from xinyong.adapters.exports import write_csv
from xinyong.adapters.passwords import token_digest
from xinyong.adapters.repositories.accounts import token_and_user
from xinyong.adapters.repositories.audit import audit_rows
from xinyong.adapters.repositories.lists import ListRepository, subject_and_entries, summary_of
from xinyong.clock import Clock
from xinyong.domain.accounts import Actor, Permission
from xinyong.domain.audit import AuditEvent
from xinyong.domain.identifiers import (
    PERSONAL_ID_TYPES,
    IdType,
    check_identifier,
    guess_id_type,
    normalize,
    parse_id_type,
)
from xinyong.domain.lists import (
    ACTION_RANK,
    Action,
    Hit,
    ListEntry,
    Measure,
    MeasureBook,
    action_of,
    measure_dict,
    soften,
    strongest,
    suggest,
)
from xinyong.errors import FieldProblem, InvalidInput, NotFound, PermissionDenied, XinyongError
from xinyong.rules.lists_files import default_measure_book
from xinyong.services.accounts import token_actor
from xinyong.services.lists import book as full_book
from xinyong.services.unit_of_work import UnitOfWork

MAX_BATCH = 200_000
NAME_CUTOFF = 70.0  # rapidfuzz WRatio score below which a name is no candidate
NAME_CANDIDATES = 5
NAME_MISMATCH = 80.0
ACTION_VALUES = [a.value for a in Action]  # by rank, strongest first
PERSONAL_TYPE_VALUES = frozenset(t.value for t in PERSONAL_ID_TYPES)


class CheckUnavailable(XinyongError):
    def __init__(self) -> None:
        super().__init__("核查服务暂时无法作出答复，请稍后重试；在得到答复前不得视为无失信记录",
                         "the check service cannot answer now; do not treat this as a clear result",
                         code="check.unavailable", status=503)


class UnknownSubject(XinyongError):
    def __init__(self, identifier: str) -> None:
        super().__init__(f"平台没有该主体的信用档案：{identifier}（未在任何名单中）",
                         f"no subject with identifier {identifier} (on no list)", code="check.unknown_subject",
                         status=404)


@contextmanager
def fail_closed() -> Iterator[None]:
    try:
        yield
    except SQLAlchemyError as exc:
        raise CheckUnavailable() from exc


@dataclass(frozen=True, slots=True)
class SubjectQuery:
    identifier: str | None = None
    id_type: str | None = None
    name: str | None = None


def _parse(query: SubjectQuery, field: str) -> tuple[IdType, str] | FieldProblem | None:
    """(type, normalised value), ``None`` for a name-only query, or the problem with the input."""
    if query.identifier is None or not query.identifier.strip():
        if query.name and query.name.strip():
            return None
        return FieldProblem(field, "check.subject_missing", "请提供主体的证件号码或名称",
                            "give the subject's identifier or name")
    if query.id_type:
        try:
            id_type = parse_id_type(query.id_type)
        except InvalidInput as exc:
            return FieldProblem(f"{field}.id_type", exc.code, exc.message, exc.message_en)
    else:
        guessed = guess_id_type(query.identifier)
        if guessed is None:
            return FieldProblem(f"{field}.identifier", "identifier.unrecognised",
                                "无法识别的证件号码（不是有效的统一社会信用代码或公民身份号码，请核对或注明证件类型）",
                                "not a valid USCC or citizen ID: check it or give id_type")
        id_type = guessed
    value, problem = check_identifier(id_type, query.identifier, f"{field}.identifier")
    return problem if problem is not None else (id_type, value)


class _Book:
    """The measure book and, per list code, the measures for the matter (computed once per check). The
    book with the lists an administrator defined (``custom``) is read only for a hit on one of them."""

    def __init__(self, matter: str, on: date, custom: Callable[[], MeasureBook]) -> None:
        self.custom, self.base, self.on = custom, default_measure_book(), on
        self.matter = self.base.matter(matter)
        self.full: MeasureBook | None = None
        self.by_list: dict[str, tuple[Measure, ...]] = {}

    def measures(self, code: str) -> tuple[Measure, ...]:
        if code not in self.by_list:
            self.by_list[code] = tuple(self.base.measures_for([code], self.matter.code, self.on))
        return self.by_list[code]

    def hit(self, entry: ListEntry) -> Hit:
        code = entry.list_code
        if code not in self.base.lists and self.full is None:
            self.full = self.custom()
        source = self.base if code in self.base.lists else self.full
        assert source is not None
        return Hit(entry, source.list_def(code), self.measures(code))


def _hit_dict(hit: Hit, records: list[dict[str, Any]] | list[int]) -> dict[str, Any]:
    e = hit.entry
    return {"entry_id": e.id, "list": e.list_code, "list_name": hit.list_def.name, "kind": hit.list_def.kind.value,
            "reason": e.reason, "legal_basis": e.legal_basis, "authority": e.authority_name,
            "doc_number": e.doc_number, "entry_date": e.entry_date.isoformat(),
            "valid_to": e.valid_to.isoformat() if e.valid_to else None,
            "measures": [measure_dict(m) for m in hit.measures], "records": records}


def _require(actor: Actor) -> None:
    if not actor.can(Permission.CHECKS_RUN):
        raise PermissionDenied("访问令牌或账号没有联合奖惩核查权限（需要 checks:run）",
                               "the token or account lacks the checks:run scope", code="permission.scope")


def _book(uow: UnitOfWork, matter: str, on: date) -> _Book:
    return _Book(matter, on, lambda: full_book(uow))


def check(uow: UnitOfWork, matter: str, query: SubjectQuery) -> dict[str, Any]:
    """One subject, one matter: the answer, stored before it is returned (``check_id`` replays it)."""
    _require(uow.actor)
    with fail_closed():
        return _check(uow, matter, query)


def _check(uow: UnitOfWork, matter: str, query: SubjectQuery) -> dict[str, Any]:
    today = uow.clock.today()
    books = _book(uow, matter, today)
    parsed = _parse(query, "subject")
    if isinstance(parsed, FieldProblem):
        raise InvalidInput.from_problems([parsed])
    lists = ListRepository(uow.connection)
    if parsed is None:
        answer = _by_name(uow, lists, books, query.name or "", today)
        check_id = _store(uow, books, _stored_query(query), None, answer, Action(answer["action"]), 0)
        return _single(check_id, books, answer)
    brief, entries = lists.subject_with_entries(parsed[0].value, parsed[1], today)
    if brief is None:
        _store(uow, books, _stored_query(query), None, _UNKNOWN, Action.NONE, 0)
        raise UnknownSubject(parsed[1])
    answer, event = _identified(books, query, parsed[0], brief, entries, _summaries(lists, entries))
    if event is not None:
        uow.audit(event)
    check_id = _store(uow, books, _stored_query(query), brief["id"], answer, Action(answer["action"]),
                      len(answer["hits"]))
    return _single(check_id, books, answer)


_UNKNOWN: dict[str, Any] = {"error": "check.unknown_subject"}


async def check_by_token(store: CheckStore, clock: Clock, secret: str, ip: str | None, request_id: str | None,
                         matter: str, query: SubjectQuery, caller: Callable[[Actor], None]) -> dict[str, Any] | None:
    """``check`` for a caller with a bearer token, on the event loop (PostgreSQL's ``CheckStore``): the same
    answer, stored the same way, for about a third of the CPU. ``caller`` is told who is asking as soon as
    the token is read. ``None`` when the check must take the general way instead: a name-only query (the
    name pool and fuzzy matching), or a hit on a list an administrator defined (its measures are read from
    the database)."""
    parsed = _lookup_key(query)
    if parsed is None:
        return None
    today, now = clock.today(), clock.now()
    key = (parsed[0].value, parsed[1]) if isinstance(parsed, tuple) else None
    try:
        async with store.session() as session:
            tokens, rows, records = await session.caller_and_subject(token_digest(secret), key, today)
            actor, touch = token_actor(token_and_user(tokens), now, ip, request_id)
            caller(actor)
            _require(actor)
            books = _Book(matter, today, _no_custom_book)
            if isinstance(parsed, FieldProblem):
                raise InvalidInput.from_problems([parsed])
            brief, entries = subject_and_entries(rows)
            if any(e.list_code not in books.base.lists for e in entries):
                return None
        touched = (actor.token_id, now) if touch and actor.token_id is not None else None
        if brief is None:
            checked = _parse(query, "subject")
            if isinstance(checked, FieldProblem):
                raise InvalidInput.from_problems([checked])
            await store.store(_check_row(books, actor, now, _stored_query(query), None, _UNKNOWN, Action.NONE, 0),
                              [], touched)
            raise UnknownSubject(parsed[1])
        summaries = {row["id"]: summary_of(row) for row in records}
        answer, event = _identified(books, query, parsed[0], brief, entries, summaries)
        check_id = await store.store(
            _check_row(books, actor, now, _stored_query(query), brief["id"], answer, Action(answer["action"]),
                       len(answer["hits"])),
            audit_rows(actor, [event], now) if event is not None else [], touched)
    except StoreUnavailable as exc:
        raise CheckUnavailable() from exc
    return _single(check_id, books, answer)


def _lookup_key(query: SubjectQuery) -> tuple[IdType, str] | FieldProblem | None:
    """What to look a single check's subject up by. With its type given, the identifier is only normalised:
    a stored identifier was validated when it was collected, so a found one needs no second check, and
    only a miss is validated (``_parse``), to tell a malformed identifier from an unknown subject."""
    if query.id_type and query.identifier and normalize(query.identifier):
        with suppress(InvalidInput):
            return parse_id_type(query.id_type), normalize(query.identifier)
    return _parse(query, "subject")


def _no_custom_book() -> MeasureBook:
    raise AssertionError("check_by_token leaves hits on custom lists to the general way")


def _stored_query(query: SubjectQuery) -> dict[str, Any]:
    return {"identifier": query.identifier, "id_type": query.id_type, "name": query.name}


def _single(check_id: int, books: _Book, answer: dict[str, Any]) -> dict[str, Any]:
    return {"check_id": check_id, "matter": books.matter.code, "matter_name": books.matter.name,
            "on": books.on.isoformat(), **answer}


def _summaries(lists: ListRepository, entries: list[ListEntry]) -> dict[int, dict[str, Any]]:
    wanted = [(e.subject_id, r) for e in entries for r in e.records()]
    return lists.record_summaries(wanted) if wanted else {}


def _identified(books: _Book, query: SubjectQuery, id_type: IdType, brief: dict[str, Any], entries: list[ListEntry],
                summaries: Mapping[int, dict[str, Any]]) -> tuple[dict[str, Any], AuditEvent | None]:
    """The answer for a subject found by its identifier, and the audit event a check of a person is."""
    answer = _answer(books, brief, entries, summaries)
    if query.name and answer["subject"]:
        score = fuzz.WRatio(query.name.strip(), answer["subject"]["name"])
        answer["name_score"] = round(score, 1)
        answer["name_matches"] = score >= NAME_MISMATCH
    event = None
    if id_type in PERSONAL_ID_TYPES:
        event = AuditEvent("check.person", "subject", brief["id"], personal=True, detail={"matter": books.matter.code})
    return answer, event


def _by_subject(lists: ListRepository, books: _Book, subject_id: int, on: date) -> dict[str, Any]:
    return _answer(books, lists.subject_brief(subject_id), lists.in_force_of_subject(subject_id, on), {})


def _answer(books: _Book, brief: dict[str, Any] | None, entries: list[ListEntry],
            summaries: Mapping[int, dict[str, Any]]) -> dict[str, Any]:
    """Lists hit, measures for the matter, suggested action; the records behind each hit as summarised
    (none when ``summaries`` is empty: name candidates and batch items show only record ids)."""
    hits = [books.hit(e) for e in entries]
    subject_id = brief["id"] if brief else None
    return {"subject": {"id": subject_id, "name": brief["name"], "type": brief["subject_type"],
                        "id_type": brief["canonical_id_type"], "identifier": brief["canonical_id"]} if brief else None,
            "action": suggest(hits).value,
            "hits": [_hit_dict(h, [summaries[r] for r in h.entry.records() if r in summaries]) for h in hits]}


_NAME_POOLS: dict[tuple[str, date, int], list[tuple[int, str]]] = {}


def _name_pool(lists: ListRepository, on: date) -> list[tuple[int, str]]:
    """Subjects on a list that day, kept per process until any entry changes (every change writes a
    list event) or the day turns; loading them is the slow part of a name check at a million entries."""
    key = (str(lists.connection.engine.url), on, lists.last_event_id())
    if key not in _NAME_POOLS:
        _NAME_POOLS.clear()
        _NAME_POOLS[key] = lists.listed_names(on)
    return _NAME_POOLS[key]


def _by_name(uow: UnitOfWork, lists: ListRepository, books: _Book, name: str, on: date) -> dict[str, Any]:
    """Candidates by name: subjects on a list in force whose names resemble the query, and subjects with
    exactly this name; never more than a prompt, because a name alone identifies nobody."""
    wanted = name.strip()
    pool = _name_pool(lists, on)
    scored: dict[int, float] = {}
    for _, score, index in process.extract(wanted, [n for _, n in pool], scorer=fuzz.WRatio,
                                           limit=NAME_CANDIDATES, score_cutoff=NAME_CUTOFF):
        scored[pool[index][0]] = max(score, scored.get(pool[index][0], 0.0))
    for subject_id, _ in lists.subjects_named(wanted):
        scored[subject_id] = 100.0
    candidates = []
    best = Action.NONE
    for subject_id, score in sorted(scored.items(), key=lambda item: -item[1])[:NAME_CANDIDATES]:
        found = _by_subject(lists, books, subject_id, on)
        candidates.append({"score": round(score, 1), **found, "action": soften(Action(found["action"])).value})
        best = strongest((best, soften(Action(found["action"]))))
    if any((c["subject"] or {}).get("type") == "person" for c in candidates):
        uow.audit(AuditEvent("check.name", "subject", None, personal=True, detail={"name": wanted}))
    return {"subject": None, "fuzzy": True, "needs_verification": bool(candidates), "action": best.value,
            "hits": [], "candidates": candidates}


def _store(uow: UnitOfWork, books: _Book, query: Any, subject_id: int | None, answer: dict[str, Any],
           action: Action, hits: int, kind: str = "single", subjects: int = 1) -> int:
    check_id = ListRepository(uow.connection).add_check(
        _check_row(books, uow.actor, uow.clock.now(), query, subject_id, answer, action, hits, kind, subjects))
    uow.commit()
    return check_id


def _check_row(books: _Book, actor: Actor, at: datetime, query: Any, subject_id: int | None, answer: dict[str, Any],
               action: Action, hits: int, kind: str = "single", subjects: int = 1) -> dict[str, Any]:
    """A check as stored: who asked, when, for what matter, the query and the answer given."""
    return {"at": at, "on_date": books.on, "actor_name": actor.name, "token_id": actor.token_id,
            "department_id": actor.department_id, "matter": books.matter.code, "kind": kind, "subject_id": subject_id,
            "subjects": subjects, "hits": hits, "action": action.value, "query": query, "answer": answer}


def check_batch(uow: UnitOfWork, matter: str, queries: list[SubjectQuery]) -> dict[str, Any]:
    """Many subjects, one matter, one stored answer. An item with a malformed identifier or an unknown
    subject gets its own error; the other items are answered all the same."""
    _require(uow.actor)
    if not queries:
        raise InvalidInput("批量核查至少需要一个主体", "a batch needs at least one subject", code="check.empty")
    if len(queries) > MAX_BATCH:
        raise InvalidInput(f"单次批量核查最多 {MAX_BATCH} 个主体", f"at most {MAX_BATCH} subjects per batch",
                           code="check.too_many")
    with fail_closed():
        return _check_batch(uow, matter, queries)


_USCC_OR_CITIZEN = (IdType.USCC.value, IdType.CITIZEN_ID.value)
_USCC = (IdType.USCC.value,)
_REGISTRATION = (IdType.REGISTRATION_NO.value,)
_ORGANISATION = (IdType.ORGANISATION_CODE.value,)


def _shape_types(value: str) -> tuple[str, ...]:
    """Identifier types a normalised value may be, by its shape alone (cheap: no check characters)."""
    if len(value) == 18:
        if value[:17].isdigit() and (value[17].isdigit() or value[17] == "X"):
            return _USCC_OR_CITIZEN
        return _USCC
    if len(value) == 15 and value.isdigit():
        return _REGISTRATION
    if len(value) == 9:
        return _ORGANISATION
    return ()


def _check_batch(uow: UnitOfWork, matter: str, queries: list[SubjectQuery]) -> dict[str, Any]:
    """Look every identifier up first (a stored identifier was validated when it was collected, so a
    hit needs no second check), then validate only the misses, to tell a malformed identifier from an
    unknown subject. The lists' actions for the matter are computed once per list, not per subject."""
    today = uow.clock.today()
    books = _book(uow, matter, today)
    lists = ListRepository(uow.connection)
    types: dict[str, tuple[str, ...]] = {}  # a given id_type → its value (none when unknown)
    wanted: list[tuple[tuple[str, str], ...] | None] = []
    for query in queries:
        identifier = query.identifier
        if identifier is None or not identifier.strip():
            wanted.append(None)
            continue
        value = normalize(identifier)
        if query.id_type:
            candidates = types.get(query.id_type)
            if candidates is None:
                try:
                    candidates = types[query.id_type] = (parse_id_type(query.id_type).value,)
                except InvalidInput:
                    candidates = types[query.id_type] = ()
        else:
            candidates = _shape_types(value)
        wanted.append(tuple((t, value) for t in candidates))
    keys = list(dict.fromkeys(k for w in wanted if w for k in w))
    found: dict[tuple[str, str], tuple[int, list[tuple[Any, ...]]]] = {}
    for id_type, value, subject_id, *entry in lists.batch_entries(keys, today):
        hits = found.setdefault((id_type, value), (subject_id, []))[1]
        if entry[0] is not None:
            hits.append(tuple(entry))
    per_list: dict[str, tuple[int, list[str]]] = {}
    items: list[dict[str, Any]] = []
    counts = {a.value: 0 for a in Action}
    errors = hits_total = 0
    none_rank = ACTION_RANK[Action.NONE]
    for n, (query, keys_of) in enumerate(zip(queries, wanted, strict=True)):
        match = None
        for key in keys_of or ():
            match = found.get(key)
            if match is not None:
                break
        if match is None:
            item = _batch_miss(uow, lists, books, query, n, today)
            if "error" in item:
                errors += 1
            else:
                counts[item["action"]] += 1
            items.append(item)
            continue
        subject_id, entries = match
        rank = none_rank
        item = {"n": n, "subject_id": subject_id}
        if entries:
            hits_total += 1
            shown = []
            for entry_id, list_code, valid_to, record_id, evidence in entries:
                if list_code not in per_list:
                    measures = books.measures(list_code)
                    per_list[list_code] = (ACTION_RANK[action_of(measures)], [m.code for m in measures])
                list_rank, codes = per_list[list_code]
                rank = min(rank, list_rank)
                shown.append({"entry_id": entry_id, "list": list_code,
                              "valid_to": valid_to.isoformat() if valid_to else None, "measures": codes,
                              "records": [record_id] if record_id is not None else list(evidence or [])})
            item["hits"] = shown
        action = ACTION_VALUES[rank]
        item["action"] = action
        counts[action] += 1
        items.append(item)
    summary = {"subjects": len(queries), "errors": errors, "actions": counts}
    if any(k[0] in PERSONAL_TYPE_VALUES for k in found):
        uow.audit(AuditEvent("check.batch_persons", "check", None, personal=True, detail={"matter": matter}))
    overall = strongest(Action(a) for a, c in counts.items() if c)
    check_id = _store(uow, books, {"subjects": len(queries)}, None, {"summary": summary, "items": items},
                      overall, hits_total, kind="batch", subjects=len(queries))
    return {"check_id": check_id, "matter": books.matter.code, "on": today.isoformat(), "summary": summary,
            "items": items}


def _batch_miss(uow: UnitOfWork, lists: ListRepository, books: _Book, query: SubjectQuery, n: int,
                today: date) -> dict[str, Any]:
    """An item whose identifier named no stored subject: malformed, unknown, or a name-only query."""
    parsed = _parse(query, f"subjects[{n}]")
    if isinstance(parsed, FieldProblem):
        return {"n": n, "error": parsed.as_dict()}
    if parsed is None:
        return {"n": n, **_by_name(uow, lists, books, query.name or "", today)}
    subject_id = uow.subjects.id_by_identifier(*parsed)
    if subject_id is not None:  # a type the shape did not suggest (e.g. a passport number)
        answer = _by_subject(lists, books, subject_id, today)
        return {"n": n, "subject_id": subject_id, "action": answer["action"],
                **({"hits": [{"entry_id": h["entry_id"], "list": h["list"], "valid_to": h["valid_to"],
                              "measures": [m["code"] for m in h["measures"]], "records": h["records"]}
                             for h in answer["hits"]]} if answer["hits"] else {})}
    return {"n": n, "error": {"code": "check.unknown_subject", "message": "平台没有该主体的信用档案",
                              "message_en": "no such subject (on no list)"}}


def naive_batch(uow: UnitOfWork, matter: str, queries: list[SubjectQuery]) -> int:
    """The baseline the benchmark compares with: one single check (and its queries) per subject, not
    stored. Returns the number of subjects with a hit."""
    _require(uow.actor)
    today = uow.clock.today()
    books = _book(uow, matter, today)
    lists = ListRepository(uow.connection)
    hit = 0
    for query in queries:
        parsed = _parse(query, "subject")
        if not isinstance(parsed, tuple):
            continue
        subject_id = uow.subjects.id_by_identifier(*parsed)
        if subject_id is not None:
            hit += bool([books.hit(e) for e in lists.in_force_of_subject(subject_id, today)])
    return hit


def get_check(uow: UnitOfWork, check_id: int) -> dict[str, Any]:
    """A stored check as it was answered (replay): query, answer, day, who asked, and its feedback."""
    found = ListRepository(uow.connection).check(check_id)
    if found is None:
        raise NotFound("核查记录", "check", check_id)
    if not uow.actor.can(Permission.CHECKS_READ):
        _require(uow.actor)
        if found["department_id"] != uow.actor.department_id or (found["department_id"] is None and \
                found["actor_name"] != uow.actor.name):
            raise PermissionDenied("只能查看本部门的核查记录", "you may only read your department's checks",
                                   code="permission.department")
    found["feedback"] = ListRepository(uow.connection).feedback_of(check_id)
    return found


def feedback(uow: UnitOfWork, check_id: int, applied: bool, measure_code: str | None = None,
             subject_id: int | None = None, amount: str | float | None = None, note: str | None = None) -> int:
    """What the business system did after a check (实施 → 反馈): measure applied or not, amount, note."""
    _require(uow.actor)
    lists = ListRepository(uow.connection)
    found = lists.check(check_id)
    if found is None:
        raise NotFound("核查记录", "check", check_id)
    if uow.actor.via != "cli" and (found["department_id"] != uow.actor.department_id
                                   or (found["department_id"] is None and found["actor_name"] != uow.actor.name)):
        raise PermissionDenied("只能反馈本部门发起的核查", "feedback only on your department's checks",
                               code="permission.department")
    subject = subject_id if subject_id is not None else found["subject_id"]
    if measure_code is not None and measure_code not in _measures_in(found["answer"], subject):
        raise InvalidInput(f"该次核查的答复中没有措施 {measure_code}", f"measure {measure_code} was not in the answer",
                           code="feedback.measure", field="measure_code")
    value = None
    if amount not in (None, ""):
        try:
            value = Decimal(str(amount))
        except InvalidOperation:
            raise InvalidInput("金额格式错误", "amount is not a number", code="feedback.amount",
                               field="amount") from None
    feedback_id = lists.add_feedback({
        "check_id": check_id, "subject_id": subject, "measure_code": measure_code, "applied": applied,
        "amount": value, "note": (note or "")[:2000] or None, "department_id": uow.actor.department_id,
        "at": uow.clock.now(), "actor_name": uow.actor.name})
    uow.audit(AuditEvent("check.feedback", "check", check_id, detail={"measure": measure_code, "applied": applied}))
    uow.commit()
    return feedback_id


def _measures_in(answer: dict[str, Any], subject_id: int | None) -> set[str]:
    codes: set[str] = set()
    for hit in answer.get("hits", []):
        codes.update(m["code"] for m in hit["measures"])
    for item in answer.get("items", []):
        if subject_id is None or item.get("subject_id") == subject_id:
            for hit in item.get("hits", []):
                codes.update(hit["measures"])
    return codes


def _period(date_from: date | None, date_to: date | None, today: date) -> tuple[datetime, datetime]:
    start = date_from or today.replace(day=1)
    end = (date_to or today) + timedelta(days=1)
    if end <= start:
        raise InvalidInput("结束日期不能早于开始日期", "date_to is before date_from", code="stats.period")
    china = timedelta(hours=8)
    return (datetime.combine(start, time(), UTC) - china, datetime.combine(end, time(), UTC) - china)


def statistics(uow: UnitOfWork, date_from: date | None = None, date_to: date | None = None) -> dict[str, Any]:
    """Checks per department, matter and action; feedback per department and measure; entries per list."""
    uow.actor.require(Permission.CHECKS_READ)
    since, until = _period(date_from, date_to, uow.clock.today())
    lists = ListRepository(uow.connection)
    return {"from": (since + timedelta(hours=8)).date().isoformat(),
            "to": (until + timedelta(hours=8) - timedelta(days=1)).date().isoformat(),
            "checks": lists.check_stats(since, until), "feedback": lists.feedback_stats(since, until),
            "lists": lists.counts(uow.clock.today()), "deliveries": lists.delivery_counts()}


CASE_HEADER = ("核查编号", "核查时间", "部门", "事项", "建议", "主体名称", "证件号码", "命中名单", "措施", "反馈措施",
               "是否实施", "金额", "说明", "反馈时间")


def export_cases(uow: UnitOfWork, stream: IO[str], date_from: date | None = None, date_to: date | None = None,
                 limit: int = 100_000) -> int:
    """The loop's cases as CSV (UTF-8 BOM, formula cells neutralised): checks with a hit and their feedback."""
    uow.actor.require(Permission.CHECKS_READ)
    since, until = _period(date_from, date_to, uow.clock.today())
    rows = ListRepository(uow.connection).cases(since, until, limit)
    matters = full_book(uow).matters

    def lines() -> Iterator[list[object]]:
        for r in rows:
            answer, subject = r["answer"], r["answer"].get("subject") or {}
            yield [r["id"], r["at"].astimezone(UTC).isoformat(timespec="seconds"), r["department"],
                   matters[r["matter"]].name if r["matter"] in matters else r["matter"], Action(r["action"]).label,
                   subject.get("name"), subject.get("identifier"),
                   "；".join(h["list_name"] for h in answer.get("hits", [])),
                   "；".join(m["code"] for h in answer.get("hits", []) for m in h["measures"]),
                   r["measure_code"], "" if r["applied"] is None else ("是" if r["applied"] else "否"),
                   r["amount"], r["note"], r["feedback_at"].isoformat(timespec="seconds") if r["feedback_at"] else ""]

    write_csv(stream, CASE_HEADER, lines())
    uow.audit(AuditEvent("check.export", "check", None, personal=True, detail={"rows": len(rows)}))
    uow.commit()
    return len(rows)


def recent(uow: UnitOfWork, limit: int = 50) -> list[dict[str, Any]]:
    uow.actor.require(Permission.CHECKS_READ)
    return ListRepository(uow.connection).recent_checks(limit)
