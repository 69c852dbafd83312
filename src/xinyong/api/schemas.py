"""Response and request models of the JSON API, separate from the domain model."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from xinyong.adapters.repositories.accounts import Department, Token, User
from xinyong.domain.records import CreditRecord
from xinyong.domain.subjects import Subject


class ErrorBody(BaseModel):
    code: str
    message: str
    message_en: str
    field: str | None = None
    problems: list[dict[str, str]] | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (401, 403, 404, 409, 422)
}


class IdentifierOut(BaseModel):
    id_type: str
    value: str


class NameOut(BaseModel):
    name: str
    valid_from: date
    valid_to: date | None


class SubjectOut(BaseModel):
    id: int
    subject_type: str
    subject_type_label: str
    canonical_id_type: str
    canonical_id: str
    name: str
    division_code: str | None
    identifiers: list[IdentifierOut]
    names: list[NameOut]

    @classmethod
    def of(cls, s: Subject) -> SubjectOut:
        return cls(
            id=s.id, subject_type=s.subject_type.value, subject_type_label=s.subject_type.label,
            canonical_id_type=s.canonical.id_type.value, canonical_id=s.canonical.value, name=s.name,
            division_code=s.division_code,
            identifiers=[IdentifierOut(id_type=i.id_type.value, value=i.value) for i in s.identifiers],
            names=[NameOut(name=n.name, valid_from=n.valid_from, valid_to=n.valid_to) for n in s.names],
        )


class SubjectSummary(BaseModel):
    id: int
    subject_type: str
    canonical_id_type: str
    canonical_id: str
    name: str
    division_code: str | None


class ProvenanceOut(BaseModel):
    channel: str
    received_at: datetime
    batch_id: int | None
    source_row: int | None
    source_key: str | None
    submitter_id: int | None


class RecordOut(BaseModel):
    id: int
    root_id: int
    version: int
    subject_id: int
    info_class: str
    classification: str
    department_id: int
    status: str
    sharing: str
    openness: str
    superseded_by: int | None
    doc_number: str | None = None
    decision_date: date | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    category: str | None = None
    amount: Decimal | None = None
    authority_name: str | None = None
    authority_uscc: str | None = None
    content: str | None = None
    extra: dict[str, Any]
    provenance: ProvenanceOut

    @classmethod
    def of(cls, r: CreditRecord) -> RecordOut:
        p = r.provenance
        return cls(
            id=r.id, root_id=r.root_id or r.id, version=r.version, subject_id=r.subject_id, info_class=r.info_class,
            classification=r.classification.value, department_id=r.department_id, status=r.status.value,
            sharing=r.sharing.value, openness=r.openness.value, superseded_by=r.superseded_by, **r.core,
            extra=r.extra,
            provenance=ProvenanceOut(channel=p.channel, received_at=p.received_at, batch_id=p.batch_id,
                                     source_row=p.source_row, source_key=p.source_key, submitter_id=p.submitter_id),
        )


class RecordDetail(BaseModel):
    record: RecordOut
    versions: list[RecordOut]
    events: list[dict[str, Any]]


class RecordIn(BaseModel):
    info_class: str = Field(description="catalogue info class code, e.g. administrative_penalty")
    values: dict[str, Any] = Field(description="item code → value, as the catalogue defines the class")
    department_uscc: str | None = Field(default=None, description="defaults to the submitter's own department")
    source_key: str | None = Field(default=None, max_length=128)


class SubmitOut(BaseModel):
    outcome: str
    subject_created: bool
    record: RecordOut


class StatusIn(BaseModel):
    status: str
    reason: str


class DepartmentIn(BaseModel):
    uscc: str
    name: str
    division_code: str | None = None


class DepartmentOut(BaseModel):
    id: int
    uscc: str
    name: str
    division_code: str | None
    active: bool

    @classmethod
    def of(cls, d: Department) -> DepartmentOut:
        return cls(**d.__dict__)


class UserIn(BaseModel):
    username: str
    display_name: str = ""
    password: str
    department_uscc: str | None = None


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    department_id: int | None
    active: bool
    roles: list[str]

    @classmethod
    def of(cls, u: User) -> UserOut:
        return cls(id=u.id, username=u.username, display_name=u.display_name, department_id=u.department_id,
                   active=u.active, roles=sorted(u.roles))


class RolesIn(BaseModel):
    roles: list[str]


class ActiveIn(BaseModel):
    active: bool


class TokenIn(BaseModel):
    username: str
    name: str = "api"
    scopes: list[str]
    days: int = 90


class TokenOut(BaseModel):
    id: int
    user_id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    created_by: str
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, t: Token) -> TokenOut:
        return cls(**{**t.__dict__, "scopes": sorted(t.scopes)})


class IssuedToken(BaseModel):
    token: str = Field(description="shown once; only its hash is kept")
    info: TokenOut


class AuditEntry(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    via: str
    token_id: int | None
    ip: str | None
    request_id: str | None
    action: str
    object_type: str | None
    object_id: str | None
    personal: bool
    detail: dict[str, Any] | None


class AuditPage(BaseModel):
    total: int
    entries: list[AuditEntry]
