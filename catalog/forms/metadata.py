"""Forms of the metadata area: the partner's catalog-entry form and the staff review form.

The forms check shape only (lengths, choices, file sizes before reading); the rules themselves
run in the service, through the same ``catalog.validation`` functions the commands use.
"""

from django import forms

from catalog.forms.base import TextRulesForm
from catalog.models import Category, Integration, MetadataRevision
from catalog.services.metadata import (
    MAX_COMMENT,
    REVIEW_FIELDS,
    MetadataInput,
    ScreenshotInput,
)
from catalog.validation import Problem, images, svg, text
from catalog.validation.metadata import MAX_IMAGES

SVG_ACCEPT = ".svg,image/svg+xml"
IMAGE_ACCEPT = ".png,.jpg,.jpeg,image/png,image/jpeg"


class MetadataForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("save", "Save draft"), ("submit", "Submit for review")],
        error_messages={"required": "Choose “Save draft” or “Submit for review”."},
    )
    base = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    name = forms.CharField(
        max_length=120,
        required=False,
        help_text="As customers will see it in the catalog. Unique; frozen once in private beta.",
    )
    pr_url = forms.CharField(
        label="Pull request link",
        max_length=500,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://github.com/…/pull/1234"}),
        help_text="Your most recent pull request on the destinations repository.",
    )
    description = forms.CharField(
        max_length=text.DESCRIPTION_MAX_SOURCE * 2,
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 8, "data-visible-max": str(text.DESCRIPTION_MAX_VISIBLE)}
        ),
        help_text=(
            f"About {text.DESCRIPTION_MAX_VISIBLE} visible characters. Formatting: **bold**, "
            "*italic*, lists (“- item” or “1. item”), [links](https://…) (https only)."
        ),
    )
    website = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://example.com"}),
    )
    primary_category = forms.ModelChoiceField(
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="Choose a category…",
    )
    secondary_category = forms.ModelChoiceField(
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="None",
        label="Secondary category (optional)",
    )
    logo = forms.FileField(
        required=False,
        widget=forms.FileInput(attrs={"accept": SVG_ACCEPT}),
        help_text="SVG with your company name; a horizontal lockup (wider than tall) is best.",
    )
    mark = forms.FileField(
        required=False,
        widget=forms.FileInput(attrs={"accept": SVG_ACCEPT}),
        help_text="Square SVG symbol, without the company name.",
    )
    screenshot_1 = forms.FileField(
        label="Screenshot 1 (optional)",
        required=False,
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
        help_text="PNG or JPEG; location and camera data are removed.",
    )
    caption_1 = forms.CharField(label="Caption 1", max_length=text.CAPTION_MAX * 2, required=False)
    remove_screenshot_1 = forms.BooleanField(label="Remove screenshot 1", required=False)
    screenshot_2 = forms.FileField(
        label="Screenshot 2 (optional)",
        required=False,
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
        help_text="PNG or JPEG; location and camera data are removed.",
    )
    caption_2 = forms.CharField(label="Caption 2", max_length=text.CAPTION_MAX * 2, required=False)
    remove_screenshot_2 = forms.BooleanField(label="Remove screenshot 2", required=False)
    support_email = forms.CharField(
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="Where our support team forwards customer questions. Never shown publicly.",
    )

    FILE_LIMITS = {
        "logo": svg.size_problem,
        "mark": svg.size_problem,
        "screenshot_1": images.size_problem,
        "screenshot_2": images.size_problem,
    }

    def __init__(self, *args, integration: Integration, latest: MetadataRevision | None, **kwargs):
        self.integration = integration
        self.latest = latest
        kwargs.setdefault("initial", self.initial_from(integration, latest))
        super().__init__(*args, **kwargs)
        if integration.identity_frozen:
            self.fields["name"].disabled = True
            self.fields[
                "name"
            ].help_text = (
                "Frozen now that the integration is live; email partner support to change it."
            )

    @staticmethod
    def initial_from(integration: Integration, latest: MetadataRevision | None) -> dict:
        initial = {"base": latest.number if latest else 0, "name": integration.name}
        if latest is None:
            return initial
        initial.update(
            name=latest.name or integration.name,
            pr_url=latest.pr_url,
            description=latest.description,
            website=latest.website,
            primary_category=latest.primary_category,
            secondary_category=latest.secondary_category,
            support_email=latest.support_email,
        )
        for img in latest.images.all():
            if img.position < MAX_IMAGES:
                initial[f"caption_{img.position + 1}"] = img.caption
        return initial

    def clean(self):
        """A file over its limit is set aside unread and reported with every other problem the
        save finds (``MetadataInput.refused``), rather than hiding them all."""
        data = super().clean()
        self.refused_files: dict[str, list[Problem]] = {}
        for name, limit in self.FILE_LIMITS.items():
            upload = data.get(name)
            if upload is not None and upload.size is not None:
                problem = limit(upload.size)
                if problem:
                    self.refused_files[name] = [problem]
                    data[name] = None
        return data

    @property
    def submit(self) -> bool:
        return self.cleaned_data.get("action") == "submit"

    def to_input(self) -> MetadataInput:
        data = self.cleaned_data

        def read(name: str) -> bytes | None:
            upload = data.get(name)
            return upload.read() if upload is not None else None

        primary, secondary = data.get("primary_category"), data.get("secondary_category")
        return MetadataInput(
            name=data.get("name") or "",
            pr_url=data.get("pr_url") or "",
            description=data.get("description") or "",
            website=data.get("website") or "",
            primary_category=primary.slug if primary else "",
            secondary_category=secondary.slug if secondary else "",
            support_email=data.get("support_email") or "",
            logo=read("logo"),
            mark=read("mark"),
            screenshots=[
                ScreenshotInput(
                    content=read(f"screenshot_{n}"),
                    caption=data.get(f"caption_{n}") or "",
                    remove=bool(data.get(f"remove_screenshot_{n}")),
                )
                for n in range(1, MAX_IMAGES + 1)
            ],
            refused=dict(getattr(self, "refused_files", {})),
        )

    def add_problems(self, errors: dict[str, list[Problem]]) -> None:
        """Attach the service's problems to their fields (captions list → caption fields)."""
        for name, problems in errors.items():
            field_name = name if name in self.fields else None
            if name == "categories":
                field_name = "primary_category"
            for problem in problems:
                self.add_error(field_name, problem.message)


class MetadataReviewForm(TextRulesForm):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("changes", "Request changes")],
        error_messages={"required": "Choose “Approve” or “Request changes”."},
    )
    comment = forms.CharField(
        label="Comment on the whole entry",
        max_length=MAX_COMMENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in REVIEW_FIELDS:
            self.fields[f"comment_{key}"] = forms.CharField(
                label=f"Comment on {label.lower()}",
                max_length=MAX_COMMENT,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def refusal_field(self, key):
        """A refused comment on a review key (``logo``) goes next to its box (``comment_logo``)."""
        return f"comment_{key}" if f"comment_{key}" in self.fields else key

    def field_comments(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"comment_{key}", "") for key, _ in REVIEW_FIELDS}

    def comment_field(self, key: str):
        return self[f"comment_{key}"]
