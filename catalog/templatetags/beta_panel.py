"""``{% beta_panel_context integration user as beta %}``: what the beta panel needs.

The panel is included by pages of other areas with only ``integration`` and ``user`` in context,
so it fetches the rest itself: one query for the invites (state annotated), nothing per row.
A page of the beta area may put ``beta_form`` (a bound invite form) and ``new_link``/``new_url``
(the link just issued) into the context; they are used when present.
"""

from django import template

from catalog.forms.beta import BetaExtendForm, BetaInviteForm
from catalog.services.beta import can_manage_beta_links, can_view_beta_links, platform_url

register = template.Library()


@register.simple_tag(takes_context=True)
def beta_panel_context(context, integration, user) -> dict:
    can_view = can_view_beta_links(user, integration)
    return {
        "platform_url": platform_url(integration),
        "can_view": can_view,
        "links": list(integration.beta_links.with_state()) if can_view else [],
        "can_manage": can_manage_beta_links(user, integration),
        "form": context.get("beta_form") or BetaInviteForm(auto_id="id_beta_%s"),
        "extend_form": BetaExtendForm(auto_id=False),
        "new_link": context.get("new_link"),
        "new_url": context.get("new_url"),
    }
