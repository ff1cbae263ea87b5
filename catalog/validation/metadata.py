"""The text fields of a metadata submission, checked together (form, service and command).

``validate_text_fields`` takes plain values (strings, a list of captions) and the known
categories, and returns every error and warning per field at once, the cleaned values and the
sanitised description HTML. Uniqueness of the name needs the database: services check it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from catalog.validation import Problem, text

TEXT_FIELDS = (
    "name",
    "pr_url",
    "description",
    "website",
    "primary_category",
    "secondary_category",
    "support_email",
)
MAX_IMAGES = 2
ASSET_ROLES = ("logo", "mark")
# Fields staff can comment on, in form order; the partner sees each comment next to its field.
REVIEW_FIELDS = [
    ("name", "Name"),
    ("pr_url", "Pull request link"),
    ("description", "Description"),
    ("website", "Website"),
    ("categories", "Categories"),
    ("logo", "Logo"),
    ("mark", "Mark"),
    ("screenshots", "Screenshots"),
    ("support_email", "Support email"),
]


@dataclass
class MetadataReport:
    errors: dict[str, list[Problem]] = field(default_factory=dict)
    warnings: dict[str, list[Problem]] = field(default_factory=dict)
    cleaned: dict = field(default_factory=dict)
    description_html: str = ""

    @property
    def ok(self) -> bool:
        return not any(self.errors.values())

    def add(self, field_name: str, problems: Sequence[Problem], *, warning: bool = False) -> None:
        if problems:
            target = self.warnings if warning else self.errors
            target.setdefault(field_name, []).extend(problems)

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "errors": {k: [p.as_dict() for p in v] for k, v in self.errors.items() if v},
            "warnings": {k: [p.as_dict() for p in v] for k, v in self.warnings.items() if v},
            "description_html": self.description_html,
        }


def _category(value, categories: Mapping[str, str]) -> str | None:
    """Match a slug or a name (any case) to a known category slug."""
    raw = " ".join(str(value or "").split()).lower()
    if not raw:
        return ""
    for slug, name in categories.items():
        if raw in (slug.lower(), name.lower()):
            return slug
    return None


def check_categories(
    primary, secondary, *, categories: Mapping[str, str], required: bool = True
) -> tuple[str, str, dict[str, list[Problem]]]:
    problems: dict[str, list[Problem]] = {}
    first = _category(primary, categories)
    second = _category(secondary, categories)
    if first is None:
        problems["primary_category"] = [
            Problem(
                "category.unknown",
                f"“{str(primary)[:60]}” isn't one of the catalog's {len(categories)} categories.",
                "primary_category",
            )
        ]
    elif not first and required:
        problems["primary_category"] = [
            Problem("category.required", "Choose the primary category.", "primary_category")
        ]
    if second is None:
        problems["secondary_category"] = [
            Problem(
                "category.unknown",
                f"“{str(secondary)[:60]}” isn't one of the catalog's {len(categories)} categories.",
                "secondary_category",
            )
        ]
    elif second and second == first:
        problems["secondary_category"] = [
            Problem(
                "category.same",
                "The secondary category must differ from the primary one (or leave it empty).",
                "secondary_category",
            )
        ]
    return first or "", second or "", problems


def validate_text_fields(
    values: Mapping,
    *,
    categories: Mapping[str, str],
    repository: str,
    required: bool = True,
) -> MetadataReport:
    """Check ``values`` (keys of ``TEXT_FIELDS`` plus ``captions``: a list of up to two strings).

    ``required=False`` (a draft) skips the "missing" errors but checks whatever is filled in.
    """
    report = MetadataReport()
    cleaned = report.cleaned

    cleaned["name"], problems = text.check_name(values.get("name", ""), required=required)
    report.add("name", problems)

    cleaned["pr_url"], problems = text.check_pr_url(
        values.get("pr_url", ""), repository=repository, required=required
    )
    report.add("pr_url", problems)

    source, html, errors, warnings = text.check_description(
        values.get("description", ""), required=required
    )
    cleaned["description"] = source
    report.description_html = html
    report.add("description", errors)
    report.add("description", warnings, warning=True)

    cleaned["website"], errors, warnings = text.check_website(
        values.get("website", ""), required=required
    )
    report.add("website", errors)
    report.add("website", warnings, warning=True)

    primary, secondary, problems = check_categories(
        values.get("primary_category", ""),
        values.get("secondary_category", ""),
        categories=categories,
        required=required,
    )
    cleaned["primary_category"], cleaned["secondary_category"] = primary, secondary
    for name, items in problems.items():
        report.add(name, items)

    cleaned["support_email"], problems = text.check_support_email(
        values.get("support_email", ""), required=required
    )
    report.add("support_email", problems)

    captions = values.get("captions") or []
    if isinstance(captions, str) or not isinstance(captions, Sequence):
        report.add(
            "captions",
            [Problem("caption.invalid", "Captions must be a list of texts.", "captions")],
        )
        captions = []
    if len(captions) > MAX_IMAGES:
        report.add(
            "captions",
            [
                Problem(
                    "images.too_many",
                    f"At most {MAX_IMAGES} screenshots (and captions).",
                    "captions",
                )
            ],
        )
    cleaned["captions"] = []
    for position, caption in enumerate(list(captions)[:MAX_IMAGES], start=1):
        field_name = f"caption_{position}"
        value, problems = text.check_caption(str(caption or ""), field=field_name)
        cleaned["captions"].append(value)
        report.add(field_name, problems)
    return report
