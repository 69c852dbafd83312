"""Credit subjects (信用主体): who a record is about."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from xinyong.domain.identifiers import IdType


class SubjectType(StrEnum):
    ENTERPRISE = "enterprise"
    INDIVIDUAL_BUSINESS = "individual_business"
    PERSON = "person"
    INSTITUTION = "institution"
    SOCIAL_ORGANISATION = "social_organisation"
    GOVERNMENT = "government"

    @property
    def label(self) -> str:
        return SUBJECT_TYPE_LABELS[self]

    @property
    def is_person(self) -> bool:
        return self is SubjectType.PERSON


SUBJECT_TYPE_LABELS: dict[SubjectType, str] = {
    SubjectType.ENTERPRISE: "法人和非法人组织",
    SubjectType.INDIVIDUAL_BUSINESS: "个体工商户",
    SubjectType.PERSON: "自然人",
    SubjectType.INSTITUTION: "事业单位",
    SubjectType.SOCIAL_ORGANISATION: "社会组织",
    SubjectType.GOVERNMENT: "政府机构",
}

# 行政相对人类别 in the 2021 双公示 layout.
SUBJECT_TYPE_BY_LABEL: dict[str, SubjectType] = {label: t for t, label in SUBJECT_TYPE_LABELS.items()} | {
    "法人及非法人组织": SubjectType.ENTERPRISE,
    "企业": SubjectType.ENTERPRISE,
}

# USCC position 1 (registration authority) and 2 (category), GB 32100-2015 appendix.
USCC_CATEGORY_TYPES: dict[str, SubjectType] = {
    "11": SubjectType.GOVERNMENT,
    "12": SubjectType.INSTITUTION,
    "13": SubjectType.SOCIAL_ORGANISATION,
    "19": SubjectType.INSTITUTION,
    "51": SubjectType.SOCIAL_ORGANISATION,
    "52": SubjectType.SOCIAL_ORGANISATION,
    "53": SubjectType.SOCIAL_ORGANISATION,
    "59": SubjectType.SOCIAL_ORGANISATION,
    "91": SubjectType.ENTERPRISE,
    "92": SubjectType.INDIVIDUAL_BUSINESS,
    "93": SubjectType.ENTERPRISE,
}


def subject_type_from_uscc(code: str) -> SubjectType:
    """The subject type a (valid) USCC's registration authority and category say it has."""
    return USCC_CATEGORY_TYPES.get(code[:2], SubjectType.ENTERPRISE)


def division_of(identifier: Identifier) -> str | None:
    """The administrative division an identifier names: USCC positions 3–8, a citizen ID's area code."""
    if identifier.id_type is IdType.USCC:
        return identifier.value[2:8]
    if identifier.id_type is IdType.CITIZEN_ID:
        return identifier.value[:6]
    return None


def canonical_id_type(subject_type: SubjectType) -> IdType:
    return IdType.CITIZEN_ID if subject_type.is_person else IdType.USCC


@dataclass(frozen=True)
class Identifier:
    id_type: IdType
    value: str


@dataclass(frozen=True)
class NameChange:
    name: str
    valid_from: date
    valid_to: date | None = None


@dataclass
class Subject:
    id: int
    subject_type: SubjectType
    canonical: Identifier
    name: str
    division_code: str | None = None
    identifiers: list[Identifier] = field(default_factory=list)
    names: list[NameChange] = field(default_factory=list)

    @property
    def is_person(self) -> bool:
        return self.subject_type.is_person
