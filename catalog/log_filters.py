"""Secrets never reach a log line: a logging filter that scrubs tokens from every record.

Beta links, email-confirmation links and password-reset links carry their credential in the
path; a request log, Django's "Internal Server Error: /beta/<token>/" line or an exception
message would otherwise print it. The filter renders the record once, replaces each token with
``[scrubbed]`` and leaves the rest of the line as it was.
"""

import logging
import re

SCRUBBED = "[scrubbed]"
# A path segment after one of the secret-carrying prefixes (and the reset link's uid/token pair),
# and secret-looking query parameters.
_PATTERNS = [
    (re.compile(r"(/beta/)[^/\s?#\"']+"), rf"\1{SCRUBBED}"),
    (re.compile(r"(/accounts/confirm/)(?!resend/)[^/\s?#\"']+"), rf"\1{SCRUBBED}"),
    (
        re.compile(r"(/accounts/password/reset/)(?!sent/|done/)[^/\s?#\"']+/[^/\s?#\"']+"),
        rf"\1{SCRUBBED}/{SCRUBBED}",
    ),
    (re.compile(r"ppat_[A-Za-z0-9_-]{20,}"), SCRUBBED),
    (re.compile(r"([?&](?:token|key|signature|sig|password)=)[^&\s#\"']+", re.I), rf"\1{SCRUBBED}"),
]


def scrub(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class ScrubSecrets(logging.Filter):
    """Attach to every handler: the message, its arguments and any traceback are scrubbed."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logged as it is
            return True
        record.msg, record.args = scrub(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            # Handlers that print the request (e.g. AdminEmailHandler) read it from here.
            record.request = _ScrubbedRequest(request)
        return True


class _ScrubbedRequest:
    """The request as a log handler sees it, with its path and query scrubbed."""

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        value = getattr(self._request, name)
        if name in ("path", "path_info"):
            return scrub(value)
        return value

    def get_full_path(self, *args, **kwargs):
        return scrub(self._request.get_full_path(*args, **kwargs))

    def build_absolute_uri(self, *args, **kwargs):
        return scrub(self._request.build_absolute_uri(*args, **kwargs))

    def __repr__(self):
        return scrub(repr(self._request))
