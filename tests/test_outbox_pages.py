"""Pages of the outbox area: /staff/outbox/, its retry, the admin, email preferences, /readyz."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from catalog import tasks
from catalog.audit import Action
from catalog.models import AuditLog, OutboxMessage, User
from catalog.notifications import Kind
from tests import factories

Status = OutboxMessage.Status


def _message(integration=None, **fields) -> OutboxMessage:
    n = OutboxMessage.objects.count()
    defaults = {
        "event": "catalog.integration.promoted",
        "kind": "stage_changes",
        "recipient": f"person{n}@example.com",
        "subject": f"Acme Events moved to Spec ({n})",
        "body_text": "moved",
        "integration": integration,
    }
    return OutboxMessage.objects.create(**{**defaults, **fields})


@pytest.fixture
def queued(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(tasks.deliver_outbox_message, "delay", calls.append)
    return calls


@pytest.fixture
def failed(integration):
    return _message(
        integration,
        recipient="owner@acme.example.com",
        status=Status.FAILED,
        attempts=6,
        last_error="SMTPRecipientsRefused: 550 mailbox unavailable",
    )


# --- /staff/outbox/ -----------------------------------------------------------------------------


def test_staff_outbox_shows_status_attempts_and_last_error(staff_client, failed, integration):
    # given
    _message(integration, status=Status.SENT, attempts=1)
    # when
    response = staff_client.get("/staff/outbox/")
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "owner@acme.example.com" in page
    assert "SMTPRecipientsRefused: 550 mailbox unavailable" in page
    assert 'data-status="failed"' in page and 'data-status="sent"' in page
    assert f'action="/staff/outbox/{failed.pk}/retry/"' in page


def test_staff_outbox_filters_by_status(staff_client, failed, integration):
    # given
    sent = _message(integration, status=Status.SENT, recipient="sent@example.com")
    # when
    response = staff_client.get("/staff/outbox/", {"status": "sent"})
    # then
    page = response.content.decode()
    assert f'data-message="{sent.pk}"' in page
    assert f'data-message="{failed.pk}"' not in page


def test_staff_outbox_filters_by_integration_and_search(staff_client, failed, other_integration):
    # given
    other = _message(other_integration, recipient="globex@example.com")
    # when
    by_integration = staff_client.get("/staff/outbox/", {"integration": other_integration.pk})
    by_search = staff_client.get("/staff/outbox/", {"q": "OWNER@acme"})
    # then
    assert f'data-message="{other.pk}"' in by_integration.content.decode()
    assert f'data-message="{failed.pk}"' not in by_integration.content.decode()
    assert f'data-message="{failed.pk}"' in by_search.content.decode()
    assert f'data-message="{other.pk}"' not in by_search.content.decode()


@pytest.mark.parametrize(
    "query", [{"status": "exploded"}, {"integration": "x'; drop"}, {"page": "-1"}, {"q": "x" * 500}]
)
def test_staff_outbox_with_nonsense_filters_still_answers(staff_client, failed, query):
    response = staff_client.get("/staff/outbox/", query)
    assert response.status_code == 200


def test_staff_outbox_pages_many_rows_in_few_queries(
    staff_client, integration, django_assert_max_num_queries
):
    # given
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            event="e",
            kind="k",
            recipient=f"p{i}@example.com",
            subject=f"s{i}",
            body_text="b",
            integration=integration,
        )
        for i in range(120)
    )
    # when / then
    with django_assert_max_num_queries(12):
        response = staff_client.get("/staff/outbox/")
    assert response.status_code == 200
    assert response.content.decode().count("data-message=") == 50
    assert "Page 1 of 3" in response.content.decode()


def test_staff_without_the_retry_permission_sees_no_retry_button(client, failed):
    # given: view permission only
    viewer = factories.UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    client.force_login(viewer)
    # when
    response = client.get("/staff/outbox/")
    # then
    assert response.status_code == 200
    assert "/retry/" not in response.content.decode()


# --- Retry --------------------------------------------------------------------------------------


def test_retry_queues_the_message_again_and_says_so(
    staff_client, failed, staff_user, queued, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"/staff/outbox/{failed.pk}/retry/", follow=True)
    # then
    assert response.redirect_chain[-1] == ("/staff/outbox/", 302)
    assert "The message to owner@acme.example.com is queued again." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.PENDING, 0)
    assert queued == [failed.pk]
    assert AuditLog.objects.filter(action=Action.OUTBOX_RETRIED, actor=staff_user).count() == 1


def test_retry_returns_to_the_page_it_came_from_on_this_site_only(staff_client, failed, queued):
    # when
    here = staff_client.post(
        f"/staff/outbox/{failed.pk}/retry/",
        {"next": f"/staff/integrations/{failed.integration_id}/"},
    )
    failed.status = Status.FAILED
    failed.save()
    away = staff_client.post(f"/staff/outbox/{failed.pk}/retry/", {"next": "https://evil.example/"})
    # then
    assert here["Location"] == f"/staff/integrations/{failed.integration_id}/"
    assert away["Location"] == "/staff/outbox/"


def test_retry_of_a_sent_message_is_refused_with_409(staff_client, integration, queued):
    # given
    sent = _message(integration, status=Status.SENT, attempts=1)
    # when
    response = staff_client.post(f"/staff/outbox/{sent.pk}/retry/")
    # then
    assert response.status_code == 409
    assert "Only failed messages can be retried" in response.content.decode()
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == (Status.SENT, 1)
    assert queued == []
    assert not AuditLog.objects.exists()


def test_retry_by_staff_without_the_permission_is_refused(client, failed, queued):
    # given: may view the outbox, may not retry
    viewer = factories.UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    client.force_login(viewer)
    # when
    response = client.post(f"/staff/outbox/{failed.pk}/retry/")
    # then
    assert response.status_code == 403
    assert "retry permission" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == Status.FAILED
    assert queued == []


# --- Staff integration page panel ---------------------------------------------------------------


def test_staff_integration_page_lists_its_emails_with_retry(staff_client, failed, integration):
    # when
    response = staff_client.get(f"/staff/integrations/{integration.pk}/")
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="outbox-title"' in page
    assert "SMTPRecipientsRefused" in page
    assert f'action="/staff/outbox/{failed.pk}/retry/"' in page
    assert f"/staff/outbox/?integration={integration.pk}" in page


# --- Admin --------------------------------------------------------------------------------------


def test_admin_lists_messages_and_retries_failed_ones_through_the_service(
    staff_client, failed, integration, queued, django_capture_on_commit_callbacks
):
    # given
    sent = _message(integration, status=Status.SENT, attempts=1)
    assert staff_client.get("/admin/catalog/outboxmessage/").status_code == 200
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/catalog/outboxmessage/",
            {"action": "retry_failed", ACTION_CHECKBOX_NAME: [failed.pk, sent.pk]},
            follow=True,
        )
    # then
    page = response.content.decode()
    assert "1 message(s) queued again." in page
    assert "Only failed messages can be retried" in page
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, sent.status) == (Status.PENDING, Status.SENT)
    assert queued == [failed.pk]
    assert AuditLog.objects.filter(action=Action.OUTBOX_RETRIED).count() == 1


def test_admin_offers_no_retry_without_the_permission(client, failed):
    # given
    viewer = factories.UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    client.force_login(viewer)
    # when
    page = client.get("/admin/catalog/outboxmessage/")
    refused = client.post(
        "/admin/catalog/outboxmessage/",
        {"action": "retry_failed", ACTION_CHECKBOX_NAME: [failed.pk]},
    )
    # then
    assert page.status_code == 200
    assert "retry_failed" not in page.content.decode()
    assert refused.status_code in (200, 302)
    failed.refresh_from_db()
    assert failed.status == Status.FAILED


# --- /partner/notifications/ --------------------------------------------------------------------


def test_preferences_offer_the_partner_kinds_all_ticked(partner_client):
    # when
    response = partner_client.get("/partner/notifications/")
    # then
    page = response.content.decode()
    for kind in Kind.FOR_PARTNERS:
        assert f'value="{kind}"' in page
    assert page.count("checked") == len(Kind.FOR_PARTNERS)
    assert f'value="{Kind.REVIEW_QUEUE}"' not in page
    assert "can&#x27;t be turned off" in page or "can't be turned off" in page


def test_unticking_a_kind_stores_the_opt_out(partner_client, partner_user):
    # when
    response = partner_client.post(
        "/partner/notifications/",
        {"receive": [Kind.REVIEW_RESULTS, Kind.VERIFICATIONS, Kind.REMINDERS]},
        follow=True,
    )
    # then
    assert "Your email choices are saved." in response.content.decode()
    partner_user.refresh_from_db()
    assert partner_user.email_opt_outs == [Kind.STAGE_CHANGES]


def test_ticking_everything_again_clears_opt_outs(partner_client, partner_user):
    # given
    partner_user.email_opt_outs = [Kind.STAGE_CHANGES, Kind.VERIFICATIONS]
    partner_user.save()
    # when
    partner_client.post("/partner/notifications/", {"receive": list(Kind.FOR_PARTNERS)})
    # then
    partner_user.refresh_from_db()
    assert partner_user.email_opt_outs == []


@pytest.mark.parametrize("kind", [Kind.SECURITY, Kind.INVITATIONS, "everything", Kind.REVIEW_QUEUE])
def test_a_kind_that_is_not_offered_is_refused_and_nothing_changes(
    partner_client, partner_user, kind
):
    # when
    response = partner_client.post("/partner/notifications/", {"receive": [kind]})
    # then
    assert response.status_code == 422
    assert f"{kind} is not one of the available choices" in response.content.decode()
    partner_user.refresh_from_db()
    assert partner_user.email_opt_outs == []


def test_staff_choose_review_queue_mail(client, staff_user):
    # given
    client.force_login(staff_user)
    # when
    client.post("/partner/notifications/", {"receive": [Kind.VERIFICATIONS]})
    # then
    staff_user.refresh_from_db()
    assert staff_user.email_opt_outs == [Kind.REVIEW_QUEUE]


def test_opt_outs_the_page_does_not_offer_are_kept(partner_client, partner_user):
    # given: an opt-out from a kind only staff get
    User.objects.filter(pk=partner_user.pk).update(email_opt_outs=[Kind.REVIEW_QUEUE])
    # when
    partner_client.post("/partner/notifications/", {"receive": list(Kind.FOR_PARTNERS)})
    # then
    partner_user.refresh_from_db()
    assert partner_user.email_opt_outs == [Kind.REVIEW_QUEUE]


# --- /readyz ------------------------------------------------------------------------------------


def test_readyz_without_a_broker_says_tasks_run_eagerly(client, db):
    body = client.get("/readyz").json()
    assert body["checks"]["broker"] == "not configured (eager tasks)"


def test_readyz_names_storage_that_does_not_answer(client, db, settings, monkeypatch):
    # given
    settings.AWS_STORAGE_BUCKET_NAME = "portal-assets"

    def unreachable(self, name):
        raise ConnectionError("Could not connect to the endpoint URL")

    monkeypatch.setattr("django.core.files.storage.FileSystemStorage.exists", unreachable)
    # when
    response = client.get("/readyz")
    # then
    assert response.status_code == 503
    assert response.json()["failed"] == ["storage"]
    assert response.json()["checks"]["storage"] == "failed: unreachable"
    assert "endpoint URL" not in response.content.decode()
