"""Change-request rules: for each, one allowed and one refused case, on real definitions.

The live definitions are built from real destinations in catalog/data (tests/fixtures_spec.py):
their modes, authentication schemes and action names.
"""

import copy

import pytest

from catalog import governance
from catalog.governance import Proposal
from tests.fixtures_spec import EXAMPLES, catalog_definition

PR = "https://github.com/segmentio/action-destinations/pull/2101"
VIDEO = "https://www.loom.com/share/0123456789abcdef"


def live_cloud():
    """Aampe (Actions): cloud mode, basic auth, actions Upsert User Profile and Send Event."""
    return catalog_definition(EXAMPLES[("cloud", "basic")])


def live_device():
    """1Flow Web (Actions): device mode, custom auth, actions Identify User and Track Event."""
    return catalog_definition(EXAMPLES[("device", "custom")])


def proposal(live, proposed, **kw) -> Proposal:
    kw.setdefault("video_url", VIDEO)
    kw.setdefault("pr_url", PR)
    return Proposal(
        live=live,
        proposed=proposed,
        integration_name=live["name"],
        integration_slug=live["slug"],
        **kw,
    )


def result_of(rule, p):
    result = rule(p)
    assert result.rule == rule.__name__
    return result


def refused_fields(result) -> list[str]:
    assert not result.passed
    return [problem.field for problem in result.problems]


def field(key, *, required=False, **extra):
    return {
        "key": key,
        "label": key.title(),
        "description": "",
        "type": "string",
        "required": required,
        "default": None,
        **extra,
    }


# --- no_new_required_field -------------------------------------------------------------------


def test_new_optional_action_field_is_allowed():
    live = live_cloud()
    new = copy.deepcopy(live)
    new["actions"][1]["fields"].append(field("phone", default="$.properties.phone"))
    assert result_of(governance.no_new_required_field, proposal(live, new)).passed


def test_new_required_action_field_is_refused_naming_the_field():
    live = live_cloud()
    new = copy.deepcopy(live)
    new["actions"][1]["fields"].append(field("phone", required=True))
    result = result_of(governance.no_new_required_field, proposal(live, new))
    assert refused_fields(result) == ["actions.sendEvent.fields.phone"]
    assert result.title == "No new required field"
    assert "“phone”" in result.problems[0].message and "sendEvent" in result.problems[0].message


def test_new_required_setting_is_refused_naming_the_setting():
    live = live_device()
    new = copy.deepcopy(live)
    new["settings"].append(
        {
            "key": "workspaceId",
            "label": "Workspace",
            "description": "",
            "type": "string",
            "required": True,
            "default": None,
            "choices": [],
        }
    )
    result = result_of(governance.no_new_required_field, proposal(live, new))
    assert refused_fields(result) == ["settings.workspaceId"]


def test_required_fields_of_a_brand_new_action_are_allowed():
    live = live_cloud()
    new = copy.deepcopy(live)
    new["actions"].append(
        {
            "key": "trackPurchase",
            "title": "Track Purchase",
            "description": "Purchases.",
            "defaultSubscription": 'type = "track" and event = "Order Completed"',
            "fields": [field("orderId", required=True, default="$.properties.order_id")],
        }
    )
    assert result_of(governance.no_new_required_field, proposal(live, new)).passed


# --- no_field_made_required ------------------------------------------------------------------


def test_keeping_an_optional_field_optional_is_allowed():
    live = live_device()
    new = copy.deepcopy(live)
    new["actions"][0]["fields"][1]["label"] = "Email address"
    assert result_of(governance.no_field_made_required, proposal(live, new)).passed


def test_optional_field_made_required_is_refused_naming_the_field():
    live = live_device()
    new = copy.deepcopy(live)
    assert new["actions"][0]["fields"][1]["key"] == "email"
    new["actions"][0]["fields"][1]["required"] = True
    result = result_of(governance.no_field_made_required, proposal(live, new))
    assert refused_fields(result) == ["actions.identifyUser.fields.email"]
    assert "was optional and is now required" in result.problems[0].message


def test_optional_setting_made_required_is_refused_naming_the_setting():
    live = live_device()
    new = copy.deepcopy(live)
    assert new["settings"][1]["key"] == "region"
    new["settings"][1]["required"] = True
    result = result_of(governance.no_field_made_required, proposal(live, new))
    assert refused_fields(result) == ["settings.region"]


def test_making_a_required_field_optional_is_allowed():
    live = live_device()
    new = copy.deepcopy(live)
    new["settings"][0]["required"] = False
    assert result_of(governance.no_field_made_required, proposal(live, new)).passed


# --- name_unchanged / slug_unchanged ---------------------------------------------------------


def test_same_name_is_allowed():
    live = live_cloud()
    assert result_of(governance.name_unchanged, proposal(live, copy.deepcopy(live))).passed


def test_changed_name_is_refused_naming_the_field():
    live = live_cloud()
    new = {**copy.deepcopy(live), "name": "Aampe Cloud"}
    result = result_of(governance.name_unchanged, proposal(live, new))
    assert refused_fields(result) == ["name"]
    assert "“Aampe (Actions)” to “Aampe Cloud”" in result.problems[0].message


def test_same_slug_is_allowed():
    live = live_device()
    assert result_of(governance.slug_unchanged, proposal(live, copy.deepcopy(live))).passed


def test_changed_slug_is_refused_naming_the_field():
    live = live_device()
    new = {**copy.deepcopy(live), "slug": "actions-1flow-web"}
    result = result_of(governance.slug_unchanged, proposal(live, new))
    assert refused_fields(result) == ["slug"]


# --- mode_unchanged ----------------------------------------------------------------------------


def test_same_mode_is_allowed():
    live = live_device()
    assert result_of(governance.mode_unchanged, proposal(live, copy.deepcopy(live))).passed


def test_changed_mode_is_refused_naming_the_field():
    live = live_device()
    new = {**copy.deepcopy(live), "mode": "cloud"}
    result = result_of(governance.mode_unchanged, proposal(live, new))
    assert refused_fields(result) == ["mode"]


# --- no_deleted_action -------------------------------------------------------------------------


def test_keeping_every_action_and_adding_one_is_allowed():
    live = catalog_definition(EXAMPLES[("cloud", "oauth-managed")])  # Attio: three actions
    new = copy.deepcopy(live)
    new["actions"].append(
        {**copy.deepcopy(new["actions"][0]), "key": "trackEvent", "title": "Track Event"}
    )
    assert result_of(governance.no_deleted_action, proposal(live, new)).passed


def test_deleted_action_is_refused_naming_the_action():
    live = catalog_definition(EXAMPLES[("cloud", "oauth-managed")])
    new = copy.deepcopy(live)
    del new["actions"][1]
    result = result_of(governance.no_deleted_action, proposal(live, new))
    assert refused_fields(result) == ["actions.assertRecord"]
    assert "Assert Record" in result.problems[0].message


def test_renaming_an_action_key_counts_as_deleting_it():
    live = live_cloud()
    new = copy.deepcopy(live)
    new["actions"][0]["key"] = "upsertProfile"
    result = result_of(governance.no_deleted_action, proposal(live, new))
    assert refused_fields(result) == ["actions.upsertUserProfile"]


# --- one_integration_per_pull_request --------------------------------------------------------


def test_pull_request_used_by_no_other_integration_is_allowed():
    live = live_cloud()
    p = proposal(live, copy.deepcopy(live), pr_used_by=())
    assert result_of(governance.one_integration_per_pull_request, p).passed


def test_pull_request_used_by_another_integration_is_refused_naming_the_field():
    live = live_cloud()
    p = proposal(live, copy.deepcopy(live), pr_used_by=("ABsmartly (Actions)",))
    result = result_of(governance.one_integration_per_pull_request, p)
    assert refused_fields(result) == ["pr_url"]
    assert "ABsmartly (Actions)" in result.problems[0].message


# --- video_for_field_changes -------------------------------------------------------------------


