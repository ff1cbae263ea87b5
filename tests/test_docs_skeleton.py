"""The documentation skeleton: front matter, the guide's include snippets and sections, built
from the integration's data; downloadable and shown with a copy button."""

import json

import pytest

from catalog import docs_skeleton
from catalog.docs_skeleton import DocsInput
from catalog.models import MetadataRevision, PullRequest, Stage
from tests.fixtures_spec import EXAMPLES, catalog_definition, catalog_record, make_revision

SLUG = EXAMPLES[("cloud", "basic")]  # Aampe (Actions)


def real_input(**overrides) -> DocsInput:
    record = catalog_record(SLUG)
    definition = catalog_definition(SLUG)
    data = {
        "name": record["name"],
        "slug": record["slug"],
        "mode": definition["mode"],
        "website": record["website"],
        "description": "Aampe personalises messages for every customer.",
        "partner_name": "Aampe Inc.",
        "settings": definition["settings"],
        "actions": definition["actions"],
    }
    return DocsInput(**{**data, **overrides})


def front_matter(markdown: str) -> list[str]:
    lines = markdown.splitlines()
    assert lines[0] == "---"
    end = lines.index("---", 1)
    return lines[1:end]


def test_path_is_the_docs_repository_location():
    assert docs_skeleton.docs_path("actions-aampe") == (
        "src/connections/destinations/catalog/actions-aampe/index.md"
    )


def test_front_matter_has_the_title_and_hides_the_boilerplate():
    matter = front_matter(docs_skeleton.render(real_input()))
    assert matter == [
        'title: "Aampe (Actions) Destination"',
        "hide-boilerplate: true",
        "hide-dossier: true",
    ]


def test_the_three_include_snippets_are_there_exactly_as_the_guide_names_them():
    markdown = docs_skeleton.render(real_input())
    assert '{% include content/plan-grid.md name="actions" %}' in markdown
    assert "{% include content/ajs-upgrade.md %}" in markdown
    assert "{% include components/actions-fields.html %}" in markdown


def test_the_sections_the_guide_asks_for_are_there_in_order():
    markdown = docs_skeleton.render(real_input())
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Benefits of Aampe (Actions)",
        "## Getting started",
        "## Breaking changes",
        "## Migration steps",
    ]
    # Purpose: the description, with a link to the website, before the first section.
    intro = markdown.split("## Benefits")[0]
    assert "[Aampe (Actions)](https://aampe.com/) Aampe personalises messages" in intro


def test_benefits_and_steps_come_from_the_spec():
    markdown = docs_skeleton.render(real_input())
    assert "- **Upsert User Profile**: Upsert User Profile in Aampe (Actions)." in markdown
    assert "- **Send Event**" in markdown
    assert "4. Enter your Username in the destination's settings." in markdown
    assert "5. Enter your Password in the destination's settings." in markdown
    assert "6. Turn on the destination" in markdown


def test_without_data_the_sections_have_prompts_to_fill_in():
    markdown = docs_skeleton.render(DocsInput(name="Acme Events", slug="acme-events"))
    assert "<!-- Describe what Acme Events does" in markdown
    assert "- <!-- A benefit or feature of the destination. -->" in markdown


def test_hostile_text_cannot_break_the_front_matter_or_inject_liquid_or_html():
    name = 'Evil"\n---\ntitle: x {% include secrets %} <script>alert(1)</script>'
    markdown = docs_skeleton.render(
        real_input(
            name=name,
            description="{{ site.secret }} <img src=x onerror=alert(1)>",
            website="javascript:alert(1)",
        )
    )
    matter = front_matter(markdown)
    assert len(matter) == 3
    title = json.loads(matter[0].removeprefix("title: "))
    assert "\n" not in title and "{%" not in title
    body = markdown.split("---", 2)[2]
    assert "<script>" not in body and "<img" not in body
    assert "{{ site" not in body and "{% include secrets" not in body
    assert "javascript:" not in body
    # The real snippets stay intact.
    assert body.count("{% include") == 3


# --- Pages -----------------------------------------------------------------------------------


