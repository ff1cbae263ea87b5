"""Every JSON endpoint of the portal, on django-ninja: the public catalog and the partner API.

Why django-ninja rather than Django REST framework with drf-spectacular: the portal's views are
plain functions over keyword-only services that raise refusal kinds (``catalog.errors``). Ninja
keeps that shape (an endpoint is a function; one exception handler turns every refusal into the
API's JSON error through ``refusal_json``) and writes the OpenAPI 3 schema from the same
type-annotated signatures and Pydantic schemas that parse the input, so the schema cannot drift
from the code. DRF would add a second layer (serializers, viewsets, authentication and
throttle classes, content negotiation) that the services already cover, and drf-spectacular
needs ``@extend_schema`` on function views to describe them; it also costs more per request,
and the public list must stay within half the speed of a bare view.

``api`` is mounted at ``/api/v1/``; the schema is ``/api/v1/schema/``. The human docs are the
``/docs/api/`` page (ninja's own Swagger page is off: it loads scripts from other origins).
"""

from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from catalog.api.parser import SafeJsonParser
from catalog.errors import ApplicationError, BadRequest, Invalid, NotFound, Unauthorized
from catalog.services.api_tokens import REFUSED
from catalog.views.refusals import refusal_json

api = NinjaAPI(
    title="Partner portal API",
    version="1",
    description=(
        "The public catalog (no authentication) and the partner API for CI "
        "(`Authorization: Bearer <token>`, tokens from the API tokens page). Every refusal is "
        '`{"error": message, "code": kind, "fields": {field: [messages]}, "problems": [...]}`.'
    ),
    urls_namespace="api",
    docs_url=None,
    openapi_url="/schema/",
    parser=SafeJsonParser(),
)


@api.exception_handler(ApplicationError)
def _refusal(request, error: ApplicationError):
    response = refusal_json(error)
    if request.path.startswith("/api/v1/catalog/"):
        response["Access-Control-Allow-Origin"] = "*"
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, error):
    return _refusal(request, Unauthorized(REFUSED))


@api.exception_handler(ValidationError)
def _invalid(request, error: ValidationError):
    fields: dict[str, list[str]] = {}
    for item in error.errors:
        location = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path")]
        name = ".".join(location[1:] if len(location) > 1 else location) or "body"
        fields.setdefault(name, []).append(str(item.get("msg", "Invalid value.")))
    count = sum(len(v) for v in fields.values())
    return _refusal(
        request,
        Invalid(f"{count} problem{'s' if count != 1 else ''} with the request.", errors=fields),
    )


@api.exception_handler(HttpError)
def _http_error(request, error: HttpError):
    cause = error.__cause__
    if isinstance(cause, ApplicationError):
        return _refusal(request, cause)
    if error.status_code == 404:
        return _refusal(request, NotFound(str(error)))
    refusal = BadRequest(str(error))
    refusal.status = error.status_code
    return _refusal(request, refusal)


from catalog.api import partner, public  # noqa: E402  (the routers register on ``api``)

api.add_router("/catalog/", public.router)
api.add_router("/partner/", partner.router)
