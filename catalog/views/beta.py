"""Beta pages: the partner's invites page and actions, and the customer's ``/beta/<token>/``."""

import functools
import hashlib
import re
import secrets
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog import selectors
from catalog.client import client_ip
from catalog.errors import ApplicationError, Invalid
from catalog.forms.beta import BetaExtendForm, BetaInviteForm, CustomerVerificationForm
from catalog.listing import listing_for
from catalog.models import Category, Integration, MetadataImage, MetadataRevision, Stage
from catalog.services import beta as beta_service
from catalog.services.beta import can_manage_beta_links
from catalog.views.access import beta_token_page

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

    return _link_action(request, pk, extend)


# --- The customer -------------------------------------------------------------------------------


# --- The page a customer opens ------------------------------------------------------------------
# Rendering the page (base template, form widgets) costs more than the token lookup and the open
# count together, so what a customer sees is kept rendered in the cache, keyed on everything it
# shows (see ``_page_key``):
# the listing fragment for every render, and for the usual visit (a fresh form, no login, no
# messages) the whole page of the integration with slots for each link's own values. Any save of
# what a listing shows moves ``PAGES_GENERATION_KEY`` on, so an approval shows at once.

PAGE_CACHE_SECONDS = 300
PAGES_GENERATION_KEY = "beta-pages-generation"
# A link's own values on its page; the shared page holds a slot for each (the token is never in
# it: the confirmation form posts to the relative ``verify/``).
_LINK_SLOTS = ("expires_on", "workspace_name")


def forget_beta_pages(**kwargs) -> None:
    try:
        cache.incr(PAGES_GENERATION_KEY)
    except ValueError:  # not set yet, or evicted
        cache.set(PAGES_GENERATION_KEY, 1, None)


for _model in (Integration, MetadataRevision, MetadataImage, Category):
    for _signal in (post_save, post_delete):
        _signal.connect(
            forget_beta_pages,
            sender=_model,
            dispatch_uid=f"beta-pages-{_signal is post_save}-{_model.__name__}",
        )


def _page_key(integration) -> str:
    generation = cache.get(PAGES_GENERATION_KEY, 0)
    stamp = integration.updated_at.timestamp() if integration.updated_at else 0
    raw = (
        f"{integration.pk}|{integration.live_metadata_id}|{stamp}|{integration.name}|"
        f"{integration.slug}|{generation}"
    )
    return hashlib.sha256(raw.encode()).hexdigest()


def _listing_html(integration, key: str) -> str:
    """The catalog entry as ``catalog/_listing.html`` renders it."""
    html = cache.get(f"beta-listing:{key}")
    if html is None:
        html = render_to_string("catalog/_listing.html", {"listing": listing_for(integration)})
        cache.set(f"beta-listing:{key}", html, PAGE_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by our own autoescaping template


@functools.lru_cache(maxsize=512)
def _long_date(day: date, language: str) -> str:
    # as the template's ``|date:"F j, Y"``; formatting goes through translations, so once a day
    return date_format(day, "F j, Y")


def _link_values(link) -> dict[str, str]:
    return {
        "expires_on": _long_date(timezone.localdate(link.expires_at), translation.get_language()),
        "workspace_name": link.workspace_name,
    }


def _page(request, link, *, form, verification, status=200, key=None, **values):
    integration = link.integration
    key = key or _page_key(integration)
    return render(
        request,
        "catalog/beta/open.html",
        {
            "integration": integration,
            "listing_html": _listing_html(integration, key),
            "platform_url": beta_service.platform_url(integration),
            "verification": verification,
            "form": form,
            # relative, so the page holds no token: verify/ from the page, ./ from verify/
            "verify_action": "./" if request.method == "POST" else "verify/",
            **values,
        },
        status=status,
    )


def _is_plain_visit(request) -> bool:
    """No login, no messages: the page is the same for every visitor with this link."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _shared_page(request, link) -> HttpResponse:
    """The page of an unconfirmed link, from the integration's shared copy with its slots filled."""
    page_key = _page_key(link.integration)
    key = f"beta-page:{page_key}"
    parts = cache.get(key)
    if parts is None:
        markers = {slot: f"beta-slot-{secrets.token_hex(16)}" for slot in _LINK_SLOTS}
        form = CustomerVerificationForm(initial={"workspace_name": markers["workspace_name"]})
        response = _page(request, link, form=form, verification=None, key=page_key, **markers)
        slot_of = {marker: slot for slot, marker in markers.items()}
        pieces = re.split(f"({'|'.join(markers.values())})", response.content.decode())
        # even places: page text; odd places: the name of the slot that goes there
        parts = [slot_of[p] if i % 2 else p for i, p in enumerate(pieces)]
        cache.set(key, parts, PAGE_CACHE_SECONDS)
    values = {slot: conditional_escape(value) for slot, value in _link_values(link).items()}
    return HttpResponse("".join(values[p] if i % 2 else p for i, p in enumerate(parts)))


def _render_beta_page(request, link, *, form=None, status=200):
    if form is None and not link.is_verified and _is_plain_visit(request):
        return _shared_page(request, link)
    verification = None
    if link.is_verified:
        verification = link.verifications.first()
    if form is None:
        form = CustomerVerificationForm(initial={"workspace_name": link.workspace_name})
    return _page(
        request, link, form=form, verification=verification, status=status, **_link_values(link)
    )


@beta_token_page
@require_GET
def beta_open(request, token: str):
    link = beta_service.beta_link_open(token=token, client_ip=client_ip(request) or "")
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
    address = client_ip(request) or ""
    link = beta_service.beta_link_resolve(token=token, client_ip=address)
    if link.integration.stage == Stage.PUBLIC:
        return redirect("catalog_detail", slug=link.integration.slug)
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
