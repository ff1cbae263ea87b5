"""Text fields of a catalog entry: name, description (markdown subset), website, pull request
link, support email and captions. Each ``check_*`` returns ``(cleaned value, problems)``.
"""

import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import urlsplit, urlunsplit

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.text import slugify
from markdown_it import MarkdownIt

from catalog.validation import Problem
from catalog.validation.urls import parse_pull_request_url

NAME_MIN, NAME_MAX = 2, 80
DESCRIPTION_MAX_VISIBLE = 500
DESCRIPTION_MAX_SOURCE = 4000
URL_MAX = 500
EMAIL_MAX = 254
CAPTION_MAX = 200

ALLOWED_TAGS = {"p", "strong", "em", "ul", "ol", "li", "a", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
BLOCK_TAGS = {"p", "ul", "ol", "li", "br"}

# Paragraphs, bold, italic, lists, links and line breaks: nothing else is parsed as markdown.
_md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(
    ["emphasis", "list", "link", "newline", "escape"]
)

# Characters that hide or reorder text (bidi overrides, zero-width, C0/C1 controls but tab/newline).
_SNEAKY = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_SNEAKY_DESCRIPTION = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>|<!--")
_MD_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]*)")
_UNSUPPORTED = [
    (re.compile(r"^\s{0,3}#{1,6}\s", re.M), "headings (#)"),
    (re.compile(r"!\["), "images (![…](…)): add screenshots in the image fields"),
    (re.compile(r"^\s{0,3}(```|~~~)", re.M), "code blocks (```)"),
    (re.compile(r"^\s{0,3}>", re.M), "quotes (>)"),
    (re.compile(r"^\s*\|.*\|\s*$", re.M), "tables"),
]
_url_validator = URLValidator(schemes=["http", "https"])


def _describe_char(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'control character')}"


def check_name(value: str, *, required: bool = True) -> tuple[str, list[Problem]]:
    name = " ".join((value or "").split())
    problems: list[Problem] = []
    if not name:
        if required:
            problems.append(Problem("name.required", "Give the integration a name.", "name"))
        return name, problems
    sneaky = _SNEAKY.search(name)
    if sneaky:
        problems.append(
            Problem(
                "name.invalid_characters",
                "The name contains an invisible or control character "
                f"({_describe_char(sneaky.group())}). Type the name again without it.",
                "name",
            )
        )
    if len(name) < NAME_MIN or len(name) > NAME_MAX:
        problems.append(
            Problem(
                "name.length",
                f"The name must be {NAME_MIN} to {NAME_MAX} characters long (it is {len(name)}).",
                "name",
            )
        )
    if not any(ch.isalnum() for ch in name):
        problems.append(Problem("name.no_letters", "The name needs letters or digits.", "name"))
    elif not slugify(name):
        problems.append(
            Problem(
                "name.no_slug",
                "The catalog address (slug) is made from the name's Latin letters and digits, and "
                "this name has none. Add the Latin spelling of the name.",
                "name",
            )
        )
    return name, problems


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def visible_text(html: str) -> str:
    """The text a reader sees in ``html``: tags dropped, whitespace runs counted as one space."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return " ".join("".join(collector.parts).split())


def render_markdown(source: str) -> str:
    """The description's HTML: the markdown subset rendered, then sanitised by nh3."""
    html = _md.render(source or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"https"},
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    ).strip()


def _link_targets(source: str) -> list[str]:
    targets = []
    for token in _md.parse(source):
        for child in token.children or []:
            if child.type == "link_open":
                targets.append(str(child.attrGet("href") or ""))
    # Links markdown-it refused to make (javascript:, data:…) stay as text; name them too.
    targets += _MD_LINK_TARGET.findall(source)
    return targets


def _https_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and "." in (parts.hostname or "")


def check_description(
    value: str, *, required: bool = True
) -> tuple[str, str, list[Problem], list[Problem]]:
    """Return (source, sanitised html, errors, warnings)."""
    source = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    errors: list[Problem] = []
    warnings: list[Problem] = []
    if not source:
        if required:
            errors.append(
                Problem(
                    "description.required",
                    "Describe the integration in a few sentences.",
                    "description",
                )
            )
        return source, "", errors, warnings
    if len(source) > DESCRIPTION_MAX_SOURCE:
        errors.append(
            Problem(
                "description.too_long",
                f"The description is {len(source)} characters including formatting; keep it under "
                f"{DESCRIPTION_MAX_SOURCE} (and about {DESCRIPTION_MAX_VISIBLE} visible).",
                "description",
            )
        )
        return source, "", errors, warnings
    sneaky = _SNEAKY_DESCRIPTION.search(source)
    if sneaky:
        errors.append(
            Problem(
                "description.invalid_characters",
                f"The description contains a control or text-direction character "
                f"({_describe_char(sneaky.group())}). Remove it.",
                "description",
            )
        )
    tag = _HTML_TAG.search(source)
    if tag:
        errors.append(
            Problem(
                "description.html",
                f"HTML isn't allowed (found “{tag.group()[:40]}”). Use markdown: **bold**, "
                "*italic*, lists starting with “- ” and [links](https://…).",
                "description",
            )
        )
    seen: set[str] = set()
    for target in _link_targets(source):
        if target in seen:
            continue
        seen.add(target)
        if not _https_url(target):
            errors.append(
                Problem(
                    "description.link",
                    f"Links must be https:// web addresses; “{target[:80] or '(empty)'}” is not.",
                    "description",
                )
            )
    for pattern, label in _UNSUPPORTED:
        if pattern.search(source):
            warnings.append(
                Problem(
                    "description.unsupported_markdown",
                    f"The catalog doesn't format {label}; they show as typed.",
                    "description",
                )
            )
    html = render_markdown(source)
    visible = len(visible_text(html))
    if visible > DESCRIPTION_MAX_VISIBLE:
        errors.append(
            Problem(
                "description.too_long",
                f"The description shows {visible} characters; the catalog has room for "
                f"{DESCRIPTION_MAX_VISIBLE}. Shorten it by {visible - DESCRIPTION_MAX_VISIBLE}.",
                "description",
            )
        )
    return source, html, errors, warnings


