"""Beta pages: the partner's invites page and actions, and the customer's ``/beta/<token>/``."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from catalog import cache as page_cache
from catalog import permissions
from catalog.client import client_ip
from catalog.errors import ApplicationError, Invalid
from catalog.forms.beta import BetaExtendForm, BetaInviteForm, CustomerVerificationForm
from catalog.listing import listing_for
from catalog.models import Stage
from catalog.services import beta as beta_service
from catalog.views.access import beta_token_page, integration_page
from catalog.views.refusals import as_message, at_fields

# --- Partner and staff --------------------------------------------------------------------------
# The integration's partner users and staff who may view integrations see the page; whether one
# may issue, revoke or extend is the service's call (owners, and staff with the beta permission).


def _render_partner_page(request, integration, *, status=200, **extra):
    context = {"integration": integration, **extra}
    response = render(request, "catalog/beta/partner.html", context, status=status)
    # The page may carry a freshly issued link: keep it out of caches.
    response["Cache-Control"] = "no-store"
    return response


@integration_page(partner_writes=None, staff_permission=permissions.VIEW_BETA_LINKS)
@require_http_methods(["GET", "POST"])
def partner_beta(request, integration):
    """GET lists the invites; POST issues one and shows its link once."""
    if request.method == "GET":
        return _render_partner_page(request, integration, **_new_link_once(request, integration))
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
    except ApplicationError as error:
        status = at_fields(form, error)
        return _render_partner_page(request, integration, beta_form=form, status=status)
    # Post/redirect/get: the new link waits in the session for the next GET, which shows it
    # once; a reload of that page issues nothing and sends no second email.
    request.session[_NEW_LINK_KEY] = {
        "integration": integration.pk,
        "link": link.pk,
        "url": beta_service.beta_url(token),
    }
    return redirect("partner_beta", pk=integration.pk)


_NEW_LINK_KEY = "beta_new_link"


def _new_link_once(request, integration) -> dict:
    """The link issued just before this GET, taken out of the session (shown once)."""
    new = request.session.get(_NEW_LINK_KEY)
    if not new or new.get("integration") != integration.pk:
        return {}
    del request.session[_NEW_LINK_KEY]
    link = integration.beta_links.filter(pk=new.get("link")).first()
    if link is None:
        return {}
    return {"new_link": link, "new_url": new["url"]}


def _link_action(request, integration, action):
    try:
        message = action()
    except ApplicationError as error:
        status = as_message(request, error)
        return _render_partner_page(request, integration, status=status)
    messages.success(request, message)
    return redirect("partner_beta", pk=integration.pk)


@integration_page(partner_writes=None, staff_permission=permissions.VIEW_BETA_LINKS)
@require_POST
def partner_beta_revoke(request, integration, link_id: int):
    def revoke():
        link = beta_service.beta_link_revoke(
            actor=request.user, integration_id=integration.pk, link_id=link_id
        )
        return f"The invite for {link.email} is revoked; its link no longer opens."

    return _link_action(request, integration, revoke)


@integration_page(partner_writes=None, staff_permission=permissions.VIEW_BETA_LINKS)
@require_POST
def partner_beta_extend(request, integration, link_id: int):
    def extend():
        form = BetaExtendForm(request.POST)
        if not form.is_valid():
            raise Invalid(
                f"Choose how many days to extend by, between 1 and {beta_service.MAX_DAYS}.",
            )
        link = beta_service.beta_link_extend(
            actor=request.user,
            integration_id=integration.pk,
            link_id=link_id,
            days=form.cleaned_data["days"],
        )
        expires = timezone.localtime(link.expires_at)
        return f"The invite for {link.email} now expires on {expires:%Y-%m-%d %H:%M %Z}."

    return _link_action(request, integration, extend)


# --- The customer -------------------------------------------------------------------------------
# Rendering the page (base template, form widgets) costs more than the rest of an open, so the
# plain visit's page is kept whole in the cache per link, and the catalog entry per integration
# (``catalog.cache``; the token is never in either: the form posts to the relative ``verify/``).


def _listing_html(integration) -> str:
    html = page_cache.beta_listing_html(
        integration,
        lambda: render_to_string("catalog/_listing.html", {"listing": listing_for(integration)}),
    )
    return mark_safe(html)  # noqa: S308 - rendered by our own autoescaping template


def _render_beta_page(request, link, *, form=None, status=200):
    integration = link.integration
    verification = link.verifications.first() if link.is_verified else None
    if form is None:
        form = CustomerVerificationForm(initial={"workspace_name": link.workspace_name})
    return render(
        request,
        "catalog/beta/open.html",
        {
            "integration": integration,
            "listing_html": _listing_html(integration),
            "platform_url": beta_service.platform_url(integration),
            "verification": verification,
            "form": form,
            "expires_on": timezone.localdate(link.expires_at),
            # relative, so the page holds no token: verify/ from the page, ./ from verify/
            "verify_action": "./" if request.method == "POST" else "verify/",
        },
        status=status,
    )


@beta_token_page
@require_safe
def beta_open(request, token: str):
    address = client_ip(request) or ""
    if request.method == "HEAD":
        # A link checker or preview asks whether the page is there: it is not an open.
        link = beta_service.beta_link_resolve(token=token, client_ip=address)
    else:
        link = beta_service.beta_link_open(token=token, client_ip=address)
    if link.integration.stage == Stage.PUBLIC:
        return redirect("catalog_detail", slug=link.integration.slug)
    return page_cache.beta_page(request, link, lambda: _render_beta_page(request, link))


# The token in the URL is the credential here: a cross-site form cannot know it, so a CSRF
# cookie adds nothing. And with ``Referrer-Policy: no-referrer`` browsers send ``Origin: null``
# on this POST, which Django's CSRF check would refuse.
@csrf_exempt
@beta_token_page
@require_http_methods(["GET", "HEAD", "POST"])
def beta_verify(request, token: str):
    address = client_ip(request) or ""
    link = beta_service.beta_link_resolve(token=token, client_ip=address)
    if link.integration.stage == Stage.PUBLIC:
        return redirect("catalog_detail", slug=link.integration.slug)
    if request.method != "POST":
        return _verified_page(request, link)
    form = CustomerVerificationForm(request.POST)
    if not form.is_valid():
        return _render_beta_page(request, link, form=form, status=422)
    try:
        verification, created = beta_service.customer_verify(
            token=token,
            client_ip=address,
            workspace_name=form.cleaned_data["workspace_name"],
            note=form.cleaned_data["note"],
        )
    except ApplicationError as error:
        status = at_fields(form, error)
        return _render_beta_page(request, link, form=form, status=status)
    # Post/redirect/get: the result lives at this URL's GET, so a reload shows it again
    # (relative, so no token is written into the redirect).
    return redirect("./?recorded=1" if created else "./")


def _verified_page(request, link):
    """The result of "it works" (GET after the POST); before any confirmation, the beta page."""
    verification = link.verifications.first() if link.is_verified else None
    if verification is None:
        return redirect("../")
    return render(
        request,
        "catalog/beta/verified.html",
        {
            "link": link,
            "integration": link.integration,
            "verification": verification,
            "created": request.GET.get("recorded") == "1",
            "platform_url": beta_service.platform_url(link.integration),
        },
    )
