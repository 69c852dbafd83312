"""The public credit information catalogue (公共信用信息目录) as data, and validation against it.

An info class (信息类) lists its data items (数据项); each item has a type, may be required, may draw its
values from a code table, may play a role in linking the record to its subject, and may be stored in
one of the record's typed core columns (``records.CORE_COLUMNS``) so that queries can use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from xinyong.domain.identifiers import IdType, check_identifier, parse_id_type
from xinyong.domain.records import CORE_COLUMNS, Classification, Openness, SharingLevel
from xinyong.domain.subjects import SubjectType
from xinyong.domain.values import canonical_text, clean_text, parse_date, parse_decimal
from xinyong.errors import FieldProblem, InvalidInput


class ItemType(StrEnum):
    STRING = "string"
    TEXT = "text"
    DATE = "date"
    DECIMAL = "decimal"
    INTEGER = "integer"
    CODE = "code"
    IDENTIFIER = "identifier"


class ItemRole(StrEnum):
    """How an item takes part in linking a record to its subject (主体名下归结果)."""

    SUBJECT_NAME = "subject_name"
    SUBJECT_CATEGORY = "subject_category"
    SUBJECT_ID = "subject_id"
    SUBJECT_OTHER_ID = "subject_other_id"
    SUBJECT_CERT_TYPE = "subject_cert_type"
    SUBJECT_CERT_NO = "subject_cert_no"
    LEGAL_REP_NAME = "legal_rep_name"
    LEGAL_REP_CERT_TYPE = "legal_rep_cert_type"
    LEGAL_REP_CERT_NO = "legal_rep_cert_no"


class UpdateCycle(StrEnum):
    REALTIME = "realtime"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


@dataclass(frozen=True)
class CodeValue:
    code: str
    label: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodeTable:
    code: str
    name: str
    values: tuple[CodeValue, ...]

    def resolve(self, raw: str) -> str | None:
        """The value's code, whether the clerk wrote the code, the label or an alias (any case); a
        label with a qualifier after a dash (``其他-军官证``) resolves by the part before the dash."""
        wanted = raw.casefold()
        for value in self.values:
            if wanted in (value.code.casefold(), value.label.casefold(), *(a.casefold() for a in value.aliases)):
                return value.code
        head = raw.replace("－", "-").split("-", 1)[0]
        return self.resolve(head) if head != raw and head else None

    def label_of(self, code: str) -> str:
        return next((v.label for v in self.values if v.code == code), code)


@dataclass(frozen=True)
class DataItem:
    code: str
    label: str
    type: ItemType = ItemType.STRING
    required: bool = False
    aliases: tuple[str, ...] = ()
    code_table: str | None = None
    id_type: IdType | None = None
    role: ItemRole | None = None
    column: str | None = None
    max_length: int | None = None
    minimum: float | None = None
    not_future: bool = False
    description: str = ""

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header a file may use for this item: its code, its label, its aliases."""
        return (self.code, self.label, *self.aliases)


@dataclass(frozen=True)
class DateOrder:
    """A cross-field rule: ``later`` may not be before ``earlier`` (有效期至 ≥ 有效期自)."""

    earlier: str
    later: str


@dataclass(frozen=True)
class InfoClass:
    code: str
    name: str
    classification: Classification
    subject_types: tuple[SubjectType, ...]
    items: tuple[DataItem, ...]
    name_en: str = ""
    update_cycle: UpdateCycle = UpdateCycle.MONTHLY
    deadline_working_days: int | None = None
    default_sharing: SharingLevel = SharingLevel.UNCONDITIONAL
    default_openness: Openness = Openness.PUBLIC
    publication_rule: str = "public"
    source_departments: tuple[str, ...] = ()
    effective_from: date | None = None
    description: str = ""
    date_orders: tuple[DateOrder, ...] = ()

    def item(self, code: str) -> DataItem:
        return next(i for i in self.items if i.code == code)

    def item_by_role(self, role: ItemRole) -> DataItem | None:
        return next((i for i in self.items if i.role is role), None)


@dataclass
class Catalogue:
    classes: dict[str, InfoClass] = field(default_factory=dict)
    code_tables: dict[str, CodeTable] = field(default_factory=dict)

    def info_class(self, code: str) -> InfoClass | None:
        return self.classes.get(code)

    def problems(self) -> list[str]:
        """Referential problems: unknown code tables and columns, duplicate items, bad roles."""
        found: list[str] = []
        for info in self.classes.values():
            seen_headers: dict[str, str] = {}
            columns: set[str] = set()
            for item in info.items:
                for header in item.headers:
                    if header in seen_headers:
                        found.append(f"{info.code}.{item.code}: header '{header}' also names "
                                     f"{seen_headers[header]}")
                    seen_headers[header] = item.code
                if item.type is ItemType.CODE and item.code_table not in self.code_tables:
                    found.append(f"{info.code}.{item.code}: unknown code table '{item.code_table}'")
                if item.column is not None:
                    if item.column not in CORE_COLUMNS:
                        found.append(f"{info.code}.{item.code}: unknown column '{item.column}'")
                    elif item.column in columns:
                        found.append(f"{info.code}.{item.code}: column '{item.column}' used twice")
                    columns.add(item.column)
                if item.role in (ItemRole.SUBJECT_ID, ItemRole.SUBJECT_OTHER_ID) and item.id_type is None:
                    found.append(f"{info.code}.{item.code}: a {item.role.value} item needs id_type")
            codes = {item.code for item in info.items}
            for order in info.date_orders:
                for code in (order.earlier, order.later):
                    if code not in codes:
                        found.append(f"{info.code}: date rule names unknown item '{code}'")
        return found


