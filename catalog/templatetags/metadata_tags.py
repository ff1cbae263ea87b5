"""``{% metadata_panel integration as md %}``: what the metadata panels need (two queries).

The panels are included by other areas' pages with only ``integration`` in context.
"""

from django import template

from catalog.models import ReviewStatus

register = template.Library()


@register.simple_tag
def metadata_panel(integration) -> dict:
    revisions = list(integration.metadata_revisions.order_by("-number")[:20])
    latest = revisions[0] if revisions else None
    in_review = next((r for r in revisions if r.status == ReviewStatus.SUBMITTED), None)
    live = integration.live_metadata
    return {
        "latest": latest,
        "in_review": in_review,
        "live": live,
        "assets_ok": bool(live and (live.asset_report or {}).get("ok")),
    }
