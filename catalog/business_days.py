"""Business days in the platform's time zone, as pure functions.

A staff decision is due a number of business days after the item reached staff: the same local
wall-clock time that many working days later, skipping Saturdays, Sundays and holidays. An item
that arrives on a day off counts from the start of the next working day. Working in local dates
and re-attaching the zone keeps the time right across DST changes (the UTC offset of the due
time is the one in force on the due day) and across year ends.

Nothing here reads the clock, the settings or the database: callers pass the zone and holidays.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SATURDAY = 5
MAX_DAYS_AHEAD = 3660  # ten years of holidays in a row means the holiday data is wrong


class CalendarError(ValueError):
    pass


@dataclass(frozen=True)
class BusinessCalendar:
    time_zone: ZoneInfo
    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, time_zone: str | ZoneInfo, holidays: Iterable[date] = ()) -> "BusinessCalendar":
        zone = time_zone if isinstance(time_zone, ZoneInfo) else ZoneInfo(time_zone)
        return cls(zone, frozenset(holidays))

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < SATURDAY and day not in self.holidays

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after ``day``."""
        for _ in range(MAX_DAYS_AHEAD):
            day += timedelta(days=1)
            if self.is_business_day(day):
                return day
        raise CalendarError("No business day for ten years; check the holidays.")

    def add(self, start: datetime, days: int) -> datetime:
        """``days`` business days after ``start`` (aware), at the same local time."""
        if start.tzinfo is None or start.utcoffset() is None:
            raise CalendarError("start must be an aware datetime.")
        local = start.astimezone(self.time_zone)
        day, clock = local.date(), local.time().replace(tzinfo=None)
        if not self.is_business_day(day):
            # Arrived on a day off: the clock starts on the next working morning.
            day, clock = self.next_business_day(day), time(0, 0)
        for _ in range(days):
            day = self.next_business_day(day)
        return _aware(day, clock, self.time_zone)

    def business_days_between(self, start: datetime, end: datetime) -> int:
        """Whole business days from ``start``'s local date to ``end``'s (0 on the same day)."""
        first = start.astimezone(self.time_zone).date()
        last = end.astimezone(self.time_zone).date()
        count, day = 0, first
        while day < last:
            day += timedelta(days=1)
            if self.is_business_day(day):
                count += 1
        return count


def _aware(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """Local wall-clock time on ``day``; a time skipped by a DST jump moves forward past it."""
    moment = datetime.combine(day, clock, tzinfo=zone)
    # A non-existent local time (spring forward) does not survive a round trip through UTC.
    round_trip = moment.astimezone(ZoneInfo("UTC")).astimezone(zone)
    if round_trip.replace(tzinfo=None) != moment.replace(tzinfo=None):
        return round_trip
    return moment
