"""The staff pipeline board, the staff integration page, promote and roll back over HTTP."""

import pytest
from django.contrib.auth.models import Permission

from catalog.audit import Action
from catalog.models import AuditLog, Integration, OutboxMessage, Stage
from tests import factories
from tests.test_promote import satisfy_gate, state

pytestmark = pytest.mark.django_db


# --- Board --------------------------------------------------------------------------------------


def test_board_has_a_column_per_stage_with_counts_gate_dots_and_ready_flags(
    staff_client, partner_user, integration, other_integration
):
    factories.accept_agreements(partner_user)  # Acme's signup gate holds, Globex's does not
    factories.IntegrationFactory(partner=partner_user.partner, name="Acme Build", stage="build")
    factories.IntegrationFactory(partner=None, name="Imported One", stage="public")
    # when
    response = staff_client.get("/staff/")
    # then
    assert response.status_code == 200
    columns = {c["stage"]: c for c in response.context["columns"]}
    assert list(columns) == list(Stage.values)
    assert {x["integration"].name for x in columns["signup"]["cards"]} == {
        "Acme Events",
        "Globex Sync",
    }
    assert len(columns["build"]["cards"]) == 1
    assert columns["public"]["cards"] == []  # imported entries are not in the pipeline
    ready = {x["integration"].name: x["ready"] for x in columns["signup"]["cards"]}
    assert ready == {"Acme Events": True, "Globex Sync": False}
    assert columns["signup"]["ready_count"] == 1
    body = response.content.decode()
    assert body.count('class="gate-dot ok"') >= 2
    assert "Ready to promote" in body
    assert "Partner Program Agreement and Privacy Policy accepted: missing" in body


@pytest.mark.parametrize(("query", "found"), [("globex", "Globex Sync"), ("EVENTS", "Acme Events")])
def test_board_search_matches_integration_or_partner_names(
    staff_client, integration, other_integration, query, found
):
    response = staff_client.get("/staff/", {"q": query})
    names = [card["integration"].name for c in response.context["columns"] for card in c["cards"]]
    assert names == [found]


def test_board_costs_the_same_queries_for_1_and_30_integrations(
    staff_client, partner_user, django_assert_max_num_queries
):
    factories.IntegrationFactory(partner=partner_user.partner, stage="signup")
    # session, user, 2× permissions, partners for the filter, holidays, agreements, the board,
    # the navigation's counts
    with django_assert_max_num_queries(9) as one:
        staff_client.get("/staff/")
    for n, stage in enumerate(Stage.values * 6):
        if n < 29:
            factories.IntegrationFactory(partner=partner_user.partner, stage=stage)
    # when
    with django_assert_max_num_queries(len(one.captured_queries)) as thirty:
        response = staff_client.get("/staff/")
    # then
    assert response.context["total"] == 30
    assert len(thirty.captured_queries) == len(one.captured_queries)


# --- Integration page ---------------------------------------------------------------------------


def test_staff_page_shows_history_checklist_move_forms_and_area_panels(
    staff_client, staff_user, partner_user, integration
):
    satisfy_gate(integration, Stage.SIGNUP)
    AuditLog.objects.create(
        action=Action.INTEGRATION_REGISTERED, actor=partner_user, integration=integration
    )
    # when
    response = staff_client.get(f"/staff/integrations/{integration.pk}/")
    # then
    assert response.status_code == 200
    names = {t.name for t in response.templates}
    assert {
        "catalog/staff/panels/spec.html",
        "catalog/staff/panels/metadata.html",
        "catalog/staff/panels/beta.html",
        "catalog/staff/panels/outbox.html",
    } <= names
    body = response.content.decode()
    assert '<input type="hidden" name="expected_stage" value="signup"' in body
    assert f'action="/staff/integrations/{integration.pk}/promote/"' in body
    assert "catalog.integration.registered" in body
    assert "Ready to promote" in body


def test_staff_without_the_promote_permission_see_no_move_buttons_and_are_refused(
    client, integration
):
    viewer = factories.UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_integration"))
    client.force_login(viewer)
    page = client.get(f"/staff/integrations/{integration.pk}/")
    assert page.status_code == 200
    assert b"lacks the promote permission" in page.content
    before = state(integration)
    response = client.post(
        f"/staff/integrations/{integration.pk}/promote/", {"expected_stage": "signup"}
    )
    assert response.status_code == 403
    assert state(integration) == before


# --- Promote over HTTP --------------------------------------------------------------------------


def test_refused_promote_answers_409_naming_the_failing_items(
    staff_client, partner_user, integration
):
    # given the partner has not accepted the agreements
    before = state(integration)
    # when
    response = staff_client.post(
        f"/staff/integrations/{integration.pk}/promote/", {"expected_stage": "signup"}
    )
    # then
    assert response.status_code == 409
    body = response.content.decode()
    assert "Can&#x27;t promote yet" in body
    assert 'data-failing-item="agreements"' in body
    assert "Partner Program Agreement and Privacy Policy accepted" in body
    assert 'data-failing-item="profile"' not in body
    assert state(integration) == before


def test_promote_moves_one_step_audits_and_queues_partner_notifications(
    staff_client, staff_user, partner_user, partner_member, integration
):
    satisfy_gate(integration, Stage.SIGNUP)
    # when
    response = staff_client.post(
        f"/staff/integrations/{integration.pk}/promote/",
        {"expected_stage": "signup", "note": "Welcome aboard"},
        follow=True,
    )
    # then
    assert response.redirect_chain[-1] == (f"/staff/integrations/{integration.pk}/", 302)
    assert b"moved to Spec" in response.content
    integration.refresh_from_db()
    assert integration.stage == Stage.SPEC
    entry = AuditLog.objects.get(action=Action.INTEGRATION_PROMOTED)
    assert entry.actor == staff_user
    assert entry.note == "Welcome aboard"
    assert set(OutboxMessage.objects.values_list("recipient", flat=True)) == {
        partner_user.email,
        partner_member.email,
    }


def test_pressing_promote_twice_moves_once(staff_client, partner_user, integration):
    satisfy_gate(integration, Stage.SIGNUP)
    url = f"/staff/integrations/{integration.pk}/promote/"
    staff_client.post(url, {"expected_stage": "signup"})
    before = state(integration)
    # when
    response = staff_client.post(url, {"expected_stage": "signup"})
    # then
    assert response.status_code == 409
    assert b"already in Spec" in response.content
    assert state(integration) == before


def test_promote_of_a_missing_integration_is_404(staff_client):
    response = staff_client.post("/staff/integrations/987654/promote/", {"expected_stage": "spec"})
    assert response.status_code == 404


# --- Roll back over HTTP ------------------------------------------------------------------------


def test_roll_back_with_a_reason_moves_back(staff_client, partner_user, integration):
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.BUILD)
    response = staff_client.post(
        f"/staff/integrations/{integration.pk}/roll-back/",
        {"expected_stage": "build", "reason": "The spec changed."},
        follow=True,
    )
    assert b"went back to Spec" in response.content
    integration.refresh_from_db()
    assert integration.stage == Stage.SPEC
    assert AuditLog.objects.get(action=Action.INTEGRATION_ROLLED_BACK).note == "The spec changed."


def test_roll_back_without_a_reason_shows_the_error_next_to_the_field(
    staff_client, partner_user, integration
):
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.BUILD)
    before = state(integration)
    response = staff_client.post(
        f"/staff/integrations/{integration.pk}/roll-back/", {"expected_stage": "build"}
    )
    assert response.status_code == 422
    assert response.context["roll_back_form"].errors["reason"] == [
        "Say why the integration goes back a stage."
    ]
    assert b'id="id_reason_errors"' in response.content
    assert state(integration) == before
