"""Template filters of the spec area. They format values already read; none queries (the
integration pages' spec panels get ``spec_panel`` from ``catalog.selectors.spec.panel``)."""

from django import template

register = template.Library()


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


@register.filter
def comment_at(comments, path) -> str:
    """The staff comment on ``path`` of the spec (``settings.<key>``, ``actions.<key>``,
    ``actions.<key>.fields.<key>``), or ""."""
    if not comments or not path:
        return ""
    return comments.get(str(path), "")
