"""Forms of the beta area: the partner's invite and extend forms, the customer's confirmation."""

from django import forms
from django.conf import settings

from catalog.forms.base import TextRulesForm
from catalog.services.beta import MAX_DAYS


class BetaInviteForm(TextRulesForm):
    email = forms.EmailField(
        label="Customer's email",
        max_length=254,
        help_text="The invitation with their personal link goes to this address.",
    )
    workspace_name = forms.CharField(
        label="Workspace name",
        max_length=200,
        required=False,
        help_text="Optional: the customer's workspace, to recognise the invite later.",
    )
    days = forms.IntegerField(
        label="Expires after (days)",
        min_value=1,
        max_value=MAX_DAYS,
        initial=settings.BETA_LINK_DEFAULT_DAYS,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.BETA_LINK_DEFAULT_DAYS


class BetaExtendForm(forms.Form):
    days = forms.IntegerField(label="Extend by (days)", min_value=1, max_value=MAX_DAYS)


class CustomerVerificationForm(TextRulesForm):
    workspace_name = forms.CharField(
        label="Workspace name",
        max_length=200,
        help_text="The Segment workspace where you added the integration.",
    )
    note = forms.CharField(
        label="Note (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Anything the team building it should know.",
    )
