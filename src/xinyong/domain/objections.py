"""Objections (异议处理): anyone may report that a published record is wrong.

Reason types follow the Jiangsu practice quoted in shared/seeds (信息内容错误、主体误报、已撤销仍公示) plus
"other". While an objection is open the record carries the flag "异议处理中". The credit office accepts or
refuses it; the source department verifies and decides: correction (a new version of the record), removal
(the record is revoked) or rejection with reasons.
"""

from __future__ import annotations

from enum import StrEnum

from xinyong.domain.repair import CaseStatus

PENDING_FLAG = "异议处理中"


class ObjectionReason(StrEnum):
    CONTENT_ERROR = "content_error"
    WRONG_SUBJECT = "wrong_subject"
    REVOKED_STILL_PUBLISHED = "revoked_still_published"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"content_error": "信息内容错误", "wrong_subject": "主体误报",
                "revoked_still_published": "已撤销仍公示", "other": "其他"}[self.value]


class ObjectionOutcome(StrEnum):
    CORRECTED = "corrected"
    REMOVED = "removed"
    REJECTED = "rejected"

    @property
    def status(self) -> CaseStatus:
        return CaseStatus(self.value)

    @property
    def label(self) -> str:
        return {"corrected": "更正信息", "removed": "撤下信息", "rejected": "维持原信息（异议不成立）"}[self.value]


OBJECTION_FLOW: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.SUBMITTED: frozenset({CaseStatus.ACCEPTED, CaseStatus.REFUSED}),
    CaseStatus.ACCEPTED: frozenset({CaseStatus.CORRECTED, CaseStatus.REMOVED, CaseStatus.REJECTED}),
}
