"""``import_catalog``: all 508 entries of the existing catalog, grandfathering, idempotence,
refusing malformed files without writing anything."""

import copy
import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import AuditLog, Integration, MetadataRevision, Stage
from catalog.services.catalog_import import (
    CatalogFileError,
    catalog_import,
    check_catalog_data,
    render_description,
)
from tests import factories
from tests.data.catalog import SEGMENT_FILE

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def segment_data():
    return json.loads(SEGMENT_FILE.read_text())


def _entry(**overrides) -> dict:
    entry = {
        "id": "abc123",
        "name": "Example",
        "slug": "example",
        "description": "Sends **events**.",
        "categories": ["Analytics"],
        "status": "PUBLIC",
        "website": "https://example.com",
        "logo_url": "https://cdn.example.com/logo.svg",
        "mark_url": "https://cdn.example.com/mark.svg",
    }
    entry.update(overrides)
    return entry


def _write(tmp_path, data) -> str:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data))
    return str(path)


def _snapshot():
    return {
        model._meta.label: sorted(map(repr, model.objects.values()))
        for model in apps.get_app_config("catalog").get_models()
        if model._meta.label
        in ("catalog.Integration", "catalog.MetadataRevision", "catalog.AuditLog")
    }


def test_imports_all_508_entries_and_reports_grandfathered(segment_data):
    # when
    out = StringIO()
    call_command("import_catalog", str(SEGMENT_FILE), stdout=out)
    # then
    output = out.getvalue()
    assert "508 entries: 508 created, 0 updated, 0 unchanged, 0 skipped." in output
    assert Integration.objects.filter(is_imported=True, partner=None).count() == 508
    assert Integration.objects.filter(stage=Stage.PUBLIC).count() == 503
    private = set(
        Integration.objects.filter(stage=Stage.PRIVATE_BETA).values_list("slug", flat=True)
    )
    assert private == {
        e["slug"] for e in segment_data["destinations"] if e["status"] == "PRIVATE_BETA"
    }
    assert MetadataRevision.objects.filter(status="approved").count() == 508
    assert not Integration.objects.filter(live_metadata=None).exists()
    # the grandfathered ones: counted and named in the report
    expected = sum(
        1 for e in segment_data["destinations"] if len(e["categories"]) > 2 or not e["categories"]
    )
    grandfathered = Integration.objects.filter(grandfathered=True)
    assert grandfathered.count() >= expected
    assert f"{grandfathered.count()} grandfathered" in output
    assert "more than two categories" in output and "no category" in output
    assert "category outside the 22" in output and "description too long" in output
    user_com = Integration.objects.get(slug="user-com")
    assert "category “Email” is not one of the 22" in user_com.grandfathered_reasons
    assert "User.com (user-com):" in output
    # a grandfathered entry keeps its categories as given
    webengage = next(e for e in segment_data["destinations"] if e["slug"] == "webengage")
    listing_categories = Integration.objects.get(slug="webengage").live_metadata.extra_categories
    assert listing_categories == webengage["categories"]
    # external data kept
    one_flow = Integration.objects.get(slug="1flow")
    assert one_flow.external_id == "637e8d185e2dec264895ea89"
    assert one_flow.live_metadata.logo_external_url.startswith("https://cdn-devcenter.segment.com/")
    assert one_flow.live_metadata.support_email == ""
    # and they are in the public catalog and its API
    assert AuditLog.objects.filter(action="catalog.integration.imported").count() == 508


def test_second_import_changes_nothing(client):
    call_command("import_catalog", str(SEGMENT_FILE), stdout=StringIO())
    before = _snapshot()
    out = StringIO()
    call_command("import_catalog", str(SEGMENT_FILE), stdout=out)
    assert "0 created, 0 updated, 508 unchanged" in out.getvalue()
    assert _snapshot() == before


def test_imported_catalog_is_served_publicly(client):
    call_command("import_catalog", str(SEGMENT_FILE), stdout=StringIO())
    data = client.get("/api/v1/catalog/?page_size=100").json()
    assert data["count"] == 503
    assert client.get("/catalog/1flow/").status_code == 200
    assert "1Flow" in client.get("/catalog/?q=1flow").content.decode()
    assert client.get("/catalog/?category=analytics").status_code == 200


def test_json_report(tmp_path):
    out = StringIO()
    call_command("import_catalog", str(SEGMENT_FILE), "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["total"] == 508 and report["created"] == 508
    assert {g["slug"] for g in report["grandfathered"]} == set(
        Integration.objects.filter(grandfathered=True).values_list("slug", flat=True)
    )


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([], "top level: [] is not of type 'object'"),
        ({"destinations": "x"}, "destinations: 'x' is not of type 'array'"),
        ({"destinations": [_entry(status="GONE")]}, "destinations[0].status"),
        ({"destinations": [_entry(slug="has space")]}, "destinations[0].slug"),
        ({"destinations": [_entry(name="")]}, "destinations[0].name"),
        ({"destinations": [_entry(categories="Analytics")]}, "destinations[0].categories"),
        ({"destinations": [_entry(), _entry(name="Other")]}, "'example' repeats destinations[0]"),
        ({"destinations": [_entry(), _entry(slug="other")]}, "'Example' repeats destinations[0]"),
        ({"count": 5, "destinations": [_entry()]}, "count: says 5 but the file has 1 entries"),
    ],
    ids=[
        "list",
        "not-a-list",
        "status",
        "slug",
        "empty-name",
        "categories",
        "dup-slug",
        "dup-name",
        "count",
    ],
)
def test_malformed_file_is_refused_with_the_place_named(tmp_path, data, problem):
    path = _write(tmp_path, data)
    with pytest.raises(CommandError) as exc:
        call_command("import_catalog", path, stdout=StringIO())
    assert problem in str(exc.value)
    assert "Nothing was imported" in str(exc.value)
    assert Integration.objects.count() == 0


