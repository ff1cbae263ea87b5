"""Pages show times in the platform's time zone (PLATFORM_TIME_ZONE) with its abbreviation."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from catalog.audit import Action
from catalog.services.audit import audit_record

pytestmark = pytest.mark.django_db


def _registered_at(integration, moment: datetime) -> None:
    entry = audit_record(action=Action.INTEGRATION_REGISTERED, integration=integration)
    type(entry).objects.filter(pk=entry.pk).update(created_at=moment)


def test_history_shows_winter_times_in_the_platform_zone_as_pst(partner_client, integration):
    _registered_at(integration, datetime(2025, 1, 15, 20, 30, tzinfo=UTC))
    html = partner_client.get(f"/partner/integrations/{integration.pk}/").content.decode()
    assert "2025-01-15 12:30 PST" in html
    assert "20:30" not in html and " UTC" not in html


def test_history_shows_summer_times_as_pdt(partner_client, integration):
    _registered_at(integration, datetime(2025, 7, 1, 3, 5, tzinfo=UTC))
    html = partner_client.get(f"/partner/integrations/{integration.pk}/").content.decode()
    assert "2025-06-30 20:05 PDT" in html


def test_the_zone_follows_the_setting(settings, partner_client, integration):
    settings.PLATFORM_TIME_ZONE = "Europe/Paris"
    _registered_at(integration, datetime(2025, 1, 15, 20, 30, tzinfo=UTC))
    html = partner_client.get(f"/partner/integrations/{integration.pk}/").content.decode()
    assert "2025-01-15 21:30 CET" in html


def test_an_unknown_zone_leaves_pages_in_utc_instead_of_failing(
    settings, partner_client, integration
):
    settings.PLATFORM_TIME_ZONE = "Mars/Olympus_Mons"
    _registered_at(integration, datetime(2025, 1, 15, 20, 30, tzinfo=UTC))
    response = partner_client.get(f"/partner/integrations/{integration.pk}/")
    assert response.status_code == 200
    assert "2025-01-15 20:30 UTC" in response.content.decode()


def test_the_zone_is_not_left_active_after_the_request(partner_client, integration):
    partner_client.get(f"/partner/integrations/{integration.pk}/")
    assert timezone.get_current_timezone_name() == "UTC"
