"""Which subject a validated record is about (主体名下归结果): pure rules, no look-ups.

An organisation is named by its USCC (the ``subject_id`` item), or failing that by a legacy code
(``subject_other_id`` items: 工商注册号, 组织机构代码…); other identifiers in a record, such as the
deciding authority's USCC, never name the subject.
a natural person by a certificate (证件类型 + 证件号码). The subject type comes from the record's
行政相对人类别, or the class's only subject type, or the USCC's registration category.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xinyong.domain.catalogue import InfoClass, ItemRole
from xinyong.domain.identifiers import IdType, parse_id_type
from xinyong.domain.subjects import Identifier, SubjectType, subject_type_from_uscc
from xinyong.errors import FieldProblem


@dataclass(frozen=True)
class SubjectClaim:
    subject_type: SubjectType
    name: str
    canonical: Identifier | None
    others: tuple[Identifier, ...] = field(default=())

    @property
    def all_identifiers(self) -> tuple[Identifier, ...]:
        return ((self.canonical,) if self.canonical else ()) + self.others


def claim_subject(info: InfoClass, values: dict[str, Any]) -> tuple[SubjectClaim | None, FieldProblem | None]:
    name_item = info.item_by_role(ItemRole.SUBJECT_NAME)
    name = str(values.get(name_item.code, "")) if name_item else ""
    identifiers = [
        Identifier(item.id_type, str(values[item.code]))
        for item in info.items
        if item.role in (ItemRole.SUBJECT_ID, ItemRole.SUBJECT_OTHER_ID) and item.id_type is not None
        and values.get(item.code)
    ]
    uscc = next((i for i in identifiers if i.id_type is IdType.USCC), None)
    subject_type = _subject_type(info, values, uscc)
    if subject_type.is_person:
        certificate = _certificate(info, values)
        if certificate is None:
            return None, FieldProblem(
                _field(info, ItemRole.SUBJECT_CERT_NO), "link.person_certificate",
                "行政相对人为自然人时，证件类型和证件号码必填", "a natural person needs a certificate type and number",
            )
        return SubjectClaim(subject_type, name, certificate), None
    if uscc is None and not identifiers:
        return None, FieldProblem(
            _field(info, ItemRole.SUBJECT_ID), "link.organisation_code",
            "行政相对人为法人、非法人组织或个体工商户时，须提供统一社会信用代码或其他登记代码",
            "an organisation needs its USCC or another registration code",
        )
    others = tuple(i for i in identifiers if i is not uscc)
    return SubjectClaim(subject_type, name, uscc, others), None


def _subject_type(info: InfoClass, values: dict[str, Any], uscc: Identifier | None) -> SubjectType:
    category = info.item_by_role(ItemRole.SUBJECT_CATEGORY)
    if category is not None and values.get(category.code):
        return SubjectType(values[category.code])
    if len(info.subject_types) == 1:
        return info.subject_types[0]
    if uscc is not None:
        return subject_type_from_uscc(uscc.value)
    return SubjectType.ENTERPRISE


def _certificate(info: InfoClass, values: dict[str, Any]) -> Identifier | None:
    type_item = info.item_by_role(ItemRole.SUBJECT_CERT_TYPE)
    number_item = info.item_by_role(ItemRole.SUBJECT_CERT_NO)
    if number_item is None or not values.get(number_item.code):
        return None
    id_type = IdType.CITIZEN_ID
    if type_item is not None and values.get(type_item.code):
        id_type = parse_id_type(str(values[type_item.code]))
    return Identifier(id_type, str(values[number_item.code]))


def _field(info: InfoClass, role: ItemRole) -> str:
    item = info.item_by_role(role)
    return item.code if item else role.value
