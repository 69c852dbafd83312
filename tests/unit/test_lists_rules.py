"""Pure rules of lists: when an entry is in force, what a check suggests, the rule files' checks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from xinyong.domain.lists import (
    Action,
    EntryStatus,
    Hit,
    ListEntry,
    ListKind,
    entry_from_record,
    soften,
    suggest,
)
from xinyong.errors import ConfigurationError, InvalidInput
from xinyong.rules.lists_files import default_lists_dir, default_measure_book, load_measure_book

BOOK = default_measure_book()


def _entry(status: EntryStatus = EntryStatus.LISTED, valid_to: date | None = date(2027, 1, 1),
           ended_on: date | None = None, list_code: str = "serious_dishonesty") -> ListEntry:
    return ListEntry(id=1, list_code=list_code, subject_id=7, status=status, entry_date=date(2026, 1, 1),
                     valid_to=valid_to, reason="r", ended_on=ended_on)


class TestInForce:
    def test_from_entry_date_until_the_day_before_valid_to(self) -> None:
        entry = _entry()
        assert not entry.in_force(date(2025, 12, 31))
        assert entry.in_force(date(2026, 1, 1)) and entry.in_force(date(2026, 12, 31))
        assert not entry.in_force(date(2027, 1, 1))
        assert entry.display_status(date(2027, 1, 1)) == "期满自动移出"

    def test_exit_ends_it_from_its_date_revocation_always(self) -> None:
        exited = _entry(EntryStatus.EXITED, ended_on=date(2026, 6, 1))
        assert exited.in_force(date(2026, 5, 31)) and not exited.in_force(date(2026, 6, 1))
        assert not _entry(EntryStatus.REVOKED, ended_on=date(2026, 6, 1)).in_force(date(2026, 2, 1))
        assert not _entry(EntryStatus.PROPOSED).in_force(date(2026, 2, 1))


class TestSuggestion:
    def _hits(self, list_code: str, matter: str) -> list[Hit]:
        entry = _entry(list_code=list_code)
        return [Hit(entry, BOOK.lists[list_code], tuple(BOOK.measures_for([list_code], matter, date(2026, 6, 1))))]

    def test_mandatory_intercepts_recommended_prompts_reward_opens_green_channel(self) -> None:
        assert suggest(self._hits("serious_dishonesty", "government_procurement")) is Action.INTERCEPT
        assert suggest(self._hits("serious_dishonesty", "fiscal_funds")) is Action.PROMPT
        assert suggest(self._hits("serious_dishonesty", "civil_servant_recruitment")) is Action.NONE
        assert suggest(self._hits("red", "licensing")) is Action.GREEN_CHANNEL
        both = self._hits("red", "fiscal_funds") + self._hits("judgment_debtor", "fiscal_funds")
        assert suggest(both) is Action.PROMPT  # punishment outranks reward
        assert suggest([]) is Action.NONE

    def test_a_fuzzy_name_never_intercepts(self) -> None:
        assert soften(Action.INTERCEPT) is Action.PROMPT
        assert soften(Action.GREEN_CHANNEL) is Action.GREEN_CHANNEL

    def test_measures_follow_their_effective_dates(self) -> None:
        assert BOOK.measures_for(["serious_dishonesty"], "invoice_supply", date(2026, 1, 1))
        assert not BOOK.measures_for(["serious_dishonesty"], "invoice_supply", date(2017, 5, 31))

    def test_unknown_matter_is_a_precise_error(self) -> None:
        with pytest.raises(InvalidInput) as caught:
            BOOK.matter("moon_landing")
        assert caught.value.code == "check.unknown_matter"


class TestEntryFromRecord:
    def test_serious_list_record(self) -> None:
        record = {"subject_id": 7, "id": 11, "root_id": 11, "status": "active", "decision_date": date(2026, 1, 1),
                  "valid_to": None, "content": "虚开发票", "category": "重大税收违法失信主体", "doc_number": "D1",
                  "authority_name": "税务局", "authority_uscc": None, "department_id": 3,
                  "extra": {"yzsx_flyj": "办法第六条", "yzsx_zt": "listed"}}
        made = entry_from_record(BOOK.lists["serious_dishonesty"], record, date(2026, 6, 1))
        assert made.values["reason"] == "虚开发票" and made.values["legal_basis"] == "办法第六条"
        assert made.values["valid_to"] == date(2028, 12, 31)  # the list's 1095 days
        assert made.event == "listed"
        removed = entry_from_record(BOOK.lists["serious_dishonesty"],
                                    {**record, "extra": {"yzsx_zt": "removed"}, "valid_to": date(2026, 3, 1)},
                                    date(2026, 6, 1))
        assert removed.values["status"] == EntryStatus.EXITED.value and removed.ended_on == date(2026, 3, 1)


class TestRuleFiles:
    def test_default_book_is_consistent(self) -> None:
        assert {"serious_dishonesty", "judgment_debtor", "abnormal_operation", "key_attention", "red"} <= set(
            BOOK.lists)
        assert all(m.lists <= set(BOOK.lists) and m.matters <= set(BOOK.matters) for m in BOOK.measures)
        assert {m.kind for m in BOOK.measures} == {ListKind.PUNISHMENT, ListKind.REWARD}

    def test_a_measure_naming_an_unknown_matter_is_refused(self, tmp_path: Path) -> None:
        for name in ("lists.yaml", "matters.yaml"):
            (tmp_path / name).write_text((default_lists_dir() / name).read_text(encoding="utf-8"), encoding="utf-8")
        text = (default_lists_dir() / "measures.yaml").read_text(encoding="utf-8")
        (tmp_path / "measures.yaml").write_text(text.replace("[government_procurement]", "[moon_landing]", 1),
                                                encoding="utf-8")
        with pytest.raises(ConfigurationError, match="moon_landing"):
            load_measure_book(tmp_path)

    def test_a_bad_mode_names_file_and_line(self, tmp_path: Path) -> None:
        for name in ("lists.yaml", "matters.yaml"):
            (tmp_path / name).write_text((default_lists_dir() / name).read_text(encoding="utf-8"), encoding="utf-8")
        text = (default_lists_dir() / "measures.yaml").read_text(encoding="utf-8")
        (tmp_path / "measures.yaml").write_text(text.replace("mode: mandatory", "mode: sometimes", 1),
                                                encoding="utf-8")
        with pytest.raises(ConfigurationError, match=r"measures.yaml:\d+"):
            load_measure_book(tmp_path)