def test_field_change_with_a_video_is_allowed():
    live = live_cloud()
    new = copy.deepcopy(live)
    new["actions"][0]["fields"][1]["default"] = "$.traits.email"
    assert result_of(governance.video_for_field_changes, proposal(live, new)).passed


def test_change_without_field_changes_needs_no_video():
    live = live_cloud()
    new = copy.deepcopy(live)
    new["actions"][0]["description"] = "Creates or updates a profile."
    new["presets"] = new["presets"][:1]
    p = proposal(live, new, video_url="")
    assert result_of(governance.video_for_field_changes, p).passed


def test_added_field_without_a_video_is_refused_naming_the_field():
    live = live_cloud()
    new = copy.deepcopy(live)
    new["actions"][1]["fields"].append(field("phone"))
    result = result_of(governance.video_for_field_changes, proposal(live, new, video_url=""))
    assert refused_fields(result) == ["actions.sendEvent.fields.phone"]
    assert "is added" in result.problems[0].message


def test_amended_setting_without_a_video_is_refused_naming_the_setting():
    live = live_device()
    new = copy.deepcopy(live)
    new["settings"][1]["choices"] = ["us", "eu", "au"]
    result = result_of(governance.video_for_field_changes, proposal(live, new, video_url=" "))
    assert refused_fields(result) == ["settings.region"]
    assert "is amended" in result.problems[0].message


# --- evaluate and the diff ---------------------------------------------------------------------


def test_evaluate_runs_every_rule_and_an_unchanged_spec_passes_them_all():
    live = live_cloud()
    results = governance.evaluate(proposal(live, copy.deepcopy(live), video_url=""))
    assert [r.rule for r in results] == [rule.__name__ for rule in governance.RULES]
    assert governance.refusals(results) == []


def test_evaluate_reports_each_broken_rule_once_with_its_fields():
    live = live_cloud()
    new = copy.deepcopy(live)
    new["name"] = "Renamed"
    del new["actions"][0]
    new["actions"][0]["fields"].append(field("phone", required=True))
    results = governance.evaluate(proposal(live, new, video_url="", pr_used_by=("Other",)))
    refused = {r.rule: [p.field for p in r.problems] for r in governance.refusals(results)}
    assert refused == {
        "no_new_required_field": ["actions.sendEvent.fields.phone"],
        "name_unchanged": ["name"],
        "no_deleted_action": ["actions.upsertUserProfile"],
        "one_integration_per_pull_request": ["pr_url"],
        "video_for_field_changes": ["actions.sendEvent.fields.phone"],
    }
    as_json = [r.as_dict() for r in results]
    assert as_json[0]["problems"][0]["field"] == "actions.sendEvent.fields.phone"


def test_diff_lists_added_removed_and_changed_items():
    live = live_cloud()
    new = copy.deepcopy(live)
    new["actions"][0]["fields"][1]["required"] = True
    new["actions"][1]["fields"].append(field("phone"))
    new["settings"].append(field("region", choices=[]))
    del new["presets"][1]
    result = governance.diff(live, new)
    assert not result["empty"]
    assert [s["key"] for s in result["settings"]["added"]] == ["region"]
    changed = {c["key"]: c for c in result["actions"]["changed"]}
    assert changed["upsertUserProfile"]["fields"]["changed"] == [
        {"key": "email", "changes": [{"attr": "required", "old": False, "new": True}]}
    ]
    assert [f["key"] for f in changed["sendEvent"]["fields"]["added"]] == ["phone"]
    assert [p["name"] for p in result["presets"]["removed"]] == ["Send Event"]


def test_diff_of_identical_definitions_is_empty():
    live = live_device()
    assert governance.diff(live, copy.deepcopy(live))["empty"]


@pytest.mark.parametrize("pair", sorted(EXAMPLES, key=str))
def test_every_real_shape_compared_with_itself_passes_every_rule(pair):
    live = catalog_definition(EXAMPLES[pair])
    results = governance.evaluate(proposal(live, copy.deepcopy(live), video_url=""))
    assert all(r.passed for r in results)
