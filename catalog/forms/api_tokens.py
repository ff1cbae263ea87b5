"""The API tokens page's form: a name and an optional lifetime."""

from django import forms

from catalog.forms.base import TextRulesForm
from catalog.services.api_tokens import MAX_DAYS, MAX_NAME


class ApiTokenForm(TextRulesForm):
    name = forms.CharField(
        label="Name",
        max_length=MAX_NAME,
        help_text="Where the token is used, such as “GitHub Actions”.",
    )
    days = forms.IntegerField(
        label="Expires after (days, optional)",
        min_value=1,
        max_value=MAX_DAYS,
        required=False,
        help_text="Leave empty for a token that lasts until it is revoked.",
    )
