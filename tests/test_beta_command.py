"""``issue_beta_link <slug> --email <address> [--days N]`` prints a working link."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog import tokens
from catalog.models import BetaLink, OutboxMessage
from tests import factories
from tests.data.catalog import in_private_beta


@pytest.fixture
def superuser(db):
    return factories.UserFactory(
        email="root@platform.example.com", is_staff=True, is_superuser=True
    )


def test_prints_a_link_that_opens(client, integration, superuser, settings):
    in_private_beta(integration)
    out = StringIO()
    call_command(
        "issue_beta_link", "acme-events", "--email", "c@shop.example.com", "--days", "3", stdout=out
    )
    url = out.getvalue().strip()
    assert url.startswith(f"{settings.SITE_URL}/beta/")
    token = url.rstrip("/").rsplit("/", 1)[1]
    link = BetaLink.objects.get(token_hash=tokens.hash_token(token))
    assert link.expires_at - link.created_at == timedelta(days=3)
    assert link.created_by == superuser
    assert OutboxMessage.objects.filter(recipient="c@shop.example.com").exists()
    assert client.get(url.removeprefix(settings.SITE_URL)).status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "--email", "c@x.io"], "No integration with slug “nope”"),
        (["acme-events", "--email", "not-an-email"], "is not a valid email address"),
        (["acme-events", "--email", "c@x.io", "--days", "0"], "between 1 and 365"),
        (["acme-events", "--email", "c@x.io", "--as", "nobody@x.io"], "manage-beta-links"),
    ],
)
def test_refusals_name_the_problem(integration, superuser, args, message):
    in_private_beta(integration)
    with pytest.raises(CommandError, match=message):
        call_command("issue_beta_link", *args, stdout=StringIO())
    assert BetaLink.objects.count() == 0


def test_refused_before_private_beta(integration, superuser):
    with pytest.raises(CommandError, match="private beta"):
        call_command("issue_beta_link", "acme-events", "--email", "c@x.io", stdout=StringIO())


def test_staff_user_can_be_named(integration, staff_user):
    in_private_beta(integration)
    out = StringIO()
    call_command(
        "issue_beta_link", "acme-events", "--email", "c@x.io", "--as", staff_user.email, stdout=out
    )
    assert BetaLink.objects.get().created_by == staff_user
