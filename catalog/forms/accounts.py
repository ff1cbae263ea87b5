"""Sign-up, log-in, confirmation and password-reset forms."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.validators import URLValidator
from django.utils.html import format_html

from catalog.forms.base import TextRulesForm
from catalog.models import AgreementVersion, User
from catalog.services import accounts

http_url = URLValidator(
    schemes=["http", "https"], message="Enter a web address starting with https:// or http://."
)


def agreement_label(version: AgreementVersion | None, fallback: str) -> str:
    if version is None:
        return f"I accept the {fallback}"
    return f"I accept the {version.title} (version {version.version})"


STALE_AGREEMENTS = (
    "The agreements changed while this page was open. Read the versions shown now and tick "
    "them again."
)


def versions_token(versions) -> str:
    return ",".join(str(v.pk) for v in sorted(versions, key=lambda v: v.pk))


class ShownAgreementsMixin:
    """A hidden field carries the agreement versions the page showed; ticking a box accepts
    exactly those, so a version that took effect meanwhile is shown and asked for again."""

    def add_shown_agreements(self, versions) -> None:
        self.shown_token = versions_token(versions)
        self.fields["agreements_shown"] = forms.CharField(
            widget=forms.HiddenInput, required=False, initial=self.shown_token
        )

    def check_shown_agreements(self, ticked: bool) -> None:
        if not ticked or self.cleaned_data.get("agreements_shown") == self.shown_token:
            return
        data = self.data.copy()
        data["agreements_shown"] = self.shown_token
        for kind in AgreementVersion.Kind.values:
            data.pop(f"accept_{kind}", None)
        self.data = data
        raise forms.ValidationError(STALE_AGREEMENTS, code="stale_agreements")


class SignUpForm(ShownAgreementsMixin, forms.Form):
    company_name = forms.CharField(label="Company name", max_length=200)
    website = forms.CharField(
        label="Company website",
        max_length=500,
        validators=[http_url],
        widget=forms.URLInput(attrs={"placeholder": "https://example.com"}),
        help_text="Your company's or product's site, for example https://amplitude.com.",
    )
    full_name = forms.CharField(label="Your full name", max_length=200)
    email = forms.EmailField(
        label="Work email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password_confirm = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    accept_partner_program = forms.BooleanField(required=True)
    accept_privacy = forms.BooleanField(required=True)

    def __init__(self, *args, agreements: dict[str, AgreementVersion], **kwargs):
        super().__init__(*args, **kwargs)
        self.agreements = agreements
        self.add_shown_agreements(agreements.values())
        for kind, label in AgreementVersion.Kind.choices:
            field = self.fields[f"accept_{kind}"]
            version = agreements.get(kind)
            field.label = agreement_label(version, label)
            field.error_messages["required"] = f"Accept the {label} to continue."
            if version is not None and version.url:
                field.help_text = format_html(
                    '<a href="{}" rel="noopener" target="_blank">Read the {}</a>',
                    version.url,
                    label,
                )

    def clean_email(self) -> str:
        # Whether the address has an account is not said here: the service answers the same.
        return accounts.normalize_email(self.cleaned_data["email"])

    def clean(self):
        data = super().clean()
        # The same character rules as the service, here so they show with every other problem.
        problems = accounts.sign_up_text_problems(
            company_name=self.data.get("company_name", ""),
            full_name=self.data.get("full_name", ""),
            website=self.data.get("website", ""),
            email=self.data.get("email", ""),
        )
        for field, problem in problems.items():
            if field not in self.errors:
                self.add_error(field, problem)
        self.check_shown_agreements(ticked=True)
        password, again = data.get("password"), data.get("password_confirm")
        if password and again and password != again:
            self.add_error("password_confirm", "The two passwords differ. Type the same one twice.")
        if password:
            probe = User(email=data.get("email", ""), full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data

    @property
    def accepted_kinds(self) -> list[str]:
        return [k for k in AgreementVersion.Kind.values if self.cleaned_data.get(f"accept_{k}")]


class LoginForm(AuthenticationForm):
    """Email and password (the field keeps Django's name, ``username``); addresses are
    case-insensitive; unconfirmed addresses are refused with a way to get a new link."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password don't match an account. Check both, "
        "or reset your password.",
        "unconfirmed": "Confirm your email address first: open the link we sent to %(email)s. "
        "No email? Ask for a new link below.",
    }

    unconfirmed_email: str = ""

    def __init__(self, request=None, *args, throttle=None, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.throttle = throttle
        self.fields["username"].label = "Email"
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autofocus": True, "autocomplete": "email", "maxlength": 254}
        )

    def clean_username(self) -> str:
        return accounts.normalize_email(self.cleaned_data.get("username", ""))

    def clean(self):
        # Throttled: refused before the password is checked, so a right guess looks the same.
        if self.throttle is not None:
            raise forms.ValidationError(self.throttle.message, code="throttled")
        return super().clean()

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.email_confirmed:
            self.unconfirmed_email = user.email
            raise forms.ValidationError(
                self.error_messages["unconfirmed"],
                code="unconfirmed",
                params={"email": user.email},
            )


class ResendConfirmationForm(TextRulesForm):
    email = forms.EmailField(label="Email", max_length=254)

    def clean_email(self) -> str:
        return accounts.normalize_email(self.cleaned_data["email"])


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form; the email goes from a task through the outbox (``notify``)."""

    def clean_email(self) -> str:
        return accounts.normalize_email(self.cleaned_data["email"])

    def save(self, *args, **kwargs) -> None:
        accounts.password_reset_request(email=self.cleaned_data["email"])
