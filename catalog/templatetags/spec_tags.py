"""Template tags of the spec area, for the spec panels on the integration pages."""

from django import template

from catalog.spec import selectors

register = template.Library()


@register.simple_tag
def spec_panel(integration):
    """``{% spec_panel integration as spec %}``: the latest revision, pull requests, changes."""
    return selectors.panel(integration)


@register.filter
def spec_value(value):
    """A definition value as people read it: empty for None, true/false, lists with commas."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return value
