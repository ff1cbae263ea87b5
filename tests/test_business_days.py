"""Business days in the platform's zone: weekends, holidays, DST changes and year ends."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from catalog.business_days import BusinessCalendar, CalendarError

LA = ZoneInfo("America/Los_Angeles")
CAL = BusinessCalendar.of(LA)


def la(*args) -> datetime:
    return datetime(*args, tzinfo=LA)


def test_two_business_days_after_a_tuesday_afternoon_is_thursday_same_time():
    assert CAL.add(la(2026, 12, 1, 14, 5), 2) == la(2026, 12, 3, 14, 5)


def test_a_friday_item_is_due_on_tuesday_skipping_the_weekend():
    assert CAL.add(la(2026, 12, 4, 16, 0), 2) == la(2026, 12, 8, 16, 0)


def test_an_item_arriving_on_saturday_counts_from_monday_morning():
    assert CAL.add(la(2026, 12, 5, 11, 0), 2) == la(2026, 12, 9, 0, 0)


def test_holidays_are_skipped_like_weekends():
    cal = BusinessCalendar.of(LA, [date(2026, 11, 26), date(2026, 11, 27)])  # Thanksgiving
    assert cal.add(la(2026, 11, 25, 9, 0), 2) == la(2026, 12, 1, 9, 0)


def test_year_end_with_holidays_rolls_into_the_new_year():
    cal = BusinessCalendar.of(LA, [date(2026, 12, 25), date(2027, 1, 1)])
    # Thursday 24 Dec → (25 holiday, weekend) Mon 28, Tue 29
    assert cal.add(la(2026, 12, 24, 17, 0), 2) == la(2026, 12, 29, 17, 0)
    # Wednesday 30 Dec → Thu 31, (1 Jan holiday, weekend) Mon 4 Jan
    assert cal.add(la(2026, 12, 30, 10, 0), 2) == la(2027, 1, 4, 10, 0)


def test_the_due_time_keeps_the_local_clock_across_the_spring_dst_change():
    # Friday 6 March 2026 10:00 PST (UTC-8) → Tuesday 10 March 10:00 PDT (UTC-7)
    due = CAL.add(la(2026, 3, 6, 10, 0), 2)
    assert due == la(2026, 3, 10, 10, 0)
    assert due.utcoffset().total_seconds() == -7 * 3600


def test_the_due_time_keeps_the_local_clock_across_the_autumn_dst_change():
    due = CAL.add(la(2026, 10, 30, 10, 0), 2)  # Friday PDT → Tuesday PST
    assert due.astimezone(ZoneInfo("UTC")).hour == 18


def test_a_start_given_in_utc_is_read_in_the_platform_zone():
    # 2026-12-05 02:00 UTC is Friday 4 Dec 18:00 in Los Angeles: due Tuesday 18:00.
    start = datetime(2026, 12, 5, 2, 0, tzinfo=ZoneInfo("UTC"))
    assert CAL.add(start, 2) == la(2026, 12, 8, 18, 0)


def test_business_days_between_counts_working_days_only():
    assert CAL.business_days_between(la(2026, 12, 4, 9), la(2026, 12, 8, 9)) == 2


def test_a_naive_start_is_refused():
    with pytest.raises(CalendarError):
        CAL.add(datetime(2026, 12, 1, 9, 0), 2)


def test_holiday_data_that_blocks_every_day_is_refused():
    cal = BusinessCalendar.of(
        LA, [date(2026, 1, 1) + (date(2026, 1, 2) - date(2026, 1, 1)) * n for n in range(4000)]
    )
    with pytest.raises(CalendarError):
        cal.add(la(2026, 1, 1, 9, 0), 1)
