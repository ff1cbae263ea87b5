"""Conditional GET for the public catalog pages and API: ETag and Last-Modified, 304 when the
visitor's copy is current.

The ETag is a hash of the host, the full path and the catalog version (which changes with any
public entry), so answering a revalidation costs no rendering and at most the version's query.
Like the page cache, it only applies to visitors without a session or messages cookie: a signed-in
page carries a personal header, and must not be answered by an anonymous copy. Only 200 responses
get validators; a 404 is never turned into a 304.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from catalog.cache import catalog_updated_at, catalog_version


def conditional_public(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        cookies = request.COOKIES
        if (
            request.method not in ("GET", "HEAD")
            or settings.SESSION_COOKIE_NAME in cookies
            or "messages" in cookies
        ):
            return view(request, *args, **kwargs)
        if request.META.get("HTTP_IF_NONE_MATCH", "").strip() == "*":
            # "Any current representation": only a 200 has one, so the view decides.
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                return get_conditional_response(request, etag='"*"', response=response)
            return response
        version = catalog_version()
        raw = f"{request.get_host()}|{request.get_full_path()}|{version}"
        etag = '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'
        last_modified = catalog_updated_at()
        timestamp = int(last_modified.timestamp()) if last_modified else None
        not_modified = get_conditional_response(
            request, etag=etag, last_modified=timestamp, response=None
        )
        if not_modified is not None:
            patch_vary_headers(not_modified, ["Cookie"])
            return not_modified
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            response["ETag"] = etag
            if timestamp is not None:
                response["Last-Modified"] = http_date(timestamp)
            patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper
