"""Beta pages: the partner's invites page and actions, and the customer's ``/beta/<token>/``."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog import selectors
from catalog.forms.beta import BetaExtendForm, BetaInviteForm, CustomerVerificationForm
from catalog.listing import listing_for
from catalog.models import Stage
from catalog.services import beta as beta_service
from catalog.services.beta import BetaLinkRefused, can_manage_beta_links
from catalog.services.errors import ApplicationError

LISTING_CACHE_SECONDS = 300

# --- Partner and staff --------------------------------------------------------------------------


def _render_partner_page(request, integration, *, status=200, **extra):
    context = {"integration": integration, **extra}
    response = render(request, "catalog/beta/partner.html", context, status=status)
    # The page may carry a freshly issued link: keep it out of caches.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def partner_beta(request, pk: int):
    """GET lists the invites; POST issues one and shows its link once."""
    integration = selectors.integration_for(user=request.user, pk=pk)
    if request.method == "GET":
        return _render_partner_page(request, integration)
    if not can_manage_beta_links(request.user, integration):
        messages.error(request, "Only the partner's owners and staff can invite beta customers.")
        return _render_partner_page(request, integration, status=403)
    form = BetaInviteForm(request.POST, auto_id="id_beta_%s")
    if not form.is_valid():
        return _render_partner_page(request, integration, beta_form=form, status=422)
    try:
        link, token = beta_service.beta_link_issue(
            actor=request.user,
            integration_id=integration.pk,
            email=form.cleaned_data["email"],
            workspace_name=form.cleaned_data["workspace_name"],
            days=form.cleaned_data["days"],
        )
    except ApplicationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _render_partner_page(request, integration, beta_form=form, status=exc.status)
    return _render_partner_page(
        request,
        integration,
        new_link=link,
        new_url=beta_service.beta_url(token),
    )


def _link_action(request, pk: int, action):
    integration = selectors.integration_for(user=request.user, pk=pk)
    try:
        message = action(integration)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _render_partner_page(request, integration, status=exc.status)
    messages.success(request, message)
    return redirect("partner_beta", pk=integration.pk)


@login_required
@require_POST
def partner_beta_revoke(request, pk: int, link_id: int):
    def revoke(integration):
        link = beta_service.beta_link_revoke(
            actor=request.user, integration_id=integration.pk, link_id=link_id
        )
        return f"The invite for {link.email} is revoked; its link no longer opens."

    return _link_action(request, pk, revoke)


@login_required
@require_POST
def partner_beta_extend(request, pk: int, link_id: int):
    def extend(integration):
        form = BetaExtendForm(request.POST)
        if not form.is_valid():
            raise ApplicationError(
                f"Choose how many days to extend by, between 1 and {beta_service.MAX_DAYS}.",
                status=422,
            )
        link = beta_service.beta_link_extend(
            actor=request.user,
            integration_id=integration.pk,
            link_id=link_id,
            days=form.cleaned_data["days"],
        )
        return f"The invite for {link.email} now expires on {link.expires_at:%Y-%m-%d %H:%M} UTC."

    return _link_action(request, pk, extend)


# --- The customer -------------------------------------------------------------------------------


def _client_ip(request) -> str:
    # REMOTE_ADDR only: a forwarded header is the client's to forge. Behind a proxy, the proxy
    # must set REMOTE_ADDR (gunicorn --forwarded-allow-ips does).
    return request.META.get("REMOTE_ADDR", "")


def beta_token_page(view):
    """Every beta-token response: private headers, and every refusal rendered in one place."""

    @wraps(view)
    def wrapper(request, token: str, *args, **kwargs):
        try:
            response = view(request, token, *args, **kwargs)
        except BetaLinkRefused as refused:
            response = render(
                request,
                "catalog/beta/refused.html",
                {"refused": refused},
                status=refused.status,
            )
            if refused.retry_after:
                response["Retry-After"] = str(refused.retry_after)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def _listing_html(integration) -> str:
    """The catalog entry as ``catalog/_listing.html`` renders it, kept while it is unchanged.

    Keyed on the live revision and the integration's last change, so an approval shows at once.
    """
    stamp = integration.updated_at.timestamp() if integration.updated_at else 0
    key = f"beta-listing:{integration.pk}:{integration.live_metadata_id}:{stamp}"
    html = cache.get(key)
    if html is None:
        html = render_to_string("catalog/_listing.html", {"listing": listing_for(integration)})
        cache.set(key, html, LISTING_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by our own autoescaping template


def _render_beta_page(request, link, *, form=None, verification=None, status=200):
    integration = link.integration
    if verification is None:
        verification = link.verifications.only("workspace_name", "created_at").first()
    if form is None:
        form = CustomerVerificationForm(initial={"workspace_name": link.workspace_name})
    return render(
        request,
        "catalog/beta/open.html",
        {
            "link": link,
            "token": request.resolver_match.kwargs["token"],
            "integration": integration,
            "listing_html": _listing_html(integration),
            "platform_url": beta_service.platform_url(integration),
            "verification": verification,
            "form": form,
        },
        status=status,
    )


@beta_token_page
@require_GET
def beta_open(request, token: str):
    link = beta_service.beta_link_open(token=token, client_ip=_client_ip(request))
    if link.integration.stage == Stage.PUBLIC:
        return redirect("catalog_detail", slug=link.integration.slug)
    return _render_beta_page(request, link)


# The token in the URL is the credential here: a cross-site form cannot know it, so a CSRF
# cookie adds nothing. And with ``Referrer-Policy: no-referrer`` browsers send ``Origin: null``
# on this POST, which Django's CSRF check would refuse.
@csrf_exempt
@beta_token_page
@require_POST
def beta_verify(request, token: str):
    client_ip = _client_ip(request)
    link = beta_service.beta_link_resolve(token=token, client_ip=client_ip)
    if link.integration.stage == Stage.PUBLIC:
        return redirect("catalog_detail", slug=link.integration.slug)
    form = CustomerVerificationForm(request.POST)
    if not form.is_valid():
        return _render_beta_page(request, link, form=form, status=422)
    try:
        verification, created = beta_service.customer_verify(
            token=token,
            client_ip=client_ip,
            workspace_name=form.cleaned_data["workspace_name"],
            note=form.cleaned_data["note"],
        )
    except ApplicationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _render_beta_page(request, link, form=form, status=exc.status)
    return render(
        request,
        "catalog/beta/verified.html",
        {
            "link": link,
            "integration": link.integration,
            "verification": verification,
            "created": created,
            "platform_url": beta_service.platform_url(link.integration),
        },
    )
