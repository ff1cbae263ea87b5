"""The partner's dashboard, company profile, integration registration and integration page."""

import pytest
from django.utils import timezone

from catalog import stages
from catalog.audit import Action
from catalog.errors import Forbidden
from catalog.models import (
    AgreementAcceptance,
    AgreementVersion,
    AuditLog,
    Integration,
    Partner,
    Stage,
)
from catalog.services import accounts
from catalog.services.integrations import MOBILE_REFUSAL
from tests import factories

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    return (
        list(Integration.objects.values_list("pk", "name", "stage")),
        list(Partner.objects.values_list("pk", "name", "website")),
        AgreementAcceptance.objects.count(),
        AuditLog.objects.count(),
    )


# --- Dashboard ----------------------------------------------------------------------------------


def test_dashboard_shows_each_integration_with_stage_progress_and_next_gate(
    partner_client, partner_user, integration, other_integration
):
    factories.accept_agreements(partner_user)
    building = factories.IntegrationFactory(
        partner=partner_user.partner, name="Acme Build", stage=Stage.BUILD
    )
    # when
    response = partner_client.get("/partner/")
    # then
    assert response.status_code == 200
    body = response.content.decode()
    assert "Acme Events" in body and "Acme Build" in body
    assert "Globex Sync" not in body
    assert 'class="badge badge-stage-signup"' in body
    assert 'class="badge badge-stage-build"' in body
    rows = {row["integration"].pk: row for row in response.context["rows"]}
    assert [step["state"] for step in rows[integration.pk]["progress"]] == [
        "current",
        "upcoming",
        "upcoming",
        "upcoming",
        "upcoming",
    ]
    assert [step["state"] for step in rows[building.pk]["progress"]] == [
        "done",
        "done",
        "current",
        "upcoming",
        "upcoming",
    ]
    # signup gate holds (agreements accepted, profile complete)
    assert all(item.passed for item in rows[integration.pk]["checklist"])
    assert "Ready for staff review" in body
    # build gate: every item missing, each with why and where to fix it
    build_items = rows[building.pk]["checklist"]
    assert [i.key for i in build_items] == ["pull_request", "docs", "metadata"]
    assert not any(i.passed for i in build_items)
    assert "3 missing" in body
    assert 'data-gate-item="metadata"' in body


def test_dashboard_links_a_missing_agreement_to_the_profile(partner_client, integration):
    response = partner_client.get("/partner/")
    body = response.content.decode()
    assert 'data-gate-item="agreements"' in body
    assert 'href="/partner/profile/">Fix this' in body


def test_dashboard_without_integrations_invites_to_register_one(partner_client):
    response = partner_client.get("/partner/")
    assert b"No integrations yet" in response.content
    assert b'href="/partner/integrations/new/"' in response.content


@pytest.mark.parametrize("stage", [Stage.SIGNUP, Stage.BUILD])
def test_dashboard_costs_the_same_queries_for_1_and_30_integrations(
    client, partner_user, django_assert_max_num_queries, stage
):
    client.force_login(partner_user)
    factories.IntegrationFactory(partner=partner_user.partner, stage=stage)
    with django_assert_max_num_queries(6) as one:
        client.get("/partner/")
    factories.IntegrationFactory.create_batch(29, partner=partner_user.partner, stage=stage)
    # when
    with django_assert_max_num_queries(len(one.captured_queries)) as thirty:
        response = client.get("/partner/")
    # then
    assert len(response.context["rows"]) == 30
    assert len(thirty.captured_queries) == len(one.captured_queries)


def test_dashboard_is_refused_to_staff(staff_client):
    response = staff_client.get("/partner/")
    assert response.status_code == 403
    assert b"for partner users" in response.content


# --- Registering an integration -----------------------------------------------------------------


def test_registering_an_integration_starts_it_in_signup(partner_client, partner_user):
    # when
    response = partner_client.post(
        "/partner/integrations/new/", {"name": "  Acme   Insights ", "mode": "cloud"}
    )
    # then
    integration = Integration.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/partner/integrations/{integration.pk}/"
    assert integration.name == "Acme Insights"
    assert integration.slug == "acme-insights"
    assert integration.stage == Stage.SIGNUP
    assert integration.mode == "cloud"
    assert integration.partner == partner_user.partner
    entry = AuditLog.objects.get(action=Action.INTEGRATION_REGISTERED)
    assert entry.actor == partner_user
    assert entry.integration == integration


def test_a_member_may_register_an_integration(client, partner_member):
    client.force_login(partner_member)
    response = client.post("/partner/integrations/new/", {"name": "Acme Web", "mode": "device"})
    assert response.status_code == 302
    assert Integration.objects.get().mode == "device"


def test_device_mode_mobile_is_refused_with_the_plugin_advice(partner_client):
    before = snapshot()
    # when
    response = partner_client.post(
        "/partner/integrations/new/", {"name": "Acme Mobile", "mode": "device-mobile"}
    )
    # then
    assert response.status_code == 422
    assert response.context["form"].errors["mode"] == [MOBILE_REFUSAL]
    assert b"plugin" in response.content
    assert b'value="Acme Mobile"' in response.content
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "mode": "cloud"}, "name", "required"),
        ({"name": "x" * 121, "mode": "cloud"}, "name", "at most 120"),
        ({"name": "Acme Two", "mode": "satellite"}, "mode", "valid choice"),
        ({"name": "GLOBEX sync", "mode": "cloud"}, "name", "already exists"),
    ],
)
def test_registering_with_bad_input_names_the_field_and_changes_nothing(
    partner_client, other_integration, data, field, message
):
    before = snapshot()
    response = partner_client.post("/partner/integrations/new/", data)
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert snapshot() == before


