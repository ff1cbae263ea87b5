"""The weekly release train, as pure functions of time.

Deploys happen on Wednesdays. A change approved and merged by Tuesday 23:59:59 in the platform's
time zone ships that Wednesday; anything later waits for the next one. A Wednesday listed as a
freeze date has no deploy, so the change rides the next Wednesday that isn't frozen.

Nothing here reads the clock, the settings or the database: callers pass the moment the change
was ready, the time zone and the freeze dates.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEDNESDAY = 2
MAX_WEEKS_AHEAD = 520  # ten years of freezes means the freeze data is wrong


class ReleaseTrainError(ValueError):
    pass


def _zone(time_zone: str | ZoneInfo) -> ZoneInfo:
    return time_zone if isinstance(time_zone, ZoneInfo) else ZoneInfo(time_zone)


def first_deploy_day(ready_on: date) -> date:
    """The first Wednesday whose cut-off (the Tuesday before) is on or after ``ready_on``."""
    days = (WEDNESDAY - ready_on.weekday()) % 7
    return ready_on + timedelta(days=days or 7)


def deploy_date(
    ready_at: datetime, *, time_zone: str | ZoneInfo, freeze_dates: Iterable[date] = ()
) -> date:
    """The Wednesday a change ready (approved and merged) at ``ready_at`` ships on."""
    if ready_at.tzinfo is None or ready_at.utcoffset() is None:
        raise ReleaseTrainError("ready_at must be an aware datetime.")
    local_day = ready_at.astimezone(_zone(time_zone)).date()
    frozen = set(freeze_dates)
    candidate = first_deploy_day(local_day)
    for _ in range(MAX_WEEKS_AHEAD):
        if candidate not in frozen:
            return candidate
        candidate += timedelta(days=7)
    raise ReleaseTrainError("Every Wednesday for ten years is frozen; check the freeze dates.")


def cutoff(deploy_day: date, *, time_zone: str | ZoneInfo) -> datetime:
    """The last moment (Tuesday 23:59:59 local, aware) to make ``deploy_day``'s train."""
    tuesday = deploy_day - timedelta(days=1)
    return datetime.combine(tuesday, time(23, 59, 59), tzinfo=_zone(time_zone))


def deploy_moment(deploy_day: date, *, time_zone: str | ZoneInfo, at: time) -> datetime:
    """When the train leaves on ``deploy_day``: ``at`` local time (aware)."""
    return datetime.combine(deploy_day, at, tzinfo=_zone(time_zone))


def ready_at(*moments: datetime | None) -> datetime | None:
    """A change is ready when it is both approved and merged: the later of the two moments."""
    known = [m for m in moments if m is not None]
    return max(known) if known else None


@dataclass(frozen=True)
class Forecast:
    deploy_date: date
    cutoff: datetime  # local, aware: the Tuesday 23:59:59 before deploy_date
    skipped_freezes: tuple[date, ...]
    is_estimate: bool  # True when the change isn't merged yet: "if merged by the cut-off"


def forecast(
    *,
    now: datetime,
    merged_at: datetime | None,
    approved_at: datetime | None = None,
    time_zone: str | ZoneInfo,
    freeze_dates: Iterable[date] = (),
) -> Forecast:
    """What a pull-request page shows: the deploy date, and for an unmerged change the date it
    would make if merged now, with the cut-off to beat."""
    frozen = set(freeze_dates)
    moment = ready_at(merged_at, approved_at) if merged_at is not None else now
    zone = _zone(time_zone)
    day = deploy_date(moment, time_zone=zone, freeze_dates=frozen)
    natural = first_deploy_day(moment.astimezone(zone).date())
    skipped = []
    while natural < day:
        skipped.append(natural)
        natural += timedelta(days=7)
    return Forecast(
        deploy_date=day,
        cutoff=cutoff(day, time_zone=zone),
        skipped_freezes=tuple(skipped),
        is_estimate=merged_at is None,
    )
