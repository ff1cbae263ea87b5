"""Sign-up, log-in, email confirmation, password reset."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import NON_FIELD_ERRORS
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from catalog import stages
from catalog.client import client_ip
from catalog.errors import ApplicationError, BadRequest, Invalid
from catalog.forms.accounts import (
    LoginForm,
    OutboxPasswordResetForm,
    ResendConfirmationForm,
    SignUpForm,
)
from catalog.services import accounts
from catalog.views.refusals import at_fields, refusal_page


@sensitive_post_parameters("password", "password_confirm")
@never_cache
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    agreements = stages.current_agreements()
    form = SignUpForm(request.POST or None, agreements=agreements)
    if request.method == "POST":
        status = Invalid.status
        if form.is_valid():
            data = form.cleaned_data
            try:
                email = accounts.partner_sign_up(
                    company_name=data["company_name"],
                    website=data["website"],
                    email=data["email"],
                    password=data["password"],
                    full_name=data["full_name"],
                    accepted_kinds=form.accepted_kinds,
                    ip_address=client_ip(request),
                )
            except ApplicationError as error:
                status = at_fields(form, error)
            else:
                request.session["signup_email"] = email
                return redirect("signup_done")
        return render(request, "registration/signup.html", {"form": form}, status=status)
    return render(request, "registration/signup.html", {"form": form})


def signup_done(request):
    return render(
        request, "registration/signup_done.html", {"email": request.session.get("signup_email")}
    )


@never_cache
def confirm_email(request, token: str):
    try:
        user, newly = accounts.email_confirm(token=token, ip_address=client_ip(request))
    except ApplicationError as error:
        return refusal_page(
            request,
            error,
            template="catalog/accounts/confirm_failed.html",
            context={"form": ResendConfirmationForm()},
        )
    if newly:
        messages.success(request, f"Thanks, {user.email} is confirmed. You can log in now.")
    else:
        messages.info(request, f"{user.email} was already confirmed.")
    if request.user.is_authenticated:
        return redirect("home")
    request.session[LOGIN_EMAIL_SESSION_KEY] = user.email
    return redirect("login")


@never_cache
def confirm_email_resend(request):
    form = ResendConfirmationForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return render(
                request, "catalog/accounts/resend.html", {"form": form}, status=Invalid.status
            )
        accounts.email_confirmation_resend(email=form.cleaned_data["email"])
        messages.info(
            request,
            "If an account with that address is waiting for confirmation, a new link is on its "
            "way. It can take a minute to arrive.",
        )
        return redirect("login")
    return render(request, "catalog/accounts/resend.html", {"form": form})


LOGIN_EMAIL_SESSION_KEY = "login_email"


class LoginView(auth_views.LoginView):
    """Django's log-in with a throttle: too many failures for the typed address or from the
    client's address are a 429 until the window ends (``accounts.login_throttle``)."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def get_initial(self):
        """After confirming an address the log-in form starts with it."""
        initial = super().get_initial()
        email = self.request.session.get(LOGIN_EMAIL_SESSION_KEY)
        if email:
            initial["username"] = email
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.request.method == "POST":
            kwargs["throttle"] = accounts.login_throttle(
                email=self.request.POST.get("username", ""), ip_address=client_ip(self.request)
            )
        return kwargs

    def form_valid(self, form):
        accounts.login_throttle_clear(
            email=form.get_user().email, ip_address=client_ip(self.request)
        )
        self.request.session.pop(LOGIN_EMAIL_SESSION_KEY, None)
        return super().form_valid(form)

    def form_invalid(self, form):
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            accounts.login_failed(
                email=self.request.POST.get("username", ""), ip_address=client_ip(self.request)
            )
        response = super().form_invalid(form)
        response.status_code = Invalid.status
        if form.throttle is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.throttle.retry_after)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm
    success_url = reverse_lazy("password_reset_done")

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = Invalid.status
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("password_reset_complete")

    def dispatch(self, *args, **kwargs):
        response = super().dispatch(*args, **kwargs)
        if not self.validlink and response.status_code == 200:
            # The "this link doesn't work" page: an unknown, used or expired link.
            response.status_code = BadRequest.status
        return response

    def form_valid(self, form):
        accounts.login_throttle_clear(email=form.user.email, ip_address=client_ip(self.request))
        return super().form_valid(form)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = Invalid.status
        return response
