"""Request middleware of the catalog app."""

import ipaddress
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware

from catalog.client import client_ip


def platform_time_zone(get_response):
    """Pages show times in the platform's time zone (``PLATFORM_TIME_ZONE``), the zone the
    release train counts in, so a time on the history, a spec page and a deploy cutoff agree.
    Stored times stay UTC (``TIME_ZONE``); only what a template or form displays changes."""

    def middleware(request):
        try:
            zone = ZoneInfo(settings.PLATFORM_TIME_ZONE)
        except (ZoneInfoNotFoundError, ValueError):
            zone = None  # a misconfigured zone leaves pages in UTC rather than failing
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return get_response(request)
        finally:
            timezone.deactivate()

    return middleware


PROBE_PATHS = ("/healthz", "/readyz")


def is_probe_address(address: str | None) -> bool:
    """Loopback, or an address or network in ``HEALTH_PROBE_ADDRESSES``."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if ip.is_loopback:
        return True
    for allowed in settings.HEALTH_PROBE_ADDRESSES:
        try:
            if ip in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            continue
    return False


def health_probes(get_response):
    """``/healthz`` and ``/readyz`` from loopback or a configured probe address, answered before
    any other middleware: a load balancer or orchestrator probes the process directly over plain
    HTTP with its own Host header, so the https redirect and the host check must not apply. From
    anywhere else they go the usual way."""
    from catalog.views import health

    views = {"/healthz": health.healthz, "/readyz": health.readyz}

    def middleware(request):
        view = views.get(request.path.rstrip("/"))
        if view is not None and is_probe_address(client_ip(request)):
            return view(request)
        return get_response(request)

    return middleware


def request_size_guard(get_response):
    """Refuses a body larger than its route accepts (``catalog.request_limits``) from the
    ``Content-Length`` header alone, before anything reads it: 413 with the product's page, or
    the JSON error under ``/api/``; a body without a length is refused (411)."""
    from catalog.request_limits import body_refusal
    from catalog.views.refusals import refusal_json, refusal_page, wants_json

    def middleware(request):
        refusal = body_refusal(request.META, request.path_info)
        if refusal is None:
            return get_response(request)
        response = refusal_json(refusal) if wants_json(request) else refusal_page(request, refusal)
        # The unread body stays in the socket: the connection can't carry another request.
        response["Connection"] = "close"
        return response

    return middleware


def api_head(get_response):
    """``HEAD`` on the JSON API answers as ``GET`` does, without the body (django-ninja routes
    only the methods an operation declares, so it said 405; declaring HEAD on each operation
    would put a second operation per path in the OpenAPI schema)."""

    def middleware(request):
        if request.method != "HEAD" or not request.path_info.startswith("/api/"):
            return get_response(request)
        request.method = "GET"
        response = get_response(request)
        if not response.streaming:
            response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response

    return middleware


# Paths a signed-in person reaches before passing the second factor: signing in and out, the
# second-factor pages themselves, and what anyone may see without an account.
SECOND_FACTOR_FREE = (
    "/accounts/",
    "/catalog/",
    "/beta/",
    "/api/",
    "/static/",
    "/media/",
    "/healthz",
    "/readyz",
)


def second_factor_required(get_response):
    """Every other page needs the second factor from staff (and from partners who turned it
    on), as the page decorators and the admin site ask: a view written without them is covered
    too."""

    def middleware(request):
        path = request.path
        if path != "/" and not path.startswith(SECOND_FACTOR_FREE):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                from catalog.views.access import second_factor_redirect

                unverified = second_factor_redirect(request)
                if unverified is not None:
                    return unverified
        return get_response(request)

    return middleware


class VerifiedInSession:
    """Stands for the device that verified this session (its persistent id), without loading
    it: ``request.user.otp_device`` is only ever asked whether it is set."""

    def __init__(self, persistent_id: str):
        self.persistent_id = persistent_id

    def __bool__(self) -> bool:
        return True


class SecondFactorSessionMiddleware(OTPMiddleware):
    """django-otp's middleware without a database query on every request. The session holds
    the device id only after ``django_otp.login`` checked a right code for this very user; a
    log-out or another user's log-in flushes the session, and resetting someone's devices
    rotates their session token, which ends the session. So the session alone can be trusted."""

    def _verify_user_sync(self, request, user):
        self._init_user_fields(user)
        if user.is_authenticated:
            persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
            if persistent_id:
                user.otp_device = VerifiedInSession(persistent_id)
        return user
