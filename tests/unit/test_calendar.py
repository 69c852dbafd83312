from __future__ import annotations

from datetime import date

from xinyong.domain.calendar import add_working_days, is_working_day, working_day_index, working_days_between


class TestWorkingDays:
    def test_national_day_2025_and_its_make_up_saturdays(self) -> None:
        assert not is_working_day(date(2025, 10, 1))
        assert not is_working_day(date(2025, 10, 8))
        assert is_working_day(date(2025, 9, 28))  # a Sunday worked in exchange
        assert is_working_day(date(2025, 10, 11))  # a Saturday worked in exchange
        # Decided on 30 September: 9, 10, 11 (make-up Saturday), 13, 14, 15, 16 October.
        assert add_working_days(date(2025, 9, 30), 7) == date(2025, 10, 16)

    def test_spring_festival_2026(self) -> None:
        assert is_working_day(date(2026, 2, 14)) and is_working_day(date(2026, 2, 28))
        assert not any(is_working_day(date(2026, 2, d)) for d in range(15, 24))
        assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
        assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)

    def test_between_and_index_agree(self) -> None:
        start, counts = working_day_index(2025, 2026)
        for a, b in [(date(2025, 9, 30), date(2025, 10, 15)), (date(2026, 2, 10), date(2026, 3, 2))]:
            expected = working_days_between(a, b)
            assert counts[(b - start).days] - counts[(a - start).days] == expected
        assert working_days_between(date(2025, 9, 30), date(2025, 10, 9)) == 1
