"""The one translator from a refusal kind (``catalog.errors``) to what the person sees.

- A refusal with a page of its own (forbidden, not found, gone, throttled) propagates out of the
  view; ``RefusalMiddleware`` renders its page with the kind's status (JSON under ``/api/``).
- A refusal of a form's input goes next to the form's fields, the input kept: ``at_fields``.
- A refusal of an action button (no fields) becomes a message above the page: ``as_message``.
Both return the status the re-rendered page is sent with; neither looks at a status number.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults

from catalog.errors import PAGE_KINDS, ApplicationError, Forbidden, NotFound, Throttled

FORBIDDEN_TEMPLATE = "catalog/accounts/forbidden.html"
REFUSED_TEMPLATE = "catalog/refused.html"


def at_fields(form, error: ApplicationError) -> int:
    """Every message of ``error`` next to its field of ``form`` (the whole form when the field
    is not on it). A form whose fields are named differently from the service's keys maps them
    with a ``refusal_field(key)`` method. A refusal that has a page of its own is raised again."""
    if isinstance(error, PAGE_KINDS):
        raise error
    field_for = getattr(form, "refusal_field", None)
    for field, field_messages in error.errors.items():
        if field_for is not None:
            field = field_for(field)
        target = field if field in form.fields else None
        for message in field_messages:
            form.add_error(target, message)
    return error.status


def as_message(request, error: ApplicationError) -> int:
    """``error`` as a message above the re-rendered page. A refusal that has a page of its own
    is raised again."""
    if isinstance(error, PAGE_KINDS):
        raise error
    messages.error(request, error.message)
    return error.status


def refusal_json(error: ApplicationError) -> JsonResponse:
    body: dict = {"error": error.message}
    fields = {name: texts for name, texts in error.errors.items() if name}
    if fields:
        body["fields"] = fields
    response = JsonResponse(body, status=error.status, json_dumps_params={"ensure_ascii": False})
    _add_retry_after(response, error)
    return response


def refusal_page(
    request, error: ApplicationError, *, template: str | None = None, context=None
) -> HttpResponse:
    """The page of a refusal on its own, with its kind's status."""
    if isinstance(error, NotFound) and template is None:
        return defaults.page_not_found(request, Http404(error.message))
    if template is None:
        template = FORBIDDEN_TEMPLATE if isinstance(error, Forbidden) else REFUSED_TEMPLATE
    page_context = {"refused": error, "message": error.message, **(context or {})}
    response = render(request, template, page_context, status=error.status)
    _add_retry_after(response, error)
    return response


def _add_retry_after(response, error: ApplicationError) -> None:
    if isinstance(error, Throttled):
        response["Retry-After"] = str(error.retry_after)


def wants_json(request) -> bool:
    return request.path.startswith("/api/")


class RefusalMiddleware:
    """Turns a refusal that left a view into its page (or JSON error under ``/api/``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ApplicationError):
            return None
        if wants_json(request):
            return refusal_json(exception)
        return refusal_page(request, exception)
