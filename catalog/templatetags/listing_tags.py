"""Filters for catalog entries (``templates/catalog/_listing.html`` and the public tiles)."""

import html
import re

from django import template
from django.utils.html import strip_tags

register = template.Library()

_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NEXT_ITEM = re.compile(r"</li>\s*(?=<li[\s>])")


@register.filter
def initials(name) -> str:
    """Up to two letters standing in for a missing or unloadable mark: "AB Smartly" → "AS",
    "Ortto (Actions)" → "O" (a bracketed qualifier isn't part of the name)."""
    words = _BRACKETED.sub(" ", str(name or "")).split()
    letters = [next((c for c in word if c.isalnum()), "") for word in words]
    return "".join(c for c in letters if c)[:2].upper() or "?"


@register.filter
def plain_text(description_html) -> str:
    """The visible text of sanitised description HTML, for a one-line summary. Entities are
    decoded so autoescaping shows "&" once, not "&amp;"."""
    source = _NEXT_ITEM.sub("; ", str(description_html or ""))  # list items read as a list
    return " ".join(html.unescape(strip_tags(source)).split())
