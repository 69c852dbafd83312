"""Identifiers of credit subjects: normalisation and validation.

Users type codes with full-width characters, lower case, spaces and dashes: we normalise first, then
validate with python-stdnum. A wrong check character is rejected, never "fixed". Every failure names
the check that failed with a stable code (``identifier.<check>``) and a Chinese message.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from xinyong.errors import FieldProblem, InvalidInput


class IdType(StrEnum):
    USCC = "uscc"
    CITIZEN_ID = "citizen_id"
    REGISTRATION_NO = "registration_no"
    ORGANISATION_CODE = "organisation_code"
    TAX_NO = "tax_no"
    INSTITUTION_CERT = "institution_cert"
    SOCIAL_ORG_CERT = "social_org_cert"
    PASSPORT = "passport"
    HK_MACAO_PERMIT = "hk_macao_permit"
    TAIWAN_PERMIT = "taiwan_permit"
    FOREIGN_PERMANENT_RESIDENT = "foreign_permanent_resident"
    OTHER = "other"

    @property
    def label(self) -> str:
        return ID_TYPE_LABELS[self]


ID_TYPE_LABELS: dict[IdType, str] = {
    IdType.USCC: "统一社会信用代码",
    IdType.CITIZEN_ID: "身份证",
    IdType.REGISTRATION_NO: "工商注册号",
    IdType.ORGANISATION_CODE: "组织机构代码",
    IdType.TAX_NO: "税务登记号",
    IdType.INSTITUTION_CERT: "事业单位证书号",
    IdType.SOCIAL_ORG_CERT: "社会组织登记证号",
    IdType.PASSPORT: "护照号",
    IdType.HK_MACAO_PERMIT: "港澳居民来往内地通行证",
    IdType.TAIWAN_PERMIT: "台湾居民来往大陆通行证",
    IdType.FOREIGN_PERMANENT_RESIDENT: "外国人永久居留身份证",
    IdType.OTHER: "其他",
}

# Labels departments write in 证件类型 columns, mapped to our types (the 2021 双公示 code table).
ID_TYPE_BY_LABEL: dict[str, IdType] = {label: t for t, label in ID_TYPE_LABELS.items()} | {
    "居民身份证": IdType.CITIZEN_ID,
    "公民身份号码": IdType.CITIZEN_ID,
    "护照": IdType.PASSPORT,
}

# Identifier types that identify natural persons: reading them is a read of personal data.
PERSONAL_ID_TYPES = frozenset(
    {
        IdType.CITIZEN_ID,
        IdType.PASSPORT,
        IdType.HK_MACAO_PERMIT,
        IdType.TAIWAN_PERMIT,
        IdType.FOREIGN_PERMANENT_RESIDENT,
    }
)

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―_·]+")


def normalize(raw: str) -> str:
    """Full-width to half-width (NFKC), upper case, no spaces, dashes or underscores."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()


def _problem(field: str, check: str, message: str, message_en: str) -> FieldProblem:
    return FieldProblem(field=field, code=f"identifier.{check}", message=message, message_en=message_en)


def check_uscc(raw: str, field: str = "uscc") -> tuple[str, FieldProblem | None]:
    """Return the normalised code and ``None``, or the code and the first check that failed."""
    value = normalize(raw)
    if len(value) != 18:
        return value, _problem(
            field, "length", f"统一社会信用代码应为18位，实际为{len(value)}位",
            f"a USCC has 18 characters, got {len(value)}",
        )
    try:
        uscc.validate(value)
    except stdnum_errors.InvalidChecksum:
        return value, _problem(
            field, "checksum", "统一社会信用代码校验位错误（请核对全部18位，而不是只改末位）",
            "USCC check character is wrong",
        )
    except stdnum_errors.ValidationError:
        return value, _problem(
            field, "format",
            "统一社会信用代码格式错误：前8位须为数字，其余须为数字或大写字母（不含 I、O、S、V、Z）",
            "USCC format: 8 digits, then digits or capitals other than I, O, S, V, Z",
        )
    return value, None


