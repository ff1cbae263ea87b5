"""Text fields: the markdown subset, sanitising, visible length, links, website, pull request
link, support email, captions, categories."""

import pytest

from catalog.validation import text
from catalog.validation.metadata import check_categories, validate_text_fields

REPO = "https://github.com/segmentio/action-destinations"
CATEGORIES = {"analytics": "Analytics", "crm": "CRM", "security-and-fraud": "Security & Fraud"}


def desc(source: str):
    cleaned, html, errors, warnings = text.check_description(source)
    return html, [e.code for e in errors], [w.code for w in warnings]


# --- Description ---------------------------------------------------------------------------------


def test_the_markdown_subset_renders():
    html, errors, warnings = desc(
        "Track **orders** and *refunds*.\n\n- one\n- two\n\n1. first\n2. second\n\n"
        "[Docs](https://acme.example.com/docs)"
    )
    assert errors == [] and warnings == []
    assert "<strong>orders</strong>" in html and "<em>refunds</em>" in html
    assert "<ul>" in html and "<ol>" in html and html.count("<li>") == 4
    assert (
        '<a href="https://acme.example.com/docs" rel="nofollow noopener noreferrer">Docs</a>'
        in html
    )


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "Hi <img src=x onerror=alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
        "<!-- comment --> text",
        "<iframe src=//evil.example></iframe>",
    ],
)
def test_html_is_refused_and_never_rendered(source):
    html, errors, _ = desc(source)
    assert "description.html" in errors
    assert "<script" not in html and "<img" not in html and "<iframe" not in html
    assert "onerror" not in html.replace("onerror=alert(1)&gt;", "") or "&lt;img" in html


@pytest.mark.parametrize(
    "link",
    [
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](http://acme.example.com)",
        "[x](//evil.example)",
        "[x](/relative)",
        "[x](vbscript:msgbox)",
        "[x](https://localhost)",
        "[x](ftp://acme.example.com)",
    ],
)
def test_links_must_be_https(link):
    html, errors, _ = desc(f"See {link}.")
    assert errors == ["description.link"]
    assert "javascript:" not in html.lower().replace("[x](javascript:alert(1))", "")
    assert 'href="http:' not in html and 'href="javascript' not in html.lower()


def test_visible_length_counts_what_readers_see_not_the_markup():
    visible_500 = "a" * 490 + " **bold**"  # 490 + 1 + 4 visible = 495
    html, errors, _ = desc(visible_500 + " [link](https://acme.example.com/a/very/long/path)")
    assert errors == []
    assert len(text.visible_text(html)) == 500


def test_501_visible_characters_are_too_many():
    html, errors, _ = desc("a" * 501)
    assert errors == ["description.too_long"]
    _, errors, _ = desc("a" * 500)
    assert errors == []


def test_whitespace_runs_count_once():
    assert text.visible_text(text.render_markdown("a   b\n\n\nc")) == "a b c"


def test_source_limit_protects_the_renderer():
    _, errors, _ = desc("*" * 5000)
    assert errors == ["description.too_long"]


def test_unsupported_markdown_is_advice():
    html, errors, warnings = desc("# Title\n\n![logo](https://x.example/a.png)\n\n> quote")
    assert errors == []
    assert warnings.count("description.unsupported_markdown") == 3
    assert "<h1>" not in html and "<img" not in html and "<blockquote>" not in html


def test_bidi_overrides_are_refused():
    _, errors, _ = desc("Safe text \u202eevil")
    assert errors == ["description.invalid_characters"]


def test_required_only_when_submitting():
    assert text.check_description("", required=True)[2][0].code == "description.required"
    assert text.check_description("", required=False)[2] == []


# --- Name ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "name.required"),
        ("A", "name.length"),
        ("x" * 81, "name.length"),
        ("!!!", "name.no_letters"),
        ("データ", "name.no_slug"),
        ("Acme\u200bEvents", "name.invalid_characters"),
        ("Acme\u202eEvents", "name.invalid_characters"),
    ],
)
def test_bad_names(value, code):
    assert code in [p.code for p in text.check_name(value)[1]]


