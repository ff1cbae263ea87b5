"""Second-factor pages: set up an authenticator app (QR code), verify a code, recovery codes;
and, for staff with the permission, resetting a colleague's second factor."""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from catalog import permissions
from catalog.client import client_ip
from catalog.errors import ApplicationError, Invalid
from catalog.forms.team import CodeForm
from catalog.models import User
from catalog.services import second_factor
from catalog.views.access import SECOND_FACTOR_SESSION_KEY, staff_page
from catalog.views.refusals import as_message, at_fields


def remember_second_factor_at_login(sender, request, user, **kwargs):
    """A partner who opted in must verify in every new session, as staff must."""
    if request is not None and hasattr(request, "session"):
        request.session[SECOND_FACTOR_SESSION_KEY] = second_factor.needs_second_factor(user)


def _next(request, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _qr_data_uri(device) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def _secret(device) -> str:
    raw = b32encode(device.bin_key).decode()
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@sensitive_post_parameters("code")
@never_cache
def two_factor(request):
    """Set up an authenticator app, or (once set up and verified) see its state."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if second_factor.has_second_factor(user):
        if not second_factor.is_verified(user):
            return redirect(_verify_url(request.get_full_path()))
        return render(
            request,
            "catalog/second_factor/status.html",
            {"codes_left": second_factor.recovery_codes_left(user=user)},
        )
    device = second_factor.totp_enrolment_start(user=user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = Invalid.status
        if form.is_valid():
            try:
                device, codes = second_factor.totp_enrolment_confirm(
                    user=user, code=form.cleaned_data["code"], ip_address=client_ip(request)
                )
            except ApplicationError as error:
                status = at_fields(form, error)
            else:
                otp_login(request, device)
                request.session[SECOND_FACTOR_SESSION_KEY] = True
                return render(
                    request,
                    "catalog/second_factor/recovery_codes.html",
                    {"codes": codes, "next": _next(request), "new_device": True},
                )
    return render(
        request,
        "catalog/second_factor/setup.html",
        {
            "form": form,
            "qr": _qr_data_uri(device),
            "secret": _secret(device),
            "next": request.GET.get("next") or request.POST.get("next") or "",
        },
        status=status,
    )


def _verify_url(next_path: str) -> str:
    return f"{reverse('two_factor_verify')}?{urlencode({'next': next_path})}"


@sensitive_post_parameters("code")
@never_cache
def two_factor_verify(request):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not second_factor.has_second_factor(user):
        return redirect("two_factor")
    if second_factor.is_verified(user):
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = Invalid.status
        if form.is_valid():
            try:
                device = second_factor.second_factor_verify(
                    user=user, code=form.cleaned_data["code"], ip_address=client_ip(request)
                )
            except ApplicationError as error:
                status = at_fields(form, error)
            else:
                otp_login(request, device)
                if device.__class__.__name__ == "StaticDevice":
                    left = second_factor.recovery_codes_left(user=user)
                    messages.warning(
                        request,
                        f"You used a recovery code; {left} left. Make new ones on the "
                        "two-factor page if you are running low.",
                    )
                return redirect(_next(request))
    return render(
        request,
        "catalog/second_factor/verify.html",
        {"form": form, "next": request.GET.get("next") or request.POST.get("next") or ""},
        status=status,
    )


@require_POST
@never_cache
def two_factor_recovery_codes(request):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login("/accounts/two-factor/")
    if not second_factor.is_verified(user):
        return redirect(_verify_url(reverse("two_factor")))
    try:
        codes = second_factor.recovery_codes_regenerate(user=user)
    except ApplicationError as error:
        as_message(request, error)
        return redirect("two_factor")
    return render(
        request,
        "catalog/second_factor/recovery_codes.html",
        {"codes": codes, "next": "/accounts/two-factor/"},
    )


@staff_page(permissions.RESET_STAFF_SECOND_FACTOR)
def staff_second_factors(request):
    people = (
        User.objects.filter(is_staff=True, is_active=True)
        .order_by("email")
        .only("pk", "email", "full_name")
    )
    enrolled = set(
        second_factor.TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True)
    )
    rows = [{"person": p, "enrolled": p.pk in enrolled} for p in people]
    return render(request, "catalog/second_factor/staff_list.html", {"rows": rows})


@require_POST
@staff_page(permissions.RESET_STAFF_SECOND_FACTOR)
def staff_second_factor_reset(request, pk: int):
    try:
        target = second_factor.second_factor_reset(
            actor=request.user, user_id=pk, ip_address=client_ip(request)
        )
    except ApplicationError as error:
        as_message(request, error)
    else:
        messages.success(
            request,
            f"{target.email}'s second factor is reset and their sessions ended. They set up "
            "a new one at their next log-in.",
        )
    return redirect("staff_second_factors")
