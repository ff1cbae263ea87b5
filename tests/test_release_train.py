"""The release train at every boundary: Tuesday 23:59 / Wednesday 00:00 local, DST, freezes."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from catalog.release_train import (
    ReleaseTrainError,
    cutoff,
    deploy_date,
    forecast,
    ready_at,
)

LA = ZoneInfo("America/Los_Angeles")


def la(*args, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=LA, fold=fold)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def ship(moment: datetime, freezes=(), tz=LA) -> date:
    return deploy_date(moment, time_zone=tz, freeze_dates=freezes)


# 2025-06-10 is a Tuesday, 2025-06-11 a Wednesday.


def test_ready_tuesday_at_23_59_local_ships_the_next_day():
    assert ship(la(2025, 6, 10, 23, 59)) == date(2025, 6, 11)


def test_ready_tuesday_at_23_59_59_999999_local_still_ships_the_next_day():
    assert ship(la(2025, 6, 10, 23, 59, 59, 999999)) == date(2025, 6, 11)


def test_ready_wednesday_at_00_00_local_waits_a_week():
    assert ship(la(2025, 6, 11, 0, 0)) == date(2025, 6, 18)


def test_ready_wednesday_during_the_deploy_waits_a_week():
    assert ship(la(2025, 6, 11, 10, 0)) == date(2025, 6, 18)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 6, 5), date(2025, 6, 11)),  # Thursday
        (date(2025, 6, 6), date(2025, 6, 11)),  # Friday
        (date(2025, 6, 7), date(2025, 6, 11)),  # Saturday
        (date(2025, 6, 8), date(2025, 6, 11)),  # Sunday
        (date(2025, 6, 9), date(2025, 6, 11)),  # Monday
        (date(2025, 6, 10), date(2025, 6, 11)),  # Tuesday
        (date(2025, 6, 11), date(2025, 6, 18)),  # Wednesday
    ],
)
def test_every_weekday_rides_the_first_wednesday_after_it(day, expected):
    assert ship(datetime(day.year, day.month, day.day, 12, tzinfo=LA)) == expected


def test_the_cut_off_is_read_in_the_platform_time_zone_not_utc():
    # Tuesday 23:30 in Los Angeles is already Wednesday 06:30 in UTC.
    moment = la(2025, 6, 10, 23, 30)
    assert ship(moment, tz=LA) == date(2025, 6, 11)
    assert ship(moment, tz="UTC") == date(2025, 6, 18)
    assert ship(moment, tz="Europe/Berlin") == date(2025, 6, 18)


def test_time_zone_may_be_given_by_name():
    assert ship(utc(2025, 6, 11, 6, 59), tz="America/Los_Angeles") == date(2025, 6, 11)


# Spring forward: Sunday 2025-03-09, Los Angeles goes from UTC-8 to UTC-7.


def test_after_spring_forward_the_cut_off_moves_one_hour_earlier_in_utc():
    assert ship(utc(2025, 3, 12, 6, 59, 59)) == date(2025, 3, 12)  # Tue 23:59:59 PDT
    assert ship(utc(2025, 3, 12, 7, 0, 0)) == date(2025, 3, 19)  # Wed 00:00 PDT


def test_same_utc_clock_time_lands_on_different_sides_of_the_cut_off_across_spring_forward():
    assert ship(utc(2025, 3, 5, 7, 30)) == date(2025, 3, 5)  # Tue 23:30 PST
    assert ship(utc(2025, 3, 12, 7, 30)) == date(2025, 3, 19)  # Wed 00:30 PDT


# Fall back: Sunday 2025-11-02, Los Angeles goes from UTC-7 to UTC-8.


def test_after_fall_back_the_cut_off_moves_one_hour_later_in_utc():
    assert ship(utc(2025, 11, 5, 7, 59, 59)) == date(2025, 11, 5)  # Tue 23:59:59 PST
    assert ship(utc(2025, 11, 5, 8, 0, 0)) == date(2025, 11, 12)  # Wed 00:00 PST


def test_same_utc_clock_time_lands_on_different_sides_of_the_cut_off_across_fall_back():
    assert ship(utc(2025, 10, 29, 7, 30)) == date(2025, 11, 5)  # Wed 00:30 PDT
    assert ship(utc(2025, 11, 5, 7, 30)) == date(2025, 11, 5)  # Tue 23:30 PST


def test_the_repeated_hour_of_fall_back_counts_as_the_sunday_it_is():
    first = la(2025, 11, 2, 1, 30, fold=0)
    second = la(2025, 11, 2, 1, 30, fold=1)
    assert first.utcoffset() != second.utcoffset()
    assert ship(first) == ship(second) == date(2025, 11, 5)


def test_a_week_containing_a_dst_change_is_still_a_week():
    assert ship(la(2025, 3, 8, 12)) == date(2025, 3, 12)
    assert ship(la(2025, 11, 1, 12)) == date(2025, 11, 5)


# Freezes.


def test_a_frozen_wednesday_skips_to_the_next_one():
    assert ship(la(2025, 11, 25, 9), freezes={date(2025, 11, 26)}) == date(2025, 12, 3)


def test_consecutive_frozen_wednesdays_are_all_skipped():
    freezes = {date(2025, 12, 24), date(2025, 12, 31), date(2026, 1, 7)}
    assert ship(la(2025, 12, 23, 23, 59), freezes=freezes) == date(2026, 1, 14)


def test_a_freeze_on_another_weekday_changes_nothing():
    assert ship(la(2025, 6, 9, 9), freezes={date(2025, 6, 10), date(2025, 6, 12)}) == date(
        2025, 6, 11
    )


def test_a_freeze_in_another_week_changes_nothing():
    assert ship(la(2025, 6, 9, 9), freezes={date(2025, 6, 18)}) == date(2025, 6, 11)


def test_after_the_cut_off_a_freeze_on_the_next_wednesday_still_applies():
    assert ship(la(2025, 6, 11, 0, 0), freezes={date(2025, 6, 18)}) == date(2025, 6, 25)


def test_freezes_without_end_are_refused_rather_than_looping_forever():
    start = date(2025, 6, 11)
    freezes = {start + timedelta(weeks=n) for n in range(600)}
    with pytest.raises(ReleaseTrainError):
        ship(la(2025, 6, 9, 9), freezes=freezes)


def test_a_naive_moment_is_refused():
    with pytest.raises(ReleaseTrainError):
        deploy_date(datetime(2025, 6, 10, 12), time_zone=LA)


# Helpers the pages use.


def test_cutoff_is_tuesday_23_59_59_local_before_the_deploy():
    moment = cutoff(date(2025, 3, 12), time_zone=LA)
    assert moment == la(2025, 3, 11, 23, 59, 59)
    assert moment.utcoffset() == timedelta(hours=-7)


def test_ready_at_is_the_later_of_approval_and_merge():
    assert ready_at(la(2025, 6, 10, 9), la(2025, 6, 11, 1)) == la(2025, 6, 11, 1)
    assert ready_at(None, la(2025, 6, 10, 9)) == la(2025, 6, 10, 9)
    assert ready_at(None, None) is None


def test_forecast_for_an_unmerged_change_uses_now_and_is_an_estimate():
    result = forecast(now=la(2025, 6, 10, 15), merged_at=None, time_zone=LA)
    assert result.deploy_date == date(2025, 6, 11)
    assert result.is_estimate
    assert result.cutoff == la(2025, 6, 10, 23, 59, 59)


def test_forecast_for_a_merged_change_uses_the_later_of_merge_and_approval():
    result = forecast(
        now=la(2025, 7, 1, 9),
        merged_at=la(2025, 6, 10, 20),
        approved_at=la(2025, 6, 11, 8),
        time_zone=LA,
    )
    assert result.deploy_date == date(2025, 6, 18)
    assert not result.is_estimate


def test_forecast_lists_the_frozen_wednesdays_it_skipped():
    result = forecast(
        now=la(2025, 12, 22, 9),
        merged_at=None,
        time_zone=LA,
        freeze_dates={date(2025, 12, 24), date(2025, 12, 31)},
    )
    assert result.deploy_date == date(2026, 1, 7)
    assert result.skipped_freezes == (date(2025, 12, 24), date(2025, 12, 31))
    assert result.cutoff == la(2026, 1, 6, 23, 59, 59)