def test_name_whitespace_is_normalised():
    assert text.check_name("  Acme \t Events ") == ("Acme Events", [])


# --- Website, pull request, email, captions -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("javascript:alert(1)", "website.scheme"),
        ("ftp://acme.example.com", "website.scheme"),
        ("acme.example.com", "website.scheme"),
        ("https://user:pw@acme.example.com", "website.credentials"),
        ("https://localhost", "website.host"),
        ("https://acme example.com", "website.invalid"),
        ("https://" + "a" * 500 + ".com", "website.too_long"),
        ("", "website.required"),
    ],
)
def test_bad_websites(value, code):
    assert [p.code for p in text.check_website(value)[1]] == [code]


def test_http_website_is_allowed_with_advice():
    url, errors, warnings = text.check_website("http://acme.example.com")
    assert errors == [] and [w.code for w in warnings] == ["website.insecure"]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("https://github.com/someone/fork/pull/12", "pr_url.wrong_repository"),
        (f"{REPO}/issues/12", "pr_url.not_pull_request"),
        (f"{REPO}/pull/12?x=1", "pr_url.query"),
        ("http://github.com/segmentio/action-destinations/pull/12", "pr_url.not_https"),
        (
            "https://github.com.evil.example/segmentio/action-destinations/pull/1",
            "pr_url.wrong_host",
        ),
        ("", "pr_url.required"),
    ],
)
def test_bad_pull_request_links(value, code):
    assert [p.code for p in text.check_pr_url(value, repository=REPO)[1]] == [code]


def test_pull_request_link_is_made_canonical():
    value = "https://github.com/SegmentIO/Action-Destinations/pull/12/"
    assert text.check_pr_url(value, repository=REPO) == (f"{REPO}/pull/12", [])


@pytest.mark.parametrize("value", ["nope", "a@b", "Support <s@acme.example.com>", "s@acme..com"])
def test_bad_support_emails(value):
    assert text.check_support_email(value)[1][0].code == "support_email.invalid"


def test_support_email_domain_is_lowercased():
    assert text.check_support_email("Help@ACME.Example.com") == ("Help@acme.example.com", [])


def test_captions():
    assert text.check_caption("  The   dashboard ", field="caption_1") == ("The dashboard", [])
    assert text.check_caption("x" * 201, field="caption_1")[1][0].code == "caption.too_long"


# --- Categories and the whole set ----------------------------------------------------------------


def test_categories_by_slug_or_name():
    assert check_categories("Analytics", "crm", categories=CATEGORIES) == ("analytics", "crm", {})
    _, _, problems = check_categories(
        "security & fraud", "Security-and-fraud", categories=CATEGORIES
    )
    assert problems["secondary_category"][0].code == "category.same"
    _, _, problems = check_categories("Astrology", "", categories=CATEGORIES)
    assert problems["primary_category"][0].code == "category.unknown"
    _, _, problems = check_categories("", "", categories=CATEGORIES)
    assert problems["primary_category"][0].code == "category.required"


def test_validate_text_fields_collects_everything_at_once():
    report = validate_text_fields(
        {
            "name": "",
            "description": "<b>x</b>",
            "website": "ftp://x",
            "primary_category": "",
            "support_email": "x",
            "pr_url": "nope",
            "captions": ["ok", "y" * 300, "third"],
        },
        categories=CATEGORIES,
        repository=REPO,
    )
    assert not report.ok
    assert set(report.errors) == {
        "name",
        "description",
        "website",
        "primary_category",
        "support_email",
        "pr_url",
        "captions",
        "caption_2",
    }


def test_draft_mode_skips_required_but_checks_what_is_filled():
    report = validate_text_fields(
        {"website": "javascript:alert(1)"}, categories=CATEGORIES, repository=REPO, required=False
    )
    assert list(report.errors) == ["website"]


def test_check_website_returns_the_address_normalised():
    from catalog.validation.text import check_website

    url, problems, _ = check_website('https://Acme.Example.com/x"><script>')
    assert not problems
    assert url == "https://acme.example.com/x%22%3E%3Cscript%3E"
