"""The spec pages: the editor without JavaScript (add and remove keep input), uploads and
exports, staff review pages, pull-request pages with the deploy date, change-request pages."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import ChangeRequest, PullRequest, ReviewStatus, SpecRevision, Stage
from catalog.validation.spec import MAX_BYTES
from tests import factories
from tests.fixtures_spec import acme_definition, make_live, make_revision

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")
PR = "https://github.com/segmentio/action-destinations/pull/4100"


def url(integration, rest=""):
    return f"/partner/integrations/{integration.pk}/{rest}"


def editor_post(**extra):
    """A filled editor: one setting, one action with one field, one preset."""
    data = {
        "meta-mode": "cloud",
        "meta-scheme": "custom",
        "meta-description": "Sends events to Acme.",
        "s-0-key": "apiKey",
        "s-0-label": "API Key",
        "s-0-type": "password",
        "s-0-required": "on",
        "s-0-default": "",
        "s-0-choices": "",
        "s-0-description": "From Settings › API keys.",
        "a-0-key": "trackEvent",
        "a-0-title": "Track Event",
        "a-0-description": "Sends a track call.",
        "a-0-defaultSubscription": 'type = "track"',
        "a-0-f-0-key": "email",
        "a-0-f-0-label": "Email",
        "a-0-f-0-type": "string",
        "a-0-f-0-default": "$.properties.email",
        "a-0-f-0-description": "",
        "p-0-name": "Track Calls",
        "p-0-partnerAction": "trackEvent",
        "p-0-subscribe": 'type = "track"',
    }
    data.update(extra)
    return data


@pytest.fixture
def spec_stage(integration):
    integration.stage = Stage.SPEC
    integration.save(update_fields=["stage"])
    return integration


# --- The editor ----------------------------------------------------------------------------------


def test_the_editor_starts_empty_with_the_integrations_mode(partner_client, spec_stage):
    response = partner_client.get(url(spec_stage, "spec/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="meta-mode"' in html and "No settings yet." in html
    assert 'data-template="fields"' in html


def test_saving_the_form_makes_a_draft_revision_with_the_typed_values(partner_client, spec_stage):
    response = partner_client.post(url(spec_stage, "spec/"), editor_post(op="save"))
    assert response.status_code == 302
    revision = SpecRevision.objects.get()
    assert revision.status == ReviewStatus.DRAFT
    d = revision.definition
    assert d["settings"][0] == {
        "key": "apiKey",
        "label": "API Key",
        "description": "From Settings › API keys.",
        "type": "password",
        "required": True,
        "default": None,
        "choices": [],
    }
    assert d["actions"][0]["fields"][0]["default"] == "$.properties.email"
    assert d["actions"][0]["defaultSubscription"] == 'type = "track"'
    assert d["presets"] == [
        {"name": "Track Calls", "partnerAction": "trackEvent", "subscribe": 'type = "track"'}
    ]


def test_submit_button_sends_it_for_review(partner_client, spec_stage):
    response = partner_client.post(url(spec_stage, "spec/"), editor_post(op="submit"))
    assert response.status_code == 302
    assert SpecRevision.objects.get().status == ReviewStatus.SUBMITTED


def test_add_setting_without_javascript_keeps_every_value_and_saves_nothing(
    partner_client, spec_stage
):
    response = partner_client.post(url(spec_stage, "spec/"), editor_post(op="add-setting"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="s-0-key" value="apiKey"' in html
    assert 'name="a-0-f-0-default" value="$.properties.email"' in html
    assert 'name="s-1-key"' in html  # the new, empty row
    assert "Sends a track call." in html
    assert SpecRevision.objects.count() == 0


def test_add_field_goes_to_the_action_it_was_asked_for(partner_client, spec_stage):
    data = editor_post(op="add-field:5")
    # Posted indexes need not be contiguous (JavaScript may have removed rows).
    data = {k.replace("a-0-", "a-5-"): v for k, v in data.items()}
    response = partner_client.post(url(spec_stage, "spec/"), data)
    html = response.content.decode()
    assert 'name="a-0-f-0-key" value="email"' in html
    assert 'name="a-0-f-1-key"' in html


def test_remove_buttons_remove_only_their_row(partner_client, spec_stage):
    data = editor_post(
        op="remove-setting:0",
        **{"s-3-key": "region", "s-3-label": "Region", "s-3-type": "string"},
    )
    html = partner_client.post(url(spec_stage, "spec/"), data).content.decode()
    assert 'value="apiKey"' not in html
    assert 'name="s-0-key" value="region"' in html
    html = partner_client.post(
        url(spec_stage, "spec/"), editor_post(op="remove-field:0:0")
    ).content.decode()
    assert 'name="a-0-f-0-key"' not in html and 'name="a-0-key" value="trackEvent"' in html
    html = partner_client.post(
        url(spec_stage, "spec/"), editor_post(op="remove-action:0")
    ).content.decode()
    assert 'name="a-0-key"' not in html and 'name="p-0-name" value="Track Calls"' in html


def test_blank_rows_are_left_out_when_saving(partner_client, spec_stage):
    data = editor_post(op="save", **{"s-1-key": "", "s-1-label": "", "s-1-type": "string"})
    assert partner_client.post(url(spec_stage, "spec/"), data).status_code == 302
    assert len(SpecRevision.objects.get().definition["settings"]) == 1


def test_a_bad_mapping_is_shown_next_to_its_field_and_nothing_is_saved(partner_client, spec_stage):
    data = editor_post(op="save", **{"a-0-f-0-default": "$.properties..email"})
    response = partner_client.post(url(spec_stage, "spec/"), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_a-0-f-0-default_errors"' in html
    assert "isn&#x27;t a valid mapping" in html
    assert 'value="$.properties..email"' in html
    assert SpecRevision.objects.count() == 0


def test_a_missing_key_is_shown_next_to_it(partner_client, spec_stage):
    response = partner_client.post(url(spec_stage, "spec/"), editor_post(**{"s-0-key": ""}))
    assert response.status_code == 422
    assert "Give the setting a key" in response.content.decode()
    assert SpecRevision.objects.count() == 0


def test_choosing_device_mode_mobile_points_to_plugins(partner_client, spec_stage):
    response = partner_client.post(
        url(spec_stage, "spec/"), editor_post(**{"meta-mode": "device-mobile"})
    )
    assert response.status_code == 422
    assert "plugin" in response.content.decode()
    assert SpecRevision.objects.count() == 0


@pytest.mark.parametrize("op", ["delete-everything", "remove-setting:x", "add-field:"])
def test_an_unknown_op_is_a_400(partner_client, spec_stage, op):
    response = partner_client.post(url(spec_stage, "spec/"), editor_post(op=op))
    assert response.status_code == 400
    assert SpecRevision.objects.count() == 0


def test_thousands_of_posted_rows_are_refused(partner_client, spec_stage):
    data = {f"s-{i}-key": f"k{i}" for i in range(70)}
    response = partner_client.post(url(spec_stage, "spec/"), {**editor_post(), **data})
    assert response.status_code == 400
    assert "Too many rows" in response.content.decode()


def test_a_live_integrations_spec_page_points_to_change_requests(partner_client, integration):
    make_live(integration)
    response = partner_client.get(url(integration, "spec/"))
    html = response.content.decode()
    assert "change request" in html and 'name="meta-mode"' not in html
    response = partner_client.post(url(integration, "spec/"), editor_post(op="save"))
    assert response.status_code == 409
    assert SpecRevision.objects.count() == 1


def test_staff_see_the_editor_but_cannot_save(client, staff_user, spec_stage):
    client.force_login(staff_user)
    assert client.get(url(spec_stage, "spec/")).status_code == 200
    response = client.post(url(spec_stage, "spec/"), editor_post(op="save"))
    assert response.status_code == 403
    assert SpecRevision.objects.count() == 0


def test_review_comments_are_shown_to_the_partner(partner_client, staff_user, spec_stage):
    revision = make_revision(spec_stage, status="changes_requested")
    revision.review_comment = "Almost."
    revision.field_comments = {"settings.apiKey": "Where is the key found?"}
    revision.save()
    html = partner_client.get(url(spec_stage, "spec/")).content.decode()
    assert "Almost." in html
    assert "Setting “API Key” (apiKey)" in html and "Where is the key found?" in html


def test_a_staff_comment_stands_beside_its_part_of_the_editor(partner_client, spec_stage):
    definition = acme_definition(spec_stage)
    action = definition["actions"][0]
    field_key = action["fields"][0]["key"]
    revision = make_revision(spec_stage, definition, status="changes_requested")
    revision.field_comments = {
        "settings.apiKey": "Where is the key found?",
        f"actions.{action['key']}.fields.{field_key}": "Map it from traits.",
        "mode": "Cloud mode, please.",
    }
    revision.save()
    html = partner_client.get(url(spec_stage, "spec/")).content.decode()
    # each comment sits in the editor beside its part (the row's key field follows it)
    for text, key in (
        ("Where is the key found?", 'value="apiKey"'),
        ("Map it from traits.", f'value="{field_key}"'),
    ):
        note = html.index(f"<strong>Staff comment:</strong> {text}")
        assert 0 < html.index(key, note) - note < 2000
    assert "Staff comment on the mode:</strong> Cloud mode, please." in html


def test_an_approved_reviews_comments_are_not_repeated_in_the_editor(partner_client, spec_stage):
    revision = make_revision(spec_stage, status="approved")
    revision.field_comments = {"settings.apiKey": "Fine."}
    revision.save()
    html = partner_client.get(url(spec_stage, "spec/")).content.decode()
    assert "spec-staff-comment" not in html


def test_a_re_review_shows_what_changed_since_the_last_review_and_what_was_asked(
    staff_client, spec_stage
):
    # given r1 sent back with comments, then r2 submitted with a new setting
    first = make_revision(spec_stage, status="changes_requested")
    first.review_comment = "Add a region setting."
    first.field_comments = {"settings.apiKey": "Say where the key is."}
    first.save()
    definition = acme_definition(spec_stage)
    definition["settings"].append(
        {"key": "subdomain", "label": "Subdomain", "type": "string", "required": False}
    )
    make_revision(spec_stage, definition, status="submitted")
    # when
    html = staff_client.get(f"/staff/integrations/{spec_stage.pk}/spec/r2/").content.decode()
    # then
    assert "Since the review of r1 (changes requested" in html
    assert "Add a region setting." in html
    assert "Setting “API Key” (apiKey)</strong>: Say where the key is." in html
    assert "subdomain" in html


def test_the_review_email_names_parts_as_people_read_them(staff_client, partner_user, spec_stage):
    from catalog.models import OutboxMessage

    make_revision(spec_stage, status="submitted")
    staff_client.post(
        f"/staff/integrations/{spec_stage.pk}/spec/r1/",
        {"decision": "request_changes", "c:settings.apiKey": "Where is it found?"},
    )
    mail = OutboxMessage.objects.filter(event="catalog.spec.changes_requested").first()
    assert mail is not None
    assert "Setting “API Key” (apiKey): Where is it found?" in mail.body_text
    assert "settings.apiKey" not in mail.body_text


# --- Upload and export --------------------------------------------------------------------------


def upload(client, integration, content: bytes, name="spec.json"):
    return client.post(
        url(integration, "spec/upload/"),
        {"file": SimpleUploadedFile(name, content, content_type="application/json")},
    )


def test_upload_saves_a_draft(partner_client, spec_stage):
    response = upload(partner_client, spec_stage, json.dumps(acme_definition()).encode())
    assert response.status_code == 302
    revision = SpecRevision.objects.get()
    assert revision.status == ReviewStatus.DRAFT
    assert revision.definition["actions"][0]["key"] == "trackExposure"


@pytest.mark.parametrize(
    ("content", "status", "text"),
    [
        (
            b'{"mode": "cloud", "mode": "device", "authentication": {"scheme": "none"}}',
            422,
            "appears twice",
        ),
        (b"\xff\xfe\x00{", 422, "isn&#x27;t UTF-8"),
        (b"[" * 5000 + b"]" * 5000, 422, "nested more than"),
        (b" " * (MAX_BYTES + 10), 413, "at most 256 KB"),
        (
            b'{"mode": "cloud", "authentication": {"scheme": "none"}, "settings": "x"}',
            422,
            "settings: Must be a list",
        ),
        (b"{oops", 422, "isn&#x27;t valid JSON"),
    ],
)
def test_hostile_uploads_are_refused_clearly_and_nothing_is_saved(
    partner_client, spec_stage, content, status, text
):
    response = upload(partner_client, spec_stage, content)
    assert response.status_code == status
    assert text in response.content.decode()
    assert SpecRevision.objects.count() == 0


def test_upload_without_a_file_is_a_422(partner_client, spec_stage):
    assert partner_client.post(url(spec_stage, "spec/upload/"), {}).status_code == 422


def test_export_is_the_revision_as_a_json_attachment(partner_client, spec_stage):
    revision = make_revision(spec_stage)
    response = partner_client.get(url(spec_stage, f"spec/export/?revision={revision.number}"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="acme-events-spec-r1.json"'
    data = json.loads(response.content)
    assert data["$schema"].endswith("destination_spec.schema.json")
    assert {k: v for k, v in data.items() if k != "$schema"} == revision.definition


def test_export_of_an_unknown_revision_is_a_404(partner_client, spec_stage):
    assert partner_client.get(url(spec_stage, "spec/export/?revision=9")).status_code == 404
    assert partner_client.get(url(spec_stage, "spec/export/?revision=x")).status_code == 404


def test_export_then_upload_round_trips(partner_client, spec_stage):
    make_revision(spec_stage)
    exported = partner_client.get(url(spec_stage, "spec/export/")).content
    assert upload(partner_client, spec_stage, exported).status_code == 302
    first, second = SpecRevision.objects.order_by("number")
    assert first.definition == second.definition


def test_a_draft_is_submitted_from_the_revision_list(partner_client, spec_stage):
    make_revision(spec_stage)
    response = partner_client.post(url(spec_stage, "spec/r1/submit/"))
    assert response.status_code == 302
    assert SpecRevision.objects.get().status == ReviewStatus.SUBMITTED


def test_the_revision_page_shows_the_spec_and_changes_since_the_approved_one(
    partner_client, spec_stage
):
    make_revision(spec_stage, status="approved")
    definition = acme_definition()
    definition["settings"][1]["required"] = True
    make_revision(spec_stage, definition)
    html = partner_client.get(url(spec_stage, "spec/r2/")).content.decode()
    assert "Changes since approved r1" in html
    assert "<del>false</del> → <ins>true</ins>" in html


# --- Staff review pages ---------------------------------------------------------------------------


def test_staff_approve_from_the_review_page(staff_client, spec_stage):
    make_revision(spec_stage, status="submitted")
    page = staff_client.get(f"/staff/integrations/{spec_stage.pk}/spec/r1/")
    assert page.status_code == 200
    assert 'name="c:settings.apiKey"' in page.content.decode()
    response = staff_client.post(
        f"/staff/integrations/{spec_stage.pk}/spec/r1/", {"decision": "approve", "comment": ""}
    )
    assert response.status_code == 302
    assert SpecRevision.objects.get().status == ReviewStatus.APPROVED


def test_staff_request_changes_with_a_field_comment(staff_client, spec_stage):
    make_revision(spec_stage, status="submitted")
    response = staff_client.post(
        f"/staff/integrations/{spec_stage.pk}/spec/r1/",
        {"decision": "request_changes", "c:actions.trackGoal": "Explain the goal."},
    )
    assert response.status_code == 302
    revision = SpecRevision.objects.get()
    assert revision.field_comments == {"actions.trackGoal": "Explain the goal."}


def test_requesting_changes_without_comment_shows_the_error(staff_client, spec_stage):
    make_revision(spec_stage, status="submitted")
    response = staff_client.post(
        f"/staff/integrations/{spec_stage.pk}/spec/r1/", {"decision": "request_changes"}
    )
    assert response.status_code == 422
    assert "Say what needs to change" in response.content.decode()
    assert SpecRevision.objects.get().status == ReviewStatus.SUBMITTED


def test_reviewing_a_revision_already_reviewed_says_so_above_the_page(staff_client, spec_stage):
    # given a revision another reviewer approved while this page was open
    make_revision(spec_stage, status="approved")
    # when
    response = staff_client.post(
        f"/staff/integrations/{spec_stage.pk}/spec/r1/", {"decision": "approve", "comment": ""}
    )
    # then: a conflict, said as a message (the review form no longer applies)
    assert response.status_code == 409
    assert 'class="message message-error"' in response.content.decode()
    assert "not in review" in response.content.decode()


def test_a_comment_on_a_part_not_in_the_spec_is_a_400(staff_client, spec_stage):
    make_revision(spec_stage, status="submitted")
    response = staff_client.post(
        f"/staff/integrations/{spec_stage.pk}/spec/r1/",
        {"decision": "request_changes", "c:settings.nope": "?"},
    )
    assert response.status_code == 400
    assert SpecRevision.objects.get().status == ReviewStatus.SUBMITTED


def test_review_queue_lists_waiting_work_in_few_queries(
    staff_client, django_assert_max_num_queries
):
    for n in range(15):
        integration = factories.IntegrationFactory(stage=Stage.BUILD)
        make_revision(integration, status="submitted")
        PullRequest.objects.create(integration=integration, url=f"{PR[:-4]}{n + 1}", kind="code")
    with django_assert_max_num_queries(12):
        response = staff_client.get("/staff/reviews/spec/")
    assert response.status_code == 200
    assert response.content.decode().count("/spec/r1/") == 15


# --- Pull request pages ------------------------------------------------------------------------


@pytest.fixture
def building(integration):
    integration.stage = Stage.BUILD
    integration.save(update_fields=["stage"])
    return integration


def test_pull_request_page_shows_the_expected_deploy_date(partner_client, building):
    PullRequest.objects.create(integration=building, url=PR, kind="code")
    with time_machine.travel(datetime(2025, 6, 10, 23, 59, tzinfo=LA), tick=False):
        html = partner_client.get(url(building, "pull-requests/")).content.decode()
    assert 'data-deploy-date="2025-06-11"' in html
    assert "Tuesday 2025-06-10 23:59" in html
    with time_machine.travel(datetime(2025, 6, 11, 0, 0, tzinfo=LA), tick=False):
        html = partner_client.get(url(building, "pull-requests/")).content.decode()
    assert 'data-deploy-date="2025-06-18"' in html


def test_recording_a_pull_request_from_the_page(partner_client, building):
    response = partner_client.post(
        url(building, "pull-requests/"),
        {
            "url": PR,
            "description": "Adds actions.",
            "unit_tests_added": "on",
            "tested_end_to_end": "on",
        },
    )
    assert response.status_code == 302
    assert PullRequest.objects.get().url == PR


def test_an_unticked_checklist_is_shown_next_to_the_box(partner_client, building):
    response = partner_client.post(
        url(building, "pull-requests/"), {"url": PR, "description": "Adds actions."}
    )
    assert response.status_code == 422
    assert 'id="id_unit_tests_added_errors"' in response.content.decode()
    assert PullRequest.objects.count() == 0


def test_partner_edits_the_checklist_from_the_page(partner_client, building):
    pr = PullRequest.objects.create(integration=building, url=PR, kind="code", description="x")
    response = partner_client.post(
        url(building, f"pull-requests/{pr.pk}/"),
        {
            f"pr{pr.pk}-description": "Better.",
            f"pr{pr.pk}-unit_tests_added": "on",
            f"pr{pr.pk}-tested_end_to_end": "on",
        },
    )
    assert response.status_code == 302
    pr.refresh_from_db()
    assert pr.description == "Better." and pr.unit_tests_added


def test_staff_mark_merged_with_a_time_in_the_platform_time_zone(staff_client, building):
    pr = PullRequest.objects.create(integration=building, url=PR, kind="code")
    with time_machine.travel(datetime(2025, 6, 11, 12, 0, tzinfo=LA), tick=False):
        response = staff_client.post(
            f"/staff/pull-requests/{pr.pk}/state/",
            {f"pr{pr.pk}-state": "merged", f"pr{pr.pk}-merged_at": "2025-06-10T23:30"},
        )
        assert response.status_code == 302
        pr.refresh_from_db()
        assert pr.merged_at == datetime(2025, 6, 10, 23, 30, tzinfo=LA)
        html = staff_client.get(
            f"/staff/integrations/{building.pk}/pull-requests/"
        ).content.decode()
    assert 'data-deploy-date="2025-06-11"' in html


def test_staff_merge_time_in_the_future_is_shown_next_to_the_field(staff_client, building):
    pr = PullRequest.objects.create(integration=building, url=PR, kind="code")
    with time_machine.travel(datetime(2025, 6, 11, 12, 0, tzinfo=LA), tick=False):
        response = staff_client.post(
            f"/staff/pull-requests/{pr.pk}/state/",
            {f"pr{pr.pk}-state": "merged", f"pr{pr.pk}-merged_at": "2025-06-12T10:00"},
        )
    assert response.status_code == 422
    assert f'id="id_pr{pr.pk}-merged_at_errors"' in response.content.decode()
    pr.refresh_from_db()
    assert pr.state == "open"


# --- Change request pages ------------------------------------------------------------------------


@pytest.fixture
def live(integration):
    make_live(integration)
    return integration


def change_post(integration, **extra):
    data = editor_post(
        **{
            "meta-name": integration.name,
            "meta-slug": integration.slug,
            "pr_url": PR,
            "video_url": "",
            "summary": "",
        }
    )
    data.update(extra)
    return data


def test_the_change_form_starts_from_the_live_spec(partner_client, live):
    html = partner_client.get(url(live, "changes/")).content.decode()
    assert 'name="a-0-key" value="trackExposure"' in html
    assert 'name="meta-name" value="Acme Events"' in html


def test_a_refused_change_names_each_rule_and_field_on_the_page(partner_client, live):
    live_def = live.live_spec.definition
    data = change_post(
        live,
        **{
            "meta-name": "Acme Events Renamed",
            "a-0-key": live_def["actions"][0]["key"],
            "a-0-title": live_def["actions"][0]["title"],
            "a-0-f-0-key": "brandNew",
            "a-0-f-0-required": "on",
            "p-0-partnerAction": live_def["actions"][0]["key"],
        },
    )
    response = partner_client.post(url(live, "changes/"), data)
    assert response.status_code == 422
    html = response.content.decode()
    for rule in (
        "no_new_required_field",
        "name_unchanged",
        "no_deleted_action",
        "video_for_field_changes",
    ):
        assert f'data-rule="{rule}"' in html
    assert 'data-rule-field="actions.trackExposure.fields.brandNew"' in html
    assert 'data-rule-field="actions.trackGoal"' in html
    assert 'id="id_a-0-f-0-required_errors"' in html  # also beside the field itself
    assert ChangeRequest.objects.count() == 0


def test_an_allowed_change_is_filed_from_the_page(partner_client, live):
    data = {
        "meta-name": live.name,
        "meta-slug": live.slug,
        "pr_url": PR,
        "video_url": "",
        "summary": "Same spec, code fix.",
    }
    spec_json = json.dumps(live.live_spec.definition).encode()
    data["spec_file"] = SimpleUploadedFile("spec.json", spec_json, content_type="application/json")
    response = partner_client.post(url(live, "changes/"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    change = ChangeRequest.objects.get()
    page = partner_client.get(url(live, f"changes/{change.pk}/")).content.decode()
    assert "No change to the spec." in page


def test_staff_approve_on_the_change_page_and_see_the_deploy_date(partner_user, staff_client, live):
    from catalog.services import change_requests

    definition = acme_definition(live)
    definition["actions"][0]["fields"][1]["label"] = "Email address"
    change = change_requests.change_request_submit(
        actor=partner_user,
        integration_id=live.pk,
        definition=definition,
        pr_url=PR,
        video_url="https://www.loom.com/share/abc",
    )
    page = staff_client.get(f"/staff/change-requests/{change.pk}/").content.decode()
    assert "<del>Email</del> → <ins>Email address</ins>" in page
    assert 'data-rule="video_for_field_changes"' in page
    with time_machine.travel(datetime(2025, 6, 10, 12, 0, tzinfo=LA), tick=False):
        response = staff_client.post(
            f"/staff/change-requests/{change.pk}/", {"decision": "approve", "comment": ""}
        )
    assert response.status_code == 302
    page = staff_client.get(f"/staff/change-requests/{change.pk}/").content.decode()
    assert "Wednesday 2025-06-11" in page


def test_staff_refuse_without_a_reason_is_shown(partner_user, staff_client, live):
    from catalog.services import change_requests

    change = change_requests.change_request_submit(
        actor=partner_user, integration_id=live.pk, definition=acme_definition(live), pr_url=PR
    )
    response = staff_client.post(f"/staff/change-requests/{change.pk}/", {"decision": "refuse"})
    assert response.status_code == 422
    assert "Say why the change is refused" in response.content.decode()
    change.refresh_from_db()
    assert change.status == "submitted"


# --- Panels on the integration pages -------------------------------------------------------------


def test_partner_panel_shows_the_spec_and_pull_request_state(partner_client, building):
    make_revision(building, status="approved")
    PullRequest.objects.create(integration=building, url=PR, kind="code")
    html = partner_client.get(url(building)).content.decode()
    assert 'data-spec-panel="spec"' in html and "Approved" in html
    assert 'data-spec-panel="pull-request"' in html and PR in html


def test_staff_panel_links_to_the_review(staff_client, building):
    make_revision(building, status="submitted")
    html = staff_client.get(f"/staff/integrations/{building.pk}/").content.decode()
    assert f"/staff/integrations/{building.pk}/spec/r1/" in html
    assert "Waiting for review" in html


@pytest.mark.parametrize(
    "path",
    [
        "spec/export/?revision=99999999999999999999999",
        "spec/r99999999999999999999999/",
        "changes/99999999999999999999999/",
    ],
)
def test_huge_numbers_in_urls_are_a_404_not_an_error(partner_client, spec_stage, path):
    assert partner_client.get(url(spec_stage, path)).status_code == 404


def test_a_huge_from_revision_falls_back_to_the_latest(partner_client, spec_stage):
    make_revision(spec_stage)
    response = partner_client.get(url(spec_stage, "spec/?from=99999999999999999999999"))
    assert response.status_code == 200
    assert 'value="trackExposure"' in response.content.decode()


def test_adding_a_row_on_the_change_form_keeps_the_links_without_errors(partner_client, live):
    data = change_post(live, op="add-setting", video_url="https://www.loom.com/share/x", pr_url="")
    response = partner_client.post(url(live, "changes/"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="https://www.loom.com/share/x"' in html
    assert "This field is required" not in html
    assert ChangeRequest.objects.count() == 0