@pytest.fixture
def building(integration):
    integration.stage = Stage.BUILD
    integration.save(update_fields=["stage"])
    make_revision(integration, catalog_definition(SLUG), status="approved")
    MetadataRevision.objects.create(
        integration=integration,
        number=1,
        name="Acme Events",
        website="https://acme.example.com",
        description="Acme Events counts what matters.",
        support_email="secret-support@acme.example.com",
    )
    return integration


@pytest.mark.django_db
def test_download_is_a_markdown_attachment_named_index_md(partner_client, building):
    response = partner_client.get(f"/partner/integrations/{building.pk}/docs/index.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="index.md"'
    text = response.content.decode()
    assert text.startswith('---\ntitle: "Acme Events Destination"')
    assert "[Acme Events](https://acme.example.com) Acme Events counts what matters." in text
    assert "secret-support" not in text


@pytest.mark.django_db
def test_docs_page_shows_the_skeleton_with_a_copy_button_and_the_path(partner_client, building):
    response = partner_client.get(f"/partner/integrations/{building.pk}/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-copy-target="#docs-skeleton"' in html
    assert 'id="docs-skeleton"' in html
    assert "src/connections/destinations/catalog/acme-events/index.md" in html
    assert "{% include components/actions-fields.html %}" in html
    assert "secret-support" not in html


@pytest.mark.django_db
def test_recording_the_docs_pull_request_from_the_docs_page(partner_client, building):
    response = partner_client.post(
        f"/partner/integrations/{building.pk}/docs/",
        {"url": "https://github.com/segmentio/segment-docs/pull/8123", "description": ""},
    )
    assert response.status_code == 302
    pr = PullRequest.objects.get()
    assert (pr.kind, pr.url) == ("docs", "https://github.com/segmentio/segment-docs/pull/8123")


@pytest.mark.django_db
def test_a_docs_link_on_another_repository_is_refused_on_the_page(partner_client, building):
    response = partner_client.post(
        f"/partner/integrations/{building.pk}/docs/",
        {"url": "https://github.com/acme/segment-docs/pull/1"},
    )
    assert response.status_code == 422
    assert "must be on https://github.com/segmentio/segment-docs" in response.content.decode()
    assert PullRequest.objects.count() == 0


# --- Issue 11: every brace escaped, only https links ---------------------------------------------


@pytest.mark.parametrize(
    "hostile",
    [
        "{{{ site.github }}}",
        "{{ page.secret }}",
        "{% include ../../_config.yml %}",
        "{{% raw %}}",
        "{ {{ x }} }",
        "{%- assign a = 1 -%}",
    ],
)
def test_no_liquid_survives_in_partner_text(hostile):
    markdown = docs_skeleton.render(
        real_input(name=f"Acme {hostile}", description=hostile, partner_name=hostile)
    )
    for snippet in docs_skeleton.SNIPPETS:
        markdown = markdown.replace(snippet, "")
    assert "{{" not in markdown and "{%" not in markdown
    assert "{" not in markdown and "}" not in markdown


@pytest.mark.parametrize(
    "link",
    [
        "[click](javascript:alert(document.domain))",
        "[click](JavaScript:alert(1))",
        "[click]( javascript:alert(1) )",
        "[click](http://plain.example.com)",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
    ],
)
def test_non_https_links_in_partner_text_are_dropped(link):
    markdown = docs_skeleton.render(real_input(description=f"See {link} now."))
    assert "See click now." in markdown
    assert "](" not in markdown.split("See ", 1)[1].split("\n", 1)[0]


def test_https_links_in_partner_text_stay():
    markdown = docs_skeleton.render(real_input(description="See [docs](https://acme.example.com)."))
    assert "[docs](https://acme.example.com)" in markdown


def test_a_reference_definition_in_a_name_cannot_define_a_link():
    markdown = docs_skeleton.render(real_input(name="[x]: javascript:alert(1)"))
    assert "[x]: javascript" not in markdown


def test_an_http_website_is_not_linked():
    markdown = docs_skeleton.render(real_input(website="http://acme.example.com"))
    assert "](http://acme.example.com)" not in markdown
