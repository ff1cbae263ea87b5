"""Team forms: an invitation, a role, signing up through an invitation; second-factor codes."""

from django import forms

from catalog.forms.accounts import SignUpForm
from catalog.forms.base import TextRulesForm
from catalog.models import User
from catalog.services import accounts

ROLE_CHOICES = [
    (User.PartnerRole.MEMBER, "Member: spec, metadata, pull requests and docs"),
    (User.PartnerRole.OWNER, "Owner: everything, including the team and beta links"),
]


class InviteForm(TextRulesForm):
    email = forms.EmailField(
        label="Colleague's work email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label="Role", choices=ROLE_CHOICES, initial=User.PartnerRole.MEMBER)

    def clean_email(self) -> str:
        return accounts.normalize_email(self.cleaned_data["email"])


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=User.PartnerRole.choices)


class JoinSignUpForm(SignUpForm):
    """The partner sign-up without the company (the invitation names it) or the address (the
    invitation's, confirmed by the link itself)."""

    def __init__(self, *args, invite_email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.invite_email = invite_email
        for name in ("company_name", "website", "email"):
            del self.fields[name]

    def clean(self):
        self.cleaned_data.setdefault("email", self.invite_email)
        data = super().clean()
        data.pop("email", None)
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        strip=True,
        help_text="The 6-digit code your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )
