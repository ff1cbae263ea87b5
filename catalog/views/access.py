"""Who may open a page: one decorator per kind of page. A refusal is raised as its kind
(``catalog.errors``) and rendered by ``catalog.views.refusals``; anonymous people go to the
login page."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse

from catalog import permissions, selectors
from catalog.errors import ApplicationError, Forbidden
from catalog.services.access import check_active
from catalog.views.refusals import refusal_page

# Set at log-in (catalog.apps): this session must verify a second factor. Staff always must.
SECOND_FACTOR_SESSION_KEY = "second_factor_required"
OWNERS_ONLY = "Only your company's owners can open this page. Ask an owner of your team."


def second_factor_redirect(request):
    """The way to the second-factor page for a person who must verify one and hasn't in this
    session, or None. Staff without a device are sent to set one up."""
    user = request.user
    if not (user.is_staff or request.session.get(SECOND_FACTOR_SESSION_KEY)):
        return None
    if getattr(user, "is_verified", None) and user.is_verified():
        return None
    from catalog.services.second_factor import has_second_factor

    name = "two_factor_verify" if has_second_factor(user) else "two_factor"
    return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")


STAFF_ONLY = "This page is for platform staff."
NO_PERMISSION = (
    "Your staff account lacks the permission for this. Ask an administrator to add you to the "
    "“Platform staff” group."
)


def partner_page(view):
    """Logged in as a user of a partner company."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_partner:
            raise Forbidden("This page is for partner users. Staff use the pipeline.")
        return second_factor_redirect(request) or view(request, *args, **kwargs)

    return wrapper


def owner_page(view):
    """Logged in as an owner of a partner company (the team, beta links, API tokens)."""

    @wraps(view)
    @partner_page
    def wrapper(request, *args, **kwargs):
        if not request.user.is_partner_owner:
            raise Forbidden(OWNERS_ONLY)
        return view(request, *args, **kwargs)

    return wrapper


def staff_page(permission: str = permissions.VIEW_INTEGRATION):
    """Logged in as staff holding ``permission`` (a name from ``catalog.permissions``)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_staff:
                raise Forbidden(STAFF_ONLY)
            unverified = second_factor_redirect(request)
            if unverified:
                return unverified
            if not user.has_perm(permission):
                raise Forbidden(NO_PERMISSION)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def integration_page(
    *, partner_writes: str | None, staff_permission: str = permissions.VIEW_INTEGRATION
):
    """A page about one integration, for its partner's users and for staff who may view
    integrations (and hold ``staff_permission`` when the page shows more than the integration,
    like customers' beta invites); the view receives the integration instead of its ``pk``.
    Another partner's integration is a 404 (the selector is scoped to the user). Staff only read
    these pages: a POST from anyone but a partner user is refused with ``partner_writes`` before
    the body is judged. With ``partner_writes=None`` staff may post too, and the service decides."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, pk: int, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_partner and not permissions.staff_has(
                user, permissions.VIEW_INTEGRATION
            ):
                raise Forbidden("This page is for the integration's partner and for staff.")
            unverified = second_factor_redirect(request)
            if unverified:
                return unverified
            if not user.is_partner and not user.has_perm(staff_permission):
                raise Forbidden(NO_PERMISSION)
            integration = selectors.integration_for(user=user, pk=pk)
            if partner_writes and request.method == "POST" and not user.is_partner:
                raise Forbidden(partner_writes)
            if request.method == "POST" and user.is_partner:
                check_active(integration)  # withdrawn or archived: read-only (409)
            return view(request, integration, *args, **kwargs)

        return wrapper

    return decorator


BETA_TEMPLATE = "catalog/beta/refused.html"


def beta_token_page(view):
    """A page a customer opens with a beta token: private headers on every response, and a
    refused token rendered as the customer's own plain page."""

    @wraps(view)
    def wrapper(request, token: str, *args, **kwargs):
        try:
            response = view(request, token, *args, **kwargs)
        except ApplicationError as refused:
            response = refusal_page(request, refused, template=BETA_TEMPLATE)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper
