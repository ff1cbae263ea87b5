"""Rows for the spec area: spec, pull requests, docs, change requests, staff review pages."""

from tests.access import LOGIN, Row, partner_page, staff_page
from tests.fixtures_spec import acme_definition, make_live, make_revision

PR = "https://github.com/segmentio/action-destinations/pull/5150"


def setup(world):
    from catalog.models import ChangeRequest, PullRequest, Stage
    from tests import factories

    partner = world.partner_user.partner
    world.build = factories.IntegrationFactory(
        partner=partner, name="Acme Build", slug="acme-build", stage=Stage.BUILD
    )
    world.build_revision = make_revision(world.build, status="submitted")
    world.build_pr = PullRequest.objects.create(integration=world.build, url=PR, kind="code")
    world.live = factories.IntegrationFactory(partner=partner, name="Acme Live", slug="acme-live")
    make_live(world.live)
    revision = make_revision(world.live, status="submitted")
    world.change = ChangeRequest.objects.create(
        integration=world.live,
        spec_revision=revision,
        pr_url=PR.replace("5150", "5151"),
        rule_results=[],
        diff={"empty": True},
    )


def own(w) -> str:
    return f"/partner/integrations/{w.integration.pk}/"


def build(w) -> str:
    return f"/partner/integrations/{w.build.pk}/"


def live(w) -> str:
    return f"/partner/integrations/{w.live.pk}/"


PAGE = {**partner_page(), "plain_staff": 403}
# A partner's action: their users may, another partner gets 404, staff are refused by the service.
ACTION_OK = {**partner_page(own=302, staff=403), "plain_staff": 403}


def refused_for_all(status: int) -> dict:
    return {**partner_page(own=status, staff=403), "plain_staff": 403}


def _editor(**extra) -> dict:
    data = {
        "op": "save",
        "meta-mode": "cloud",
        "meta-scheme": "custom",
        "a-0-key": "trackEvent",
        "a-0-title": "Track Event",
        "a-0-f-0-key": "email",
        "a-0-f-0-label": "Email",
        "a-0-f-0-type": "string",
        "a-0-f-0-default": "$.properties.email",
    }
    data.update(extra)
    return data


ROWS = [
    # Partner pages
    Row("spec", lambda w: own(w) + "spec/", PAGE),
    Row(
        "spec-missing-integration",
        lambda w: "/partner/integrations/999999/spec/",
        {"anonymous": LOGIN, "partner": 404, "staff": 404},
    ),
    Row("spec-revision", lambda w: build(w) + "spec/r1/", PAGE),
    Row("spec-revision-missing", lambda w: build(w) + "spec/r9/", partner_page(own=404, staff=404)),
    Row("spec-export", lambda w: build(w) + "spec/export/?revision=1", PAGE),
    Row("pull-requests", lambda w: build(w) + "pull-requests/", PAGE),
    Row("docs", lambda w: build(w) + "docs/", PAGE),
    Row("docs-download", lambda w: build(w) + "docs/index.md", PAGE),
    Row("change-requests", lambda w: live(w) + "changes/", PAGE),
    Row("change-request", lambda w: f"{live(w)}changes/{w.change.pk}/", PAGE),
    Row(
        "change-request-of-another-integration",
        lambda w: f"{build(w)}changes/{w.change.pk}/",
        partner_page(own=404, staff=404),
    ),
    # Partner actions
    Row(
        "spec-save", lambda w: own(w) + "spec/", ACTION_OK, method="post", data=lambda w: _editor()
    ),
    Row(
        "spec-save-invalid",
        lambda w: own(w) + "spec/",
        refused_for_all(422),
        method="post",
        data=lambda w: _editor(**{"a-0-f-0-default": "$.."}),
    ),
    Row(
        "spec-add-row",
        lambda w: own(w) + "spec/",
        {**partner_page(own=200, staff=403), "plain_staff": 403},
        method="post",
        data=lambda w: _editor(op="add-setting"),
    ),
    Row(
        "spec-upload-without-file",
        lambda w: own(w) + "spec/upload/",
        refused_for_all(422),
        method="post",
        data=lambda w: {},
    ),
    Row(
        "spec-submit-draft-missing",
        lambda w: own(w) + "spec/r7/submit/",
        {**refused_for_all(404), "staff": 403},
        method="post",
    ),
    Row(
        "spec-submit-in-review",
        lambda w: build(w) + "spec/r1/submit/",
        {**refused_for_all(409), "staff": 403},
        method="post",
    ),
    Row(
        "pull-request-record-bad-link",
        lambda w: build(w) + "pull-requests/",
        refused_for_all(422),
        method="post",
        data=lambda w: {
            "url": "https://evil.example/pull/1",
            "description": "x",
            "unit_tests_added": "on",
            "tested_end_to_end": "on",
        },
    ),
    Row(
        "pull-request-record",
        lambda w: build(w) + "pull-requests/",
        ACTION_OK,
        method="post",
        data=lambda w: {
            "url": PR.replace("5150", "5152"),
            "description": "x",
            "unit_tests_added": "on",
            "tested_end_to_end": "on",
        },
    ),
    Row(
        "pull-request-edit",
        lambda w: f"{build(w)}pull-requests/{w.build_pr.pk}/",
        ACTION_OK,
        method="post",
        data=lambda w: {
            f"pr{w.build_pr.pk}-description": "Edited",
            f"pr{w.build_pr.pk}-unit_tests_added": "on",
            f"pr{w.build_pr.pk}-tested_end_to_end": "on",
        },
    ),
    Row(
        "docs-pull-request-record",
        lambda w: build(w) + "docs/",
        ACTION_OK,
        method="post",
        data=lambda w: {"url": "https://github.com/segmentio/segment-docs/pull/77"},
    ),
    Row(
        "change-request-while-one-is-pending",
        lambda w: live(w) + "changes/",
        {**refused_for_all(409), "staff": 403},
        method="post",
        data=lambda w: {
            "pr_url": PR.replace("5150", "5153"),
            "spec_file": "",
            **_editor(op="submit", **{"meta-name": "Acme Live", "meta-slug": "acme-live"}),
            **_live_rows(),
        },
    ),
    # Staff pages
    Row("staff-spec-queue", lambda w: "/staff/reviews/spec/", staff_page()),
    Row("staff-spec-review", lambda w: f"/staff/integrations/{w.build.pk}/spec/r1/", staff_page()),
    Row(
        "staff-spec-review-missing",
        lambda w: f"/staff/integrations/{w.build.pk}/spec/r5/",
        staff_page(404),
    ),
    Row(
        "staff-spec-approve",
        lambda w: f"/staff/integrations/{w.build.pk}/spec/r1/",
        staff_page(302),
        method="post",
        data=lambda w: {"decision": "approve"},
    ),
    Row(
        "staff-spec-request-changes-without-comment",
        lambda w: f"/staff/integrations/{w.build.pk}/spec/r1/",
        staff_page(422),
        method="post",
        data=lambda w: {"decision": "request_changes"},
    ),
    Row(
        "staff-pull-requests",
        lambda w: f"/staff/integrations/{w.build.pk}/pull-requests/",
        staff_page(),
    ),
    Row(
        "staff-pull-request-merged",
        lambda w: f"/staff/pull-requests/{w.build_pr.pk}/state/",
        staff_page(302),
        method="post",
        data=lambda w: {f"pr{w.build_pr.pk}-state": "merged"},
    ),
    Row(
        "staff-pull-request-bad-state",
        lambda w: f"/staff/pull-requests/{w.build_pr.pk}/state/",
        staff_page(422),
        method="post",
        data=lambda w: {f"pr{w.build_pr.pk}-state": "closed"},
    ),
    Row(
        "staff-pull-request-missing",
        lambda w: "/staff/pull-requests/999999/state/",
        staff_page(404),
        method="post",
        data=lambda w: {},
    ),
    Row("staff-change-request", lambda w: f"/staff/change-requests/{w.change.pk}/", staff_page()),
    Row(
        "staff-change-request-missing", lambda w: "/staff/change-requests/999999/", staff_page(404)
    ),
    Row(
        "staff-change-request-refuse-without-reason",
        lambda w: f"/staff/change-requests/{w.change.pk}/",
        staff_page(422),
        method="post",
        data=lambda w: {"decision": "refuse"},
    ),
    Row(
        "staff-change-request-approve",
        lambda w: f"/staff/change-requests/{w.change.pk}/",
        staff_page(302),
        method="post",
        data=lambda w: {"decision": "approve"},
    ),
]


def _live_rows() -> dict:
    """The live spec as posted editor rows (acme_definition's first action, key by key)."""
    action = acme_definition()["actions"][0]
    data = {"a-0-key": action["key"], "a-0-title": action["title"]}
    for j, field in enumerate(action["fields"]):
        data.update(
            {
                f"a-0-f-{j}-key": field["key"],
                f"a-0-f-{j}-label": field["label"],
                f"a-0-f-{j}-type": field["type"],
                f"a-0-f-{j}-default": field["default"],
            }
        )
    return data
