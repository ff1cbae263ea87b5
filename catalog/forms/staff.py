"""Staff forms: promote one step, roll back one step with a reason."""

from django import forms

from catalog.forms.base import TextRulesForm
from catalog.models import Stage


class PromoteForm(TextRulesForm):
    # The stage the person saw: a second press of the same button is refused, not applied twice.
    expected_stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label="Note to the partner (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RollBackForm(TextRulesForm):
    expected_stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Reason (the partner sees it)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the integration goes back a stage."},
    )


WAITING_CHOICES = [
    ("", "Anyone"),
    ("staff", "Staff"),
    ("partner", "Partner"),
    ("release_train", "Release train"),
    ("customer", "Customer"),
]


class BoardSearchForm(forms.Form):
    q = forms.CharField(label="Search integrations or partners", max_length=100, required=False)
    waiting_on = forms.ChoiceField(label="Waiting on", choices=WAITING_CHOICES, required=False)
    stage = forms.ChoiceField(
        label="Stage", choices=[("", "Every stage"), *Stage.choices], required=False
    )
    partner = forms.TypedChoiceField(
        label="Partner", coerce=int, empty_value=None, required=False, choices=[]
    )
    overdue = forms.BooleanField(label="Overdue only", required=False)
    stalled = forms.IntegerField(
        label="Waiting more than (days)", min_value=1, max_value=3650, required=False
    )
    page = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", "Every partner"), *partners]
