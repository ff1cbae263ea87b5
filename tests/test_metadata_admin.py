"""Metadata in /admin/: read-only revisions, and an approve action that calls the service."""

import pytest
from django.test import Client

from catalog.models import MetadataRevision, ReviewStatus
from catalog.services import metadata as svc
from tests.validation import samples

URL = "/admin/catalog/metadatarevision/"


@pytest.fixture
def submitted(partner_user, integration):
    return svc.metadata_save(
        actor=partner_user,
        integration_id=integration.pk,
        values=svc.MetadataInput(
            name="Acme Events",
            pr_url="https://github.com/segmentio/action-destinations/pull/5",
            description="Send events.",
            website="https://acme.example.com",
            primary_category="analytics",
            support_email="support@acme.example.com",
            logo=samples.LOGO_SVG,
            mark=samples.MARK_SVG,
        ),
        submit=True,
    )


def test_changelist_and_detail_are_read_only(staff_user, submitted):
    web = Client()
    web.force_login(staff_user)
    staff_user.is_superuser = True
    staff_user.save(update_fields=["is_superuser"])
    listing = web.get(URL + "?status=submitted")
    assert listing.status_code == 200
    assert "Acme Events" in listing.content.decode()
    detail = web.get(f"{URL}{submitted.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()


def test_approve_action_goes_through_the_service(staff_user, integration, submitted):
    staff_user.is_superuser = True
    staff_user.save(update_fields=["is_superuser"])
    web = Client()
    web.force_login(staff_user)
    response = web.post(
        URL, {"action": "approve_submitted", "_selected_action": [submitted.pk]}, follow=True
    )
    assert "Approved 1 revision(s)." in response.content.decode()
    integration.refresh_from_db()
    assert integration.live_metadata_id == submitted.pk
    assert MetadataRevision.objects.get().status == ReviewStatus.APPROVED


def test_approve_action_needs_the_review_permission(plain_staff_user, submitted):
    plain_staff_user.is_superuser = False
    from django.contrib.auth.models import Permission

    plain_staff_user.user_permissions.add(Permission.objects.get(codename="view_metadatarevision"))
    web = Client()
    web.force_login(plain_staff_user)
    response = web.get(URL)
    assert response.status_code == 200
    assert "approve_submitted" not in response.content.decode()
    web.post(URL, {"action": "approve_submitted", "_selected_action": [submitted.pk]})
    assert MetadataRevision.objects.get().status == ReviewStatus.SUBMITTED


def test_staff_group_sees_metadata_in_the_admin_and_may_approve(staff_user, integration, submitted):
    web = Client()
    web.force_login(staff_user)
    response = web.get(URL)
    assert response.status_code == 200
    assert "approve_submitted" in response.content.decode()
