"""Sign-up, log-in, email confirmation, password reset; the access decorators other views use."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from catalog import selectors, stages
from catalog.forms.accounts import (
    LoginForm,
    OutboxPasswordResetForm,
    ResendConfirmationForm,
    SignUpForm,
)
from catalog.services import accounts
from catalog.services.errors import ApplicationError


def client_ip(request) -> str | None:
    """The peer address. Behind a proxy, configure the proxy (or gunicorn's
    ``--forwarded-allow-ips``) to set it; a client-sent X-Forwarded-For is not trusted here."""
    return request.META.get("REMOTE_ADDR") or None


def forbidden(request, message: str):
    return render(request, "catalog/accounts/forbidden.html", {"message": message}, status=403)


def partner_required(view):
    """Logged in as a user of a partner company; anonymous people go to the login page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_partner:
            return forbidden(request, "This page is for partner users. Staff use the pipeline.")
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(permission: str = "catalog.view_integration"):
    """Logged in as staff holding ``permission``; anonymous people go to the login page."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_staff:
                return forbidden(request, "This page is for platform staff.")
            if not user.has_perm(permission):
                return forbidden(
                    request,
                    "Your staff account lacks the permission for this. Ask an administrator "
                    "to add you to the “Platform staff” group.",
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def integration_page(*, partner_writes: str):
    """A page about one integration, for its partner's users and for staff who may view
    integrations; another partner's integration is a 404 (the selector is scoped to the user).
    Staff only read these pages: a POST from anyone but a partner user gets 403 with
    ``partner_writes`` before the body is judged."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, pk: int, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_partner and not (
                user.is_staff and user.has_perm("catalog.view_integration")
            ):
                return forbidden(
                    request, "This page is for the integration's partner and for staff."
                )
            integration = selectors.integration_for(user=user, pk=pk)
            if request.method == "POST" and not user.is_partner:
                return forbidden(request, partner_writes)
            return view(request, integration, *args, **kwargs)

        return wrapper

    return decorator


def apply_error(form, error: ApplicationError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


@sensitive_post_parameters("password", "password_confirm")
@never_cache
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    agreements = stages.current_agreements()
    form = SignUpForm(request.POST or None, agreements=agreements)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = accounts.partner_sign_up(
                    company_name=data["company_name"],
                    website=data["website"],
                    email=data["email"],
                    password=data["password"],
                    full_name=data["full_name"],
                    accepted_kinds=form.accepted_kinds,
                    ip_address=client_ip(request),
                )
            except ApplicationError as error:
                apply_error(form, error)
            else:
                request.session["signup_email"] = user.email
                return redirect("signup_done")
        return render(request, "registration/signup.html", {"form": form}, status=400)
    return render(request, "registration/signup.html", {"form": form})


def signup_done(request):
    return render(
        request, "registration/signup_done.html", {"email": request.session.get("signup_email")}
    )


@never_cache
def confirm_email(request, token: str):
    try:
        user, newly = accounts.email_confirm(token=token, ip_address=client_ip(request))
    except accounts.ConfirmationError as error:
        return render(
            request,
            "catalog/accounts/confirm_failed.html",
            {"message": error.message, "form": ResendConfirmationForm()},
            status=error.status,
        )
    if newly:
        messages.success(request, f"Thanks, {user.email} is confirmed. You can log in now.")
    else:
        messages.info(request, f"{user.email} was already confirmed.")
    if request.user.is_authenticated:
        return redirect("home")
    return redirect("login")


@never_cache
def confirm_email_resend(request):
    form = ResendConfirmationForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "catalog/accounts/resend.html", {"form": form}, status=400)
        accounts.email_confirmation_resend(email=form.cleaned_data["email"])
        messages.info(
            request,
            "If an account with that address is waiting for confirmation, a new link is on its "
            "way. It can take a minute to arrive.",
        )
        return redirect("login")
    return render(request, "catalog/accounts/resend.html", {"form": form})


class LoginView(auth_views.LoginView):
    """Django's log-in with a throttle: too many failures for the typed address or from the
    client's address are a 429 until the window ends (``accounts.login_throttle``)."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "POST":
            kwargs["throttle"] = accounts.login_throttle(
                email=self.request.POST.get("username", ""), ip_address=client_ip(self.request)
            )
        return kwargs

    def form_valid(self, form):
        accounts.login_throttle_clear(email=form.get_user().email)
        return super().form_valid(form)

    def form_invalid(self, form):
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            accounts.login_failed(
                email=self.request.POST.get("username", ""), ip_address=client_ip(self.request)
            )
        response = super().form_invalid(form)
        response.status_code = 400
        if form.throttle is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.throttle.retry_after)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm
    success_url = reverse_lazy("password_reset_done")

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password_reset_complete")

    def dispatch(self, *args, **kwargs):
        response = super().dispatch(*args, **kwargs)
        if not self.validlink and response.status_code == 200:
            # The "this link doesn't work" page: an unknown, used or expired link.
            response.status_code = 400
        return response

    def form_valid(self, form):
        accounts.login_throttle_clear(email=form.user.email)
        return super().form_valid(form)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response
