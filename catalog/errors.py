"""What kind of refusal an action met, never an HTTP status.

Services, selectors and token checks raise one of these kinds; each carries its status on the
class (as Zulip's ``JsonableError`` subclasses carry ``http_status_code``). One translator,
``catalog.views.refusals``, turns them into the 404 / 403 / 409 … page, into errors at a form's
fields with the input kept, or into the API's JSON error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class ApplicationError(Exception):
    """A refused action: the message is written for the person who asked.

    ``errors`` maps form field names (``None``: the whole form) to messages; ``items`` carries
    structured details such as failing gate items or spec problems. ``title`` heads a page that
    shows the refusal on its own.
    """

    status = 400
    title = "That didn't work"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        items: Iterable | None = None,
        errors: Mapping[str | None, Iterable[str]] | None = None,
        title: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.items = list(items or [])
        if errors is None:
            errors = {field: [message]}
        self.errors: dict[str | None, list[str]] = {k: list(v) for k, v in errors.items()}
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.message


class BadRequest(ApplicationError):
    """The request is not shaped as the page sends it (a tampered or hand-made request)."""

    status = 400
    title = "That request can't be read"


class Unauthorized(ApplicationError):
    """No valid credential came with the request (an API token missing, unknown, expired or
    revoked); the message never says which."""

    status = 401
    title = "Sign-in needed"


class Forbidden(ApplicationError):
    """The person asking may not do this."""

    status = 403
    title = "You can't do that"

    def __init__(self, message: str = "You do not have permission to do that.", **kwargs):
        super().__init__(message, **kwargs)


class NotFound(ApplicationError):
    """There is no such thing, or not for the person asking."""

    status = 404
    title = "Not found"


class Conflict(ApplicationError):
    """Not in this state: the thing exists but is not where the action needs it."""

    status = 409
    title = "Not possible right now"


class Gone(ApplicationError):
    """It existed, and is over for good (an expired or withdrawn link)."""

    status = 410
    title = "This link no longer works"


class LengthRequired(ApplicationError):
    """A body was sent without saying its length (or with a length that isn't a number)."""

    status = 411
    title = "Length required"


class TooLarge(ApplicationError):
    """The input is larger than allowed."""

    status = 413
    title = "Too large"


class Invalid(ApplicationError):
    """The input breaks a rule; ``errors`` names the fields.

    ``Invalid("Enter a name.", field="name")`` for one field, or
    ``Invalid("2 problems to fix.", errors={"name": [...], "website": [...]})`` for several.
    """

    status = 422
    title = "Check what you entered"


class Throttled(ApplicationError):
    """Too many attempts; ``retry_after`` seconds until the window ends."""

    status = 429
    title = "Too many attempts"

    def __init__(self, message: str, *, retry_after: int, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = max(1, int(retry_after))


class Unavailable(ApplicationError):
    """A service the action needs is down; nothing was changed, try again later."""

    status = 503
    title = "Try again in a moment"


# Refusals shown on a page of their own; the rest belong next to the form or action they refuse.
PAGE_KINDS = (BadRequest, Unauthorized, Forbidden, NotFound, Gone, Throttled, Unavailable)