def _check_url_shape(value: str, field: str, label: str) -> tuple[str, list[Problem]]:
    url = (value or "").strip()
    if len(url) > URL_MAX:
        return url, [
            Problem(f"{field}.too_long", f"The {label} is longer than {URL_MAX} characters.", field)
        ]
    if re.search(r"[\s\x00-\x1f\x7f]", url):
        return url, [
            Problem(
                f"{field}.invalid",
                f"The {label} can't contain spaces or control characters.",
                field,
            )
        ]
    return url, []


# Characters that are legal to type but not in a URL, and that end an attribute or open markup
# wherever a stored address is pasted unescaped: stored percent-encoded.
_UNSAFE_URL_CHARS = re.compile(r"[\"'<>`\\{}|^]")


def normalize_website(value: str) -> str:
    """The stored form of a web address: trimmed, scheme and host in lower case, quotes, angle
    brackets and the like percent-encoded (``https://a.example/"><x`` → ``…/%22%3E%3Cx``)."""
    url = _UNSAFE_URL_CHARS.sub(lambda m: f"%{ord(m.group()):02X}", (value or "").strip())
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme and parts.netloc:
        url = urlunsplit(
            (parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, parts.fragment)
        )
    return url


def check_website(value: str, *, required: bool = True) -> tuple[str, list[Problem], list[Problem]]:
    url, problems = _check_url_shape(value, "website", "website address")
    warnings: list[Problem] = []
    if problems:
        return url, problems, warnings
    if not url:
        if required:
            problems.append(
                Problem(
                    "website.required",
                    "Add your company's or product's website (https://…).",
                    "website",
                )
            )
        return url, problems, warnings
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, [Problem("website.invalid", "That isn't a web address.", "website")], warnings
    if parts.scheme.lower() not in ("http", "https"):
        problems.append(
            Problem(
                "website.scheme",
                "The website must start with https:// (or http://), for example https://example.com.",
                "website",
            )
        )
        return url, problems, warnings
    if parts.username or parts.password:
        problems.append(
            Problem(
                "website.credentials",
                "Remove the user name or password from the address.",
                "website",
            )
        )
        return url, problems, warnings
    try:
        _url_validator(url)
    except ValidationError:
        problems.append(
            Problem(
                "website.invalid",
                "That isn't a valid web address (https://example.com).",
                "website",
            )
        )
        return url, problems, warnings
    host = parts.hostname or ""
    if "." not in host:
        problems.append(
            Problem(
                "website.host",
                f"“{host}” isn't a public host name. Use your public website.",
                "website",
            )
        )
    elif parts.scheme.lower() == "http":
        warnings.append(
            Problem(
                "website.insecure",
                "The address uses http://; use https:// if your site supports it.",
                "website",
            )
        )
    return normalize_website(url), problems, warnings


def check_pr_url(
    value: str, *, repository: str, required: bool = True
) -> tuple[str, list[Problem]]:
    """A pull request on ``repository``; returns the canonical link. Same rule as the spec area's
    pull-request page (``catalog.validation.urls``), so one link is judged one way everywhere."""
    url = (value or "").strip()
    if not url:
        if required:
            return url, [
                Problem(
                    "pr_url.required",
                    f"Add the link to your pull request on {repository}.",
                    "pr_url",
                )
            ]
        return url, []
    parsed = parse_pull_request_url(url, repository)
    if parsed.error:
        return url, [Problem(f"pr_url.{parsed.error.code}", parsed.error.message, "pr_url")]
    return parsed.url, []


def check_support_email(value: str, *, required: bool = True) -> tuple[str, list[Problem]]:
    email = (value or "").strip()
    if not email:
        if required:
            return email, [
                Problem(
                    "support_email.required",
                    "Add the address our support team forwards customer questions to.",
                    "support_email",
                )
            ]
        return email, []
    if len(email) > EMAIL_MAX:
        return email, [
            Problem("support_email.too_long", "That address is too long.", "support_email")
        ]
    try:
        validate_email(email)
    except ValidationError:
        return email, [
            Problem(
                "support_email.invalid",
                "That isn't an email address (for example support@example.com).",
                "support_email",
            )
        ]
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}", []


def check_caption(value: str, *, field: str) -> tuple[str, list[Problem]]:
    caption = " ".join((value or "").split())
    if len(caption) > CAPTION_MAX:
        return caption, [
            Problem("caption.too_long", f"Keep the caption under {CAPTION_MAX} characters.", field)
        ]
    sneaky = _SNEAKY.search(caption)
    if sneaky:
        return caption, [
            Problem(
                "caption.invalid_characters",
                "The caption contains an invisible or control character "
                f"({_describe_char(sneaky.group())}).",
                field,
            )
        ]
    return caption, []