def test_one_bad_entry_at_the_end_imports_nothing(tmp_path, segment_data):
    data = copy.deepcopy(segment_data)
    data["destinations"][-1]["slug"] = None
    with pytest.raises(CommandError) as exc:
        call_command("import_catalog", _write(tmp_path, data), stdout=StringIO())
    assert "destinations[507].slug" in str(exc.value)
    assert Integration.objects.count() == 0 and MetadataRevision.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"{not json", "is not valid JSON"), (b"\xff\xfe", "is not UTF-8")],
)
def test_unreadable_file_is_refused(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_catalog", str(path), stdout=StringIO())


def test_missing_file_exits_with_status_1(tmp_path):
    from django.core.management import ManagementUtility

    utility = ManagementUtility(["manage.py", "import_catalog", str(tmp_path / "nope.json")])
    with pytest.raises(SystemExit) as exc:
        utility.execute()
    assert exc.value.code == 1


def test_description_is_sanitised_and_links_https_only():
    html = render_description(
        "Hi <script>alert(1)</script> [ok](https://a.example) [bad](javascript:alert(1)) "
        "[plain](http://b.example) <img src=x onerror=alert(1)>"
    )
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # raw HTML is shown as text, never run
    assert '<a href="https://a.example" rel="nofollow noopener noreferrer">ok</a>' in html
    assert "http://b.example" not in html


def test_description_breaking_todays_rules_is_kept_and_reported():
    report = catalog_import(entries=[_entry(description="Has <b>html</b> and [a](http://x.io).")])
    (item,) = report.grandfathered
    assert any(r.startswith("description: HTML isn't allowed") for r in item["reasons"])
    assert any("Links must be https://" in r for r in item["reasons"])
    revision = Integration.objects.get(slug="example").live_metadata
    assert revision.description == "Has <b>html</b> and [a](http://x.io)."  # kept as given
    assert "<b>" not in revision.description_html  # but never rendered as HTML


def test_unsafe_urls_are_left_out_and_reported():
    report = catalog_import(
        entries=[_entry(website="javascript:alert(1)", logo_url="data:image/svg+xml,<svg/>")]
    )
    integration = Integration.objects.get(slug="example")
    assert integration.live_metadata.website == ""
    assert integration.live_metadata.logo_external_url == ""
    assert integration.grandfathered
    assert report.grandfathered[0]["reasons"][0].startswith("website “javascript:alert(1)”")


def test_changed_entry_gets_a_new_approved_revision():
    catalog_import(entries=[_entry(status="PRIVATE_BETA")])
    integration = Integration.objects.get(slug="example")
    assert integration.stage == Stage.PRIVATE_BETA and integration.public_since is None
    report = catalog_import(entries=[_entry(description="New words.", status="PUBLIC")])
    assert report.updated == ["example"]
    integration.refresh_from_db()
    assert integration.stage == Stage.PUBLIC and integration.public_since is not None
    assert integration.live_metadata.number == 2
    assert integration.live_metadata.description_html == "<p>New words.</p>"


def test_slug_or_name_of_a_partner_integration_is_skipped(integration):
    report = catalog_import(
        entries=[
            _entry(slug="acme-events", name="Whatever"),
            _entry(slug="other", name="ACME events"),
        ]
    )
    assert [s["slug"] for s in report.skipped] == ["acme-events", "other"]
    integration.refresh_from_db()
    assert not integration.is_imported and integration.live_metadata is None
    assert Integration.objects.count() == 1


def test_check_accepts_the_project_copy(segment_data):
    assert len(check_catalog_data(segment_data)) == 508


def test_refusal_is_an_application_error():
    with pytest.raises(CatalogFileError) as exc:
        check_catalog_data({"destinations": [{}]})
    assert exc.value.status == 400 and exc.value.problems


def test_partner_integration_untouched_by_import(partner):
    own = factories.IntegrationFactory(partner=partner, name="Own Thing", slug="own-thing")
    call_command("import_catalog", str(SEGMENT_FILE), stdout=StringIO())
    own.refresh_from_db()
    assert not own.is_imported and own.partner == partner


@pytest.mark.django_db
def test_listing_status_and_docs_link_come_from_the_data(tmp_path):
    data = {
        "destinations": [
            _entry(status="PUBLIC_BETA", docs_url="https://segment.com/docs/example/"),
            _entry(id="def456", name="Other", slug="other", status="PUBLIC"),
        ]
    }
    call_command("import_catalog", _write(tmp_path, data), stdout=StringIO())
    statuses = dict(Integration.objects.values_list("slug", "listing_status"))
    assert statuses == {"example": "public_beta", "other": "public"}
    assert Integration.objects.get(slug="example").docs_url == "https://segment.com/docs/example/"
    # importing the same file again changes nothing
    before = _snapshot()
    call_command("import_catalog", _write(tmp_path, data), stdout=StringIO())
    assert _snapshot() == before
