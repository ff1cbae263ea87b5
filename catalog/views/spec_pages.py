"""What the spec area's partner pages share: who may post on them, reading an uploaded spec file
and a revision number from a query string."""

from catalog.errors import Invalid, TooLarge
from catalog.validation import spec as spec_validation
from catalog.validation.spec import SpecError
from catalog.views.access import integration_page as _integration_page

integration_page = _integration_page(
    partner_writes=(
        "Only the integration's partner users can change its spec, pull requests and docs."
    )
)


def revision_number(text: str | None) -> int | None:
    """A revision number from a query string; None for anything else. ``str.isdigit`` alone
    lets "²" through (int() refuses it), and int() refuses more than 4,300 digits."""
    text = text or ""
    if text.isascii() and text.isdigit() and len(text) <= 9:
        return int(text)
    return None


def _read(upload) -> bytes:
    if upload.size is not None and upload.size > spec_validation.MAX_BYTES:
        return b" " * (spec_validation.MAX_BYTES + 1)
    return upload.read(spec_validation.MAX_BYTES + 1)


def load_upload(upload, *, for_submit: bool = False) -> tuple[dict | None, list[SpecError], int]:
    """An uploaded spec file: its definition, or its problems and the status to refuse it with
    (too large, or a file that breaks the spec's rules)."""
    definition, errors = spec_validation.load_definition(_read(upload), for_submit=for_submit)
    if not errors:
        return definition, [], 200
    status = TooLarge.status if errors[0].code == "too_large" else Invalid.status
    return None, errors, status
