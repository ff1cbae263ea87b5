"""Forms of the outbox area: the staff outbox filter and a user's email preferences."""

from django import forms

from catalog.models import OutboxMessage
from catalog.notifications import Kind


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "All")] + list(OutboxMessage.Status.choices), required=False
    )
    integration = forms.IntegerField(
        required=False,
        min_value=1,
        # Past a 64-bit id SQLite raises OverflowError instead of finding nothing.
        max_value=2**63 - 1,
        widget=forms.HiddenInput,
        error_messages={
            key: "The integration filter takes an integration's number. Clear the filter and "
            "open the outbox from the integration's page again."
            for key in ("invalid", "min_value", "max_value")
        },
    )
    q = forms.CharField(label="Recipient or subject", required=False, max_length=200, strip=True)


class NotificationPreferencesForm(forms.Form):
    """One checkbox per optional kind this user receives; ticked means "send me these"."""

    receive = forms.MultipleChoiceField(
        label="Send me emails about",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = Kind.optional_for(user)
        self.fields["receive"].choices = [(k, Kind.OPTIONAL[k]) for k in kinds]
        opted_out = set(user.email_opt_outs or [])
        self.initial.setdefault("receive", [k for k in kinds if k not in opted_out])