@dataclass
class ValidatedValues:
    """The outcome of checking one row of raw values against an info class."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: list[FieldProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def split(self, info: InfoClass) -> tuple[dict[str, Any], dict[str, str]]:
        """(core columns, extra items) for storage. ``extra`` holds the items of the class that have no core
        column and have a value, as canonical text, so that records from every channel compare equal."""
        core: dict[str, Any] = {}
        extra: dict[str, str] = {}
        for item in info.items:
            value = self.values.get(item.code)
            if item.column:
                if value is not None:
                    core[item.column] = value
            elif (text := canonical_text(value)) is not None:
                extra[item.code] = text
        return core, extra


def _problem(item: DataItem, check: str, message: str, message_en: str) -> FieldProblem:
    return FieldProblem(field=item.code, code=f"item.{check}", message=f"{item.label}：{message}",
                        message_en=f"{item.code}: {message_en}")


def parse_item(item: DataItem, raw: object, catalogue: Catalogue, today: date) -> tuple[Any, FieldProblem | None]:
    """One item's typed value (``None`` when empty) or the check it failed."""
    text = clean_text(raw)
    if not text:
        if item.required:
            return None, _problem(item, "required", "必填项为空", "required item is empty")
        return None, None
    if item.max_length is not None and len(text) > item.max_length:
        return None, _problem(item, "too_long", f"长度超过{item.max_length}个字符",
                              f"longer than {item.max_length} characters")
    if item.type is ItemType.DATE:
        value = parse_date(raw)
        if value is None:
            return None, _problem(item, "date", f"不是有效日期：{text}", f"not a valid date: {text}")
        if item.not_future and value > today:
            return None, _problem(item, "future_date", f"日期不能晚于今天：{value}",
                                  f"date is in the future: {value}")
        return value, None
    if item.type in (ItemType.DECIMAL, ItemType.INTEGER):
        number = parse_decimal(raw)
        if number is None or (item.type is ItemType.INTEGER and number != number.to_integral_value()):
            return None, _problem(item, "number", f"不是有效数字：{text}", f"not a number: {text}")
        if item.minimum is not None and number < item.minimum:
            return None, _problem(item, "minimum", f"不能小于{item.minimum:g}",
                                  f"less than {item.minimum:g}")
        return (int(number) if item.type is ItemType.INTEGER else number), None
    if item.type is ItemType.CODE:
        table = catalogue.code_tables[item.code_table or ""]
        code = table.resolve(text)
        if code is None:
            return None, _problem(item, "code", f"不在代码表“{table.name}”中：{text}",
                                  f"not in code table {table.code}: {text}")
        return code, None
    if item.type is ItemType.IDENTIFIER and item.id_type is not None:
        value, problem = check_identifier(item.id_type, text, item.code)
        if problem is not None:
            return None, FieldProblem(problem.field, problem.code, f"{item.label}：{problem.message}",
                                      problem.message_en)
        return value, None
    return text, None


def validate_values(info: InfoClass, raw: Mapping[str, object], catalogue: Catalogue,
                    today: date) -> ValidatedValues:
    """Check every item of a row (all problems, not just the first) and the cross-field rules."""
    unknown = [key for key in raw if key not in {i.code for i in info.items}]
    result = ValidatedValues()
    for key in unknown:
        result.problems.append(FieldProblem(key, "item.unknown", f"目录“{info.name}”中没有数据项“{key}”",
                                            f"no item {key} in catalogue class {info.code}"))
    for item in info.items:
        value, problem = parse_item(item, raw.get(item.code), catalogue, today)
        if problem is not None:
            result.problems.append(problem)
        elif value is not None:
            result.values[item.code] = value
    _check_certificates(info, result)
    for order in info.date_orders:
        earlier, later = result.values.get(order.earlier), result.values.get(order.later)
        if earlier is not None and later is not None and later < earlier:
            item = info.item(order.later)
            result.problems.append(_problem(item, "date_order", f"不能早于“{info.item(order.earlier).label}”",
                                            f"before {order.earlier}"))
    return result


def _check_certificates(info: InfoClass, result: ValidatedValues) -> None:
    """A certificate number whose type another item gives (证件类型 + 证件号码) is checked by that type."""
    for type_role, number_role in ((ItemRole.SUBJECT_CERT_TYPE, ItemRole.SUBJECT_CERT_NO),
                                   (ItemRole.LEGAL_REP_CERT_TYPE, ItemRole.LEGAL_REP_CERT_NO)):
        type_item, number_item = info.item_by_role(type_role), info.item_by_role(number_role)
        if type_item is None or number_item is None:
            continue
        type_code, number = result.values.get(type_item.code), result.values.get(number_item.code)
        if type_code is None or number is None:
            continue
        try:
            id_type = parse_id_type(str(type_code))
        except InvalidInput:
            continue
        value, problem = check_identifier(id_type, str(number), number_item.code)
        if problem is not None:
            result.values.pop(number_item.code)
            result.problems.append(FieldProblem(problem.field, problem.code,
                                                f"{number_item.label}：{problem.message}", problem.message_en))
        else:
            result.values[number_item.code] = value
