"""The admin: core models registered usefully; audit log read-only; moves go through services."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission

from catalog.audit import Action
from catalog.models import (
    AgreementAcceptance,
    AgreementVersion,
    AuditLog,
    Category,
    Integration,
    Partner,
    Stage,
    User,
)
from tests import factories
from tests.test_promote import satisfy_gate, state

pytestmark = pytest.mark.django_db

CORE_MODELS = [
    User,
    Partner,
    AgreementVersion,
    AgreementAcceptance,
    Integration,
    Category,
    AuditLog,
]


@pytest.fixture
def superuser_client(client):
    client.force_login(
        factories.UserFactory(email="root@platform.example.com", is_staff=True, is_superuser=True)
    )
    return client


def url(model, view: str = "changelist", *args) -> str:
    from django.urls import reverse

    return reverse(f"admin:catalog_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", CORE_MODELS, ids=lambda m: m.__name__)
def test_every_core_model_has_a_useful_changelist(
    superuser_client, model, integration, partner_user
):
    factories.accept_agreements(partner_user)
    AuditLog.objects.create(action=Action.INTEGRATION_REGISTERED, integration=integration)
    model_admin = admin.site._registry[model]
    assert len(model_admin.list_display) >= 3
    assert model_admin.search_fields
    # when
    response = superuser_client.get(url(model), {"q": "acme"})
    # then
    assert response.status_code == 200
    assert superuser_client.get(url(model)).status_code == 200


def test_changelist_filters_work(superuser_client, integration, other_integration):
    Integration.objects.filter(pk=other_integration.pk).update(stage=Stage.BUILD)
    response = superuser_client.get(url(Integration), {"stage__exact": "build"})
    assert [i.name for i in response.context["cl"].result_list] == ["Globex Sync"]


@pytest.mark.parametrize("model", [AuditLog, AgreementAcceptance], ids=lambda m: m.__name__)
def test_recorded_rows_are_read_only_even_for_a_superuser(
    superuser_client, model, integration, partner_user
):
    factories.accept_agreements(partner_user)
    entry = AuditLog.objects.create(action=Action.INTEGRATION_REGISTERED, integration=integration)
    obj = model.objects.first() if model is AgreementAcceptance else entry
    before = list(model.objects.values())
    # then
    assert superuser_client.get(url(model, "add")).status_code == 403
    change = superuser_client.get(url(model, "change", obj.pk))
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    assert (
        superuser_client.post(url(model, "change", obj.pk), {"note": "edited"}).status_code == 403
    )
    assert superuser_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert list(model.objects.values()) == before


def test_stage_is_read_only_in_the_integration_form(superuser_client, integration):
    response = superuser_client.get(url(Integration, "change", integration.pk))
    assert b'name="stage"' not in response.content


def test_user_admin_creates_users_by_lower_case_email(superuser_client):
    response = superuser_client.post(
        url(User, "add"),
        {
            "email": "New.Person@Example.com",
            "usable_password": "true",
            "password1": "a long unusual passphrase 42",
            "password2": "a long unusual passphrase 42",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert User.objects.filter(email="new.person@example.com").exists()


def test_user_admin_refuses_an_address_that_differs_only_in_case(superuser_client, partner_user):
    count = User.objects.count()
    response = superuser_client.post(
        url(User, "add"),
        {"email": "OWNER@acme.example.com", "usable_password": "false"},
    )
    assert response.status_code == 200
    assert "already exists" in str(response.context["adminform"].form.errors)
    assert User.objects.count() == count


# --- Admin actions call the same services -------------------------------------------------------


def test_admin_promote_action_moves_ready_integrations_and_names_refusals(
    client, staff_user, partner_user, integration, other_integration
):
    client.force_login(staff_user)
    satisfy_gate(integration, Stage.SIGNUP)  # Globex's gate does not hold
    data = {
        "action": "promote_selected",
        "_selected_action": [integration.pk, other_integration.pk],
    }
    # the first post asks to confirm, with each integration's stage as shown
    ask = client.post(url(Integration), data)
    assert ask.status_code == 200
    assert f'name="stage_{integration.pk}" value="signup"'.encode() in ask.content
    # when
    response = client.post(
        url(Integration),
        {
            **data,
            "apply": "1",
            f"stage_{integration.pk}": "signup",
            f"stage_{other_integration.pk}": "signup",
        },
        follow=True,
    )
    # then
    integration.refresh_from_db()
    other_integration.refresh_from_db()
    assert integration.stage == Stage.SPEC
    assert other_integration.stage == Stage.SIGNUP
    text = " ".join(str(m) for m in response.context["messages"])
    assert "Promoted 1 integration." in text
    assert "Globex Sync: Can't promote yet" in text
    entry = AuditLog.objects.get(action=Action.INTEGRATION_PROMOTED)
    assert entry.actor == staff_user


def test_admin_promote_confirmation_posted_twice_moves_one_stage(
    client, staff_user, partner_user, integration
):
    client.force_login(staff_user)
    satisfy_gate(integration, Stage.SIGNUP)
    satisfy_gate(integration, Stage.SPEC)  # the next gate holds too: a second move would pass
    confirm = {
        "action": "promote_selected",
        "_selected_action": [integration.pk],
        "apply": "1",
        f"stage_{integration.pk}": "signup",
    }
    # when the confirmation is posted twice (a double click, a reload)
    first = client.post(url(Integration), confirm, follow=True)
    assert "Promoted 1 integration." in " ".join(str(m) for m in first.context["messages"])
    second = client.post(url(Integration), confirm, follow=True)
    # then it moved one stage, and the second post says why it did nothing
    integration.refresh_from_db()
    assert integration.stage == Stage.SPEC
    assert AuditLog.objects.filter(action=Action.INTEGRATION_PROMOTED).count() == 1
    assert "Promoted" not in " ".join(str(m) for m in second.context["messages"])


def test_admin_promote_without_the_confirmed_stage_moves_nothing(
    client, staff_user, partner_user, integration
):
    client.force_login(staff_user)
    satisfy_gate(integration, Stage.SIGNUP)
    before = state(integration)
    data = {"action": "promote_selected", "_selected_action": [integration.pk], "apply": "1"}
    client.post(url(Integration), data)
    assert state(integration) == before


def test_admin_change_form_shows_name_slug_and_partner_read_only(
    client, staff_user, integration, other_partner_user
):
    client.force_login(staff_user)
    page = client.get(url(Integration, "change", integration.pk))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert not {"name", "slug", "partner"} & set(form.fields)
    # when staff post a bidi-laden rename, a new slug and another partner anyway
    client.post(
        url(Integration, "change", integration.pk),
        {
            "name": "Acme\u202e stnevE",
            "slug": "hijacked",
            "partner": other_partner_user.partner_id,
            "mode": integration.mode,
        },
    )
    # then none of them changed
    integration.refresh_from_db()
    assert (integration.name, integration.slug, integration.partner_id) == (
        "Acme Events",
        "acme-events",
        integration.partner_id,
    )


def test_admin_move_actions_need_the_promote_permission(client, partner_user, integration):
    clerk = factories.UserFactory(is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_integration", "change_integration"])
    )
    client.force_login(clerk)
    satisfy_gate(integration, Stage.SIGNUP)
    page = client.get(url(Integration))
    assert b"promote_selected" not in page.content
    before = state(integration)
    # when
    client.post(
        url(Integration), {"action": "promote_selected", "_selected_action": [integration.pk]}
    )
    # then
    assert state(integration) == before


def test_admin_roll_back_asks_for_a_reason_then_rolls_back(client, staff_user, integration):
    client.force_login(staff_user)
    Integration.objects.filter(pk=integration.pk).update(stage=Stage.BUILD)
    data = {"action": "roll_back_selected", "_selected_action": [integration.pk]}
    # the first post shows the reason form
    ask = client.post(url(Integration), data)
    assert ask.status_code == 200
    assert b'name="reason"' in ask.content
    # an empty reason is refused
    before = state(integration)
    empty = client.post(url(Integration), {**data, "apply": "1", "reason": "  "})
    assert b"Say why" in empty.content
    assert state(integration) == before
    # when
    client.post(url(Integration), {**data, "apply": "1", "reason": "Docs were withdrawn."})
    # then
    integration.refresh_from_db()
    assert integration.stage == Stage.SPEC
    assert (
        AuditLog.objects.get(action=Action.INTEGRATION_ROLLED_BACK).note == "Docs were withdrawn."
    )


def test_staff_group_may_add_agreement_versions(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        url(AgreementVersion, "add"),
        {
            "kind": "privacy",
            "version": "2031-01",
            "title": "Privacy Policy",
            "url": "https://example.com/privacy",
            "body": "",
            "effective_at_0": "2031-01-01",
            "effective_at_1": "00:00:00",
        },
    )
    assert response.status_code == 302
    assert AgreementVersion.objects.filter(version="2031-01").exists()