def check_citizen_id(raw: str, field: str = "citizen_id") -> tuple[str, FieldProblem | None]:
    value = normalize(raw)
    if len(value) != 18:
        return value, _problem(
            field, "length", f"公民身份号码应为18位，实际为{len(value)}位",
            f"a citizen ID has 18 characters, got {len(value)}",
        )
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return value, _problem(
            field, "format", "公民身份号码格式错误：前17位须为数字，末位为数字或X",
            "citizen ID format: 17 digits and a digit or X",
        )
    if value[17] != ric.calc_check_digit(value):
        return value, _problem(field, "checksum", "公民身份号码校验码错误", "citizen ID check digit is wrong")
    try:
        ric.get_birth_date(value)
    except stdnum_errors.ValidationError:
        return value, _problem(
            field, "birth_date", f"公民身份号码中的出生日期无效：{value[6:14]}",
            f"citizen ID birth date is not a date: {value[6:14]}",
        )
    try:
        ric.get_birth_place(value)
    except (stdnum_errors.ValidationError, KeyError):  # stdnum raises KeyError for an unknown county
        return value, _problem(
            field, "area_code", f"公民身份号码的地址码{value[:6]}在出生年份不存在",
            f"citizen ID area code {value[:6]} did not exist in the birth year",
        )
    return value, None


_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def organisation_code_check_digit(first8: str) -> str:
    """GB 11714-1997 check character of an organisation code (the USCC's positions 9–17)."""
    total = sum(_ORG_CODE_ALPHABET.index(c) * w for c, w in zip(first8, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def check_organisation_code(raw: str, field: str = "organisation_code") -> tuple[str, FieldProblem | None]:
    value = normalize(raw)
    if len(value) != 9:
        return value, _problem(
            field, "length", f"组织机构代码应为9位，实际为{len(value)}位",
            f"an organisation code has 9 characters, got {len(value)}",
        )
    if any(c not in _ORG_CODE_ALPHABET for c in value[:8]):
        return value, _problem(field, "format", "组织机构代码格式错误", "organisation code format")
    if value[8] != organisation_code_check_digit(value[:8]):
        return value, _problem(field, "checksum", "组织机构代码校验码错误", "organisation code check digit")
    return value, None


def check_registration_no(raw: str, field: str = "registration_no") -> tuple[str, FieldProblem | None]:
    value = normalize(raw)
    if len(value) != 15 or not value.isdigit():
        return value, _problem(
            field, "format", "工商注册号应为15位数字", "a business registration number has 15 digits"
        )
    return value, None


def check_identifier(id_type: IdType, raw: str, field: str | None = None) -> tuple[str, FieldProblem | None]:
    """Normalise and validate any identifier; types without a published check only get normalised."""
    name = field or id_type.value
    if not raw or not normalize(raw):
        return "", _problem(name, "empty", f"{id_type.label}不能为空", f"{id_type.value} is empty")
    checker = {
        IdType.USCC: check_uscc,
        IdType.CITIZEN_ID: check_citizen_id,
        IdType.ORGANISATION_CODE: check_organisation_code,
        IdType.REGISTRATION_NO: check_registration_no,
    }.get(id_type)
    if checker is None:
        return normalize(raw), None
    return checker(raw, name)


def validate_identifier(id_type: IdType, raw: str, field: str | None = None) -> str:
    """Like ``check_identifier`` but raises ``InvalidInput`` naming the failed check."""
    value, problem = check_identifier(id_type, raw, field)
    if problem is not None:
        raise InvalidInput.from_problems([problem])
    return value


def parse_id_type(raw: str) -> IdType:
    """An identifier type from its code (``uscc``) or its Chinese label (``统一社会信用代码``)."""
    text = raw.strip()
    try:
        return IdType(text)
    except ValueError:
        pass
    if text in ID_TYPE_BY_LABEL:
        return ID_TYPE_BY_LABEL[text]
    if text.startswith("其他"):
        return IdType.OTHER
    raise InvalidInput(f"未知的证件类型：{text}", f"unknown identifier type: {text}", code="identifier.type")


def guess_id_type(raw: str) -> IdType | None:
    """The type a bare identifier most likely is, by shape alone (for search boxes)."""
    value = normalize(raw)
    if len(value) == 18 and check_uscc(value)[1] is None:
        return IdType.USCC
    if len(value) == 18 and check_citizen_id(value)[1] is None:
        return IdType.CITIZEN_ID
    if len(value) == 15 and value.isdigit():
        return IdType.REGISTRATION_NO
    if len(value) == 9 and check_organisation_code(value)[1] is None:
        return IdType.ORGANISATION_CODE
    return None
