"""How large a request body may be, per route, and the guard that refuses larger ones unread.

Each limit is the largest body the page can legitimately send, with room for the multipart
framing and the text fields around the files. A body is judged from ``Content-Length`` before a
byte of it is read: nothing reaches the upload handlers, the CSRF check (which reads the form) or
a temporary file. A body without a length (``Transfer-Encoding: chunked``) is refused on every
route: no page or API client of the portal sends one.

In production the proxy in front of the site refuses bodies above ``LARGEST`` first (see the
README, "Request size"); this guard is the second line and gives the product's page.
"""

from __future__ import annotations

import re

from catalog.errors import LengthRequired, TooLarge
from catalog.validation import images, spec, svg
from catalog.validation.metadata import MAX_IMAGES

KB = 1024
MB = 1024 * KB

# Room for the text fields of a form and the multipart framing around its files.
FORM_OVERHEAD = 256 * KB
# The catalog-entry form: two screenshots, the logo and the mark, each at its own limit.
METADATA = MAX_IMAGES * images.MAX_BYTES + 2 * svg.MAX_BYTES + FORM_OVERHEAD
# A spec as a file or a JSON body, plus the short fields beside it.
SPEC_FILE = spec.MAX_BYTES + 64 * KB
# The spec editor's form: up to 300 fields of settings and actions, each a handful of inputs.
SPEC_EDITOR = 1 * MB
# Staff pages and the admin: review comments (4,000 characters per key), long change forms.
STAFF = 1 * MB
# Anything an anonymous visitor can send: log-in, sign-up, password reset, a beta verification.
ANONYMOUS = 64 * KB
# Every other form of the portal (a name, a link, a comment).
DEFAULT = 256 * KB

_INTEGRATION = r"(?:/api/v1)?/partner/integrations/\d+"
ROUTES: list[tuple[re.Pattern, int]] = [
    (re.compile(rf"^{_INTEGRATION}/metadata/$"), METADATA),
    (re.compile(r"^/partner/integrations/\d+/spec/$"), SPEC_EDITOR),
    (re.compile(r"^/partner/integrations/\d+/spec/upload/$"), SPEC_FILE),
    (re.compile(r"^/api/v1/partner/integrations/\d+/spec/$"), SPEC_FILE),
    (re.compile(r"^/partner/integrations/\d+/changes/"), SPEC_FILE),
    (re.compile(r"^/(?:staff|admin)/"), STAFF),
    (re.compile(r"^/(?:accounts|beta|catalog)/|^/api/v1/catalog/"), ANONYMOUS),
]
LARGEST = max(limit for _, limit in ROUTES)


def limit_for(path: str) -> int:
    """The largest body ``path`` accepts, in bytes: the first matching route's, else DEFAULT."""
    for pattern, limit in ROUTES:
        if pattern.match(path):
            return limit
    return DEFAULT


def size_text(size: int) -> str:
    if size >= MB:
        return f"{size / MB:.4g} MB"
    return f"{size // KB} KB"


def body_refusal(meta: dict, path: str) -> TooLarge | LengthRequired | None:
    """Why a request with these WSGI headers may not send its body to ``path``, or None."""
    length = meta.get("CONTENT_LENGTH") or ""
    chunked = "chunked" in (meta.get("HTTP_TRANSFER_ENCODING") or "").lower()
    if not length:
        if chunked:
            return LengthRequired(
                "The request has no Content-Length. Send the body with its length, as a browser "
                "or an ordinary HTTP client does."
            )
        return None
    try:
        size = int(length)
    except ValueError:
        return LengthRequired("The request's Content-Length isn't a number.")
    limit = limit_for(path)
    if size > limit:
        return TooLarge(
            f"The request is {size_text(size)}; this page accepts at most {size_text(limit)}. "
            "Nothing was read or saved. Send smaller files (each file's limit is next to its "
            "field).",
            title="Too large",
        )
    return None
