"""The pipeline's flow as numbers: how long integrations stay in each stage and how long each side
keeps the ball. Pure: durations in, statistics and chart geometry out; no query."""

from dataclasses import dataclass
from datetime import timedelta

HOUR = 3600.0


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile of ``values`` (``fraction`` in 0..1); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(fraction * len(ordered) * 1000) // 1000))  # ceil, robust to floats
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Bar:
    """One row of the chart: a median and a 90th percentile, in hours."""

    label: str
    count: int
    median: float | None
    p90: float | None


def bar(label: str, seconds: list[float]) -> Bar:
    hours = [s / HOUR for s in seconds if s >= 0]
    return Bar(label, len(hours), percentile(hours, 0.5), percentile(hours, 0.9))


def stage_durations(moves: list[tuple], *, since, now) -> dict[str, list[float]]:
    """Seconds spent in each stage, for stays that ended in the window or still go on.

    ``moves``: (integration id, time, stage entered), every integration's first row its
    registration; rows in time order per integration."""
    by_integration: dict[int, list[tuple]] = {}
    for integration, moment, stage in moves:
        by_integration.setdefault(integration, []).append((moment, stage))
    spent: dict[str, list[float]] = {}
    for rows in by_integration.values():
        rows.sort(key=lambda row: row[0])
        for (entered, stage), following in zip(rows, [*rows[1:], (None, None)], strict=True):
            left = following[0] or now
            if left < since:
                continue
            spent.setdefault(stage, []).append((left - entered).total_seconds())
    return spent


def human(hours: float | None) -> str:
    """3.5 → "3.5 h", 50 → "2.1 d"; "—" for nothing measured."""
    if hours is None:
        return "—"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} d"


def scale(bars: list[Bar], *, width: int = 100) -> float:
    """Chart units per hour, so the longest 90th percentile fills ``width``."""
    longest = max((b.p90 or 0 for b in bars), default=0)
    return width / longest if longest else 0.0


WINDOW = timedelta(days=90)
