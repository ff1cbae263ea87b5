"""The staff flow page: how long integrations stay in each stage and who keeps them waiting,
over the last 90 days."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from catalog import flow, permissions
from catalog.selectors import flow as flow_selectors
from catalog.views.access import staff_page

CHART_WIDTH = 100  # the longest 90th percentile, in per cent of the row


def _chart(bars: list[flow.Bar]) -> dict:
    """Bars with their lengths in per cent of the longest 90th percentile: the median as a solid
    bar, the 90th percentile as a light bar behind it (each row its own SVG, so the chart keeps
    its text size on a phone)."""
    per_hour = flow.scale(bars, width=CHART_WIDTH)
    rows = []
    for item in bars:
        rows.append(
            {
                "bar": item,
                "median_width": round((item.median or 0) * per_hour, 1),
                "p90_width": round((item.p90 or 0) * per_hour, 1),
                "median_text": flow.human(item.median),
                "p90_text": flow.human(item.p90),
            }
        )
    return {"rows": rows}


@staff_page(permissions.VIEW_INTEGRATION)
@require_GET
def staff_flow(request):
    return render(
        request,
        "catalog/staff/flow.html",
        {
            "stages": _chart(flow_selectors.stage_bars()),
            "sides": _chart(flow_selectors.side_bars()),
            "days": flow.WINDOW.days,
        },
    )
