"""Subjects: linking records to them, reading them (reads of persons are audited), export."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from xinyong.domain.accounts import Permission
from xinyong.domain.audit import AuditEvent
from xinyong.domain.identifiers import guess_id_type, normalize, parse_id_type, validate_identifier
from xinyong.domain.linking import SubjectClaim
from xinyong.domain.subjects import Subject, SubjectType, division_of
from xinyong.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinyong.services.unit_of_work import UnitOfWork


def link(uow: UnitOfWork, claim: SubjectClaim, since: date, source: str | None) -> tuple[int, bool]:
    """The subject a claim names, created when unknown; a new name goes into its name history.

    Returns ``(subject_id, created)``. Identifiers the subject did not have yet are added, unless another
    subject already holds one of them (then the claim is contradictory and refused).
    """
    found: set[int] = set()
    for identifier in claim.all_identifiers:
        subject_id = uow.subjects.id_by_identifier(identifier.id_type, identifier.value)
        if subject_id is not None:
            found.add(subject_id)
    if len(found) > 1:
        raise Conflict("记录中的多个代码分属不同主体，请核对", "the record's identifiers belong to different subjects",
                       code="link.conflict")
    now = uow.clock.now()
    if not found:
        canonical = claim.canonical or claim.others[0]
        others = [i for i in claim.all_identifiers if i != canonical]
        return uow.subjects.add(claim.subject_type, canonical, claim.name, division_of(canonical), others, since, now,
                                source), True
    subject_id = found.pop()
    for identifier in claim.all_identifiers:
        if uow.subjects.id_by_identifier(identifier.id_type, identifier.value) is None:
            uow.subjects.add_identifier(subject_id, identifier)
    current = uow.subjects.get(subject_id)
    if current is not None and claim.name and claim.name != current.name:
        uow.subjects.rename(subject_id, claim.name, since, now, source)
    return subject_id, False


def id_of(uow: UnitOfWork, identifier: str, id_type: str | None = None, field: str = "identifier") -> int:
    """The subject an identifier names (its type given, or guessed from its shape), validated first; a
    clear error when it is malformed or names no subject on the platform."""
    kind = parse_id_type(id_type) if id_type else guess_id_type(identifier)
    if kind is None:
        raise InvalidInput("无法识别的证件号码，请注明证件类型", "unrecognised identifier: give id_type",
                           code="identifier.unrecognised", field=field)
    value = validate_identifier(kind, identifier, field)
    subject_id = uow.subjects.id_by_identifier(kind, value)
    if subject_id is None:
        raise NotFound("信用主体", "subject", value)
    return subject_id


def get_subject(uow: UnitOfWork, subject_id: int) -> Subject:
    uow.actor.require(Permission.SUBJECTS_READ)
    subject = uow.subjects.get(subject_id)
    if subject is None:
        raise NotFound("信用主体", "subject", subject_id)
    if subject.is_person:
        if not uow.actor.can(Permission.PERSONAL_READ):
            raise PermissionDenied("无权查看自然人信息", "reading natural persons' data is not permitted",
                                   code="permission.personal")
        uow.audit(AuditEvent("subject.read", "subject", subject_id, personal=True))
        uow.commit()
    return subject


def search(uow: UnitOfWork, text: str, types: list[SubjectType] | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """By part of a name or by an identifier; persons only for those allowed to read personal data."""
    uow.actor.require(Permission.SUBJECTS_READ)
    text = text.strip()
    if not text:
        return []
    if guess_id_type(text) is not None:
        text = normalize(text)
    allowed = types or list(SubjectType)
    if not uow.actor.can(Permission.PERSONAL_READ):
        allowed = [t for t in allowed if not t.is_person]
    rows = uow.subjects.search(text, allowed, limit)
    persons = [r["id"] for r in rows if r["subject_type"] == SubjectType.PERSON.value]
    if persons:
        uow.audit(AuditEvent("subject.search", "subject", None, personal=True,
                             detail={"query": text, "person_ids": persons}))
        uow.commit()
    return rows


def public_search(uow: UnitOfWork, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """The portal's search: organisations and individual businesses only, never natural persons."""
    text = text.strip()
    if not text:
        return []
    if guess_id_type(text) is not None:
        text = normalize(text)
    return uow.subjects.search(text, [t for t in SubjectType if not t.is_person], limit)


def export_rows(uow: UnitOfWork) -> Iterator[dict[str, Any]]:
    """Every subject with its identifiers, one dict per subject (personal data: administrators only)."""
    uow.actor.require(Permission.PERSONAL_READ)
    uow.actor.require(Permission.SUBJECTS_READ)
    uow.audit(AuditEvent("subject.export", "subject", None, personal=True))
    uow.commit()
    for row, identifiers in uow.subjects.iter_with_identifiers():
        yield {**row, "identifiers": identifiers}


def counts(uow: UnitOfWork) -> dict[str, int]:
    return uow.subjects.counts_by_type()