# --- Integration page ---------------------------------------------------------------------------


def test_integration_page_shows_progress_checklist_history_and_area_panels(
    partner_client, integration, partner_user
):
    AuditLog.objects.create(
        action=Action.INTEGRATION_REGISTERED, actor=partner_user, integration=integration
    )
    # when
    response = partner_client.get(f"/partner/integrations/{integration.pk}/")
    # then
    assert response.status_code == 200
    names = {t.name for t in response.templates}
    assert {
        "catalog/partner/panels/spec.html",
        "catalog/partner/panels/metadata.html",
        "catalog/partner/panels/beta.html",
    } <= names
    body = response.content.decode()
    assert 'aria-current="step"' in body
    assert "catalog.integration.registered" in body
    assert [i.key for i in response.context["checklist"]] == ["agreements", "profile"]


def test_another_partners_integration_is_a_404(partner_client, other_integration):
    response = partner_client.get(f"/partner/integrations/{other_integration.pk}/")
    assert response.status_code == 404


# --- Company profile ----------------------------------------------------------------------------


def test_owner_changes_company_name_and_website(partner_client, partner_user):
    response = partner_client.post(
        "/partner/profile/", {"name": "Acme Analytics Ltd", "website": "https://acme.example.org"}
    )
    assert response.status_code == 302
    partner = Partner.objects.get(pk=partner_user.partner_id)
    assert partner.name == "Acme Analytics Ltd"
    assert partner.website == "https://acme.example.org"
    entry = AuditLog.objects.get(action=Action.PARTNER_UPDATED)
    assert entry.old_value == {
        "name": "Acme Analytics",
        "website": "https://acme.example.com",
    }


def test_profile_with_an_unsafe_website_is_refused(partner_client):
    before = snapshot()
    response = partner_client.post(
        "/partner/profile/", {"name": "Acme", "website": "javascript:alert(1)"}
    )
    assert response.status_code == 422
    assert "https://" in " ".join(response.context["form"].errors["website"])
    assert snapshot() == before


def test_a_member_cannot_change_the_company(client, partner_member):
    client.force_login(partner_member)
    before = snapshot()
    # when (disabled fields ignore what is posted)
    page = client.get("/partner/profile/")
    response = client.post("/partner/profile/", {"name": "Hijacked", "website": "https://x.test"})
    # then
    assert b"disabled" in page.content
    assert response.status_code == 302
    assert snapshot() == before


def test_member_service_call_changing_the_company_is_refused(partner_member):
    before = snapshot()
    with pytest.raises(Forbidden):
        accounts.partner_profile_update(actor=partner_member, name="Hijacked")
    assert snapshot() == before


def test_accepting_a_new_agreement_version_on_the_profile_satisfies_the_gate(
    client, partner_member, integration
):
    # given the partner accepted the old versions, then a new privacy policy took effect
    factories.accept_agreements(partner_member)
    new = AgreementVersion.objects.create(
        kind="privacy", version="2031-01", title="Privacy Policy", effective_at=timezone.now()
    )
    assert not stages.gate_holds(integration)
    client.force_login(partner_member)
    page = client.get("/partner/profile/")
    assert b'name="accept_privacy"' in page.content
    assert b'name="accept_partner_program"' not in page.content
    # when
    response = client.post(
        "/partner/profile/",
        {"accept_privacy": "on", "agreements_shown": str(new.pk)},
        REMOTE_ADDR="192.0.2.7",
    )
    # then
    assert response.status_code == 302
    acceptance = AgreementAcceptance.objects.get(agreement=new)
    assert acceptance.user == partner_member
    assert acceptance.ip_address == "192.0.2.7"
    assert stages.gate_holds(integration)
    assert b'name="accept_privacy"' not in client.get("/partner/profile/").content


def test_accepting_on_a_stale_profile_page_is_refused(client, partner_member, integration):
    # given the page showed the 2022 versions, then a newer partner program agreement appeared
    shown = ",".join(str(v.pk) for v in accounts.missing_agreements(partner=partner_member.partner))
    AgreementVersion.objects.create(
        kind="partner_program", version="2031-03", title="PPA", effective_at=timezone.now()
    )
    client.force_login(partner_member)
    before = snapshot()
    # when
    response = client.post(
        "/partner/profile/",
        {"accept_partner_program": "on", "accept_privacy": "on", "agreements_shown": shown},
    )
    # then
    assert response.status_code == 422
    assert b"The agreements changed while this page was open" in response.content
    assert b"version 2031-03" in response.content
    assert snapshot() == before


def test_saving_the_profile_without_ticking_accepts_nothing(partner_client, integration):
    before = AgreementAcceptance.objects.count()
    partner_client.post(
        "/partner/profile/", {"name": "Acme Analytics", "website": "https://acme.example.com"}
    )
    assert AgreementAcceptance.objects.count() == before
    assert not stages.gate_holds(integration)
