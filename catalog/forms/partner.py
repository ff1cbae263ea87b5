"""Partner forms: the company profile with the agreements, and registering an integration."""

from django import forms

from catalog.forms.accounts import ShownAgreementsMixin, agreement_label, http_url
from catalog.forms.base import TextRulesForm
from catalog.models import AgreementVersion, DestinationMode, Partner

MOBILE = "device-mobile"
MODE_CHOICES = [
    (DestinationMode.CLOUD, "Cloud-mode (recommended): data goes through the platform to your API"),
    (DestinationMode.DEVICE, "Device-mode (web): runs in the browser, beside analytics.js"),
    (
        MOBILE,
        "Device-mode (mobile): not available to partners. Build a cloud-mode destination, and "
        "a mobile plugin if you need data from the device.",
    ),
]


class ModeRadioSelect(forms.RadioSelect):
    """The mobile choice is shown, disabled, with why: not offered and then refused."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value == MOBILE:
            option["attrs"]["disabled"] = True
        return option


class ProfileForm(ShownAgreementsMixin, TextRulesForm):
    """Company name and website (owners only; disabled for members) and the agreements not yet
    accepted at this partner."""

    name = forms.CharField(label="Company name", max_length=200)
    website = forms.CharField(
        label="Company website",
        max_length=500,
        validators=[http_url],
        widget=forms.URLInput(attrs={"placeholder": "https://example.com"}),
    )

    def __init__(
        self,
        *args,
        partner: Partner,
        can_edit_company: bool,
        missing: list[AgreementVersion],
        **kwargs,
    ):
        kwargs.setdefault("initial", {"name": partner.name, "website": partner.website})
        super().__init__(*args, **kwargs)
        if not can_edit_company:
            for name in ("name", "website"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "Only your company's owner can change this."
        self.missing = missing
        for version in missing:
            field = forms.BooleanField(
                required=False, label=agreement_label(version, version.get_kind_display())
            )
            if version.url:
                field.help_text = f"Read it at {version.url}"
            self.fields[f"accept_{version.kind}"] = field
        self.add_shown_agreements(missing)

    def clean(self):
        data = super().clean()
        self.check_shown_agreements(ticked=any(data.get(f"accept_{v.kind}") for v in self.missing))
        return data

    def agreement_fields(self):
        return [self[f"accept_{v.kind}"] for v in self.missing]

    @property
    def accepted_kinds(self) -> list[str]:
        return [k for k in AgreementVersion.Kind.values if self.cleaned_data.get(f"accept_{k}")]


class IntegrationForm(TextRulesForm):
    name = forms.CharField(
        label="Integration name",
        max_length=120,
        help_text="As customers will see it in the catalog, for example “Acme Analytics”.",
    )
    mode = forms.ChoiceField(
        label="Destination mode",
        choices=MODE_CHOICES,
        initial=DestinationMode.CLOUD,
        widget=ModeRadioSelect,
        help_text="Cloud-mode is recommended: customers can use filters, transformations and "
        "replays.",
    )
