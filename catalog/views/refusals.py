"""The one translator from a refusal kind (``catalog.errors``) to what the person sees.

- A refusal with a page of its own (forbidden, not found, gone, throttled) propagates out of the
  view; ``RefusalMiddleware`` renders its page with the kind's status (JSON under ``/api/``).
- A refusal of a form's input goes next to the form's fields, the input kept: ``at_fields``.
- A refusal of an action button (no fields) becomes a message above the page: ``as_message``.
Both return the status the re-rendered page is sent with; neither looks at a status number.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.views import defaults

from catalog.errors import (
    PAGE_KINDS,
    ApplicationError,
    Forbidden,
    NotFound,
    Throttled,
    Unauthorized,
)

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


def refusal_body(error: ApplicationError) -> dict:
    """The API's one error shape: ``error`` (the message), ``code`` (the kind), ``fields`` (messages
    by field, when the input broke a rule) and ``problems`` (each with a stable ``code``, its
    ``message`` and where, when the refusal carries structured details)."""
    body: dict = {"error": error.message, "code": error_code(error)}
    fields = {
        name: [getattr(text, "message", text) for text in texts]
        for name, texts in error.errors.items()
        if name
    }
    if fields:
        body["fields"] = fields
    problems = [_problem(item) for item in error.items if hasattr(item, "as_dict")]
    if problems:
        body["problems"] = problems
    warnings = getattr(error, "warnings", None)
    if warnings:
        body["warnings"] = {
            name: [getattr(p, "message", p) for p in items] for name, items in warnings.items()
        }
    return body


def error_code(error: ApplicationError) -> str:
    """``Invalid`` → ``invalid``, ``NotFound`` → ``not_found``: the kind, for programs."""
    for kind in type(error).__mro__:
        if kind.__module__ == "catalog.errors":
            return "".join(f"_{c.lower()}" if c.isupper() else c for c in kind.__name__).lstrip("_")
    return "application_error"


def _problem(item) -> dict:
    data = item.as_dict()
    return {key: value for key, value in data.items() if value not in ("", None)}


def refusal_json(error: ApplicationError) -> JsonResponse:
    response = JsonResponse(
        refusal_body(error), status=error.status, json_dumps_params={"ensure_ascii": False}
    )
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
    if isinstance(error, Unauthorized):
        response["WWW-Authenticate"] = 'Bearer realm="partner-api"'


def wants_json(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    """``handler404``: the product's 404 page, or the JSON error under ``/api/``."""
    error = NotFound("Not found.")
    if wants_json(request):
        return refusal_json(error)
    return defaults.page_not_found(request, exception or Http404(error.message))


def server_error(request):
    """``handler500``: the product's own page (rendered without the request context, which may
    be what failed), or the JSON error under ``/api/``."""
    if wants_json(request):
        return JsonResponse(
            {"error": "Something went wrong on our side; try again in a moment.", "code": "error"},
            status=500,
        )
    return defaults.server_error(request)


class RefusalMiddleware:
    """Turns a refusal that left a view into its page (or JSON error under ``/api/``); a path
    no route matches, or a view's ``Http404``, gets the product's 404 even with ``DEBUG`` on
    (Django would show its debug page there)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG and not _routed(request.path_info):
            return not_found(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return not_found(request, exception)
        if not isinstance(exception, ApplicationError):
            return None
        if wants_json(request):
            return refusal_json(exception)
        return refusal_page(request, exception)


def _routed(path: str) -> bool:
    """Whether a route matches ``path`` (with ``APPEND_SLASH``, also ``path/``)."""
    for candidate in (path, path + "/") if not path.endswith("/") else (path,):
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return True
    return False
