"""Staff forms: promote one step, roll back one step with a reason."""

from django import forms

from catalog.models import Stage


class PromoteForm(forms.Form):
    # The stage the person saw: a second press of the same button is refused, not applied twice.
    expected_stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label="Note to the partner (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RollBackForm(forms.Form):
    expected_stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Reason (the partner sees it)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the integration goes back a stage."},
    )


class BoardSearchForm(forms.Form):
    q = forms.CharField(label="Search integrations or partners", max_length=100, required=False)
