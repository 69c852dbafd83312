"""Credit commitments (信用承诺): the national 20-field template's rules that span several fields.

A commitment is a credit record of the catalogue class ``credit_commitment``; its fulfilment is recorded
by the accepting unit (受理单位) as a new version. A commitment not fully kept (部分履行 / 全部未履行)
must say what was not kept and which liability was pursued, and becomes dishonest information: a
``commitment_breach`` warning record under the same subject.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from xinyong.domain.records import Openness
from xinyong.errors import FieldProblem


class Fulfilment(StrEnum):
    FULFILLED = "fulfilled"
    PARTIALLY_FULFILLED = "partially_fulfilled"
    UNFULFILLED = "unfulfilled"

    @property
    def label(self) -> str:
        return {"fulfilled": "全部履行", "partially_fulfilled": "部分履行", "unfulfilled": "全部未履行"}[self.value]

    @property
    def broken(self) -> bool:
        return self is not Fulfilment.FULFILLED


COMMITMENT_TYPES = {
    "approval_substitute": "审批替代型", "tolerance_acceptance": "容缺受理型", "certification": "证明事项型",
    "credit_repair": "信用修复型", "industry_self_discipline": "行业自律型", "voluntary": "主动型", "other": "其他",
}


def fulfilment_problems(fulfilment: Fulfilment, unfulfilled: str, liability: str) -> list[FieldProblem]:
    """未履行的承诺内容 and 违诺责任追究内容 are required unless the commitment was fully kept."""
    if not fulfilment.broken:
        return []
    problems = []
    if not unfulfilled.strip():
        problems.append(FieldProblem("cn_wlxnr", "commitment.unfulfilled_required",
                                     "未履行的承诺内容：承诺未全部履行时必填",
                                     "cn_wlxnr: required unless the commitment was fully kept"))
    if not liability.strip():
        problems.append(FieldProblem("cn_zjnr", "commitment.liability_required",
                                     "违诺责任追究内容：承诺未全部履行时必填",
                                     "cn_zjnr: required unless the commitment was fully kept"))
    return problems


def commitment_code(division: str, day: date, serial: int) -> str:
    """承诺编码: 6-digit division code + 8-digit date + 6-digit serial."""
    return f"{division[:6]:0<6}{day:%Y%m%d}{serial % 1_000_000:06d}"


def openness_of(code: str | None) -> Openness:
    """公开类型 (可向社会公开 / 特定范围内公开 / 不可公开) as the record's openness."""
    try:
        return Openness(code or "public")
    except ValueError:
        return Openness.PUBLIC
