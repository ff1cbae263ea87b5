"""Every page × person → expected status; refused requests change nothing in the database."""

import importlib
import pkgutil

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission

from catalog import permissions
from catalog.services import team
from tests import access, factories
from tests.access import LOGIN, SECOND_FACTOR, Row, World

MODULES = [
    importlib.import_module(f"tests.access.{m.name}") for m in pkgutil.iter_modules(access.__path__)
]
ROWS: list[Row] = [row for module in MODULES for row in getattr(module, "ROWS", [])]
CASES = [(row, person) for row in ROWS for person in row.expect]


def _snapshot():
    """Every row of every portal table (the world is small)."""
    return {
        model._meta.label: sorted(map(repr, model.objects.values()))
        for model in apps.get_app_config("catalog").get_models()
    }


@pytest.fixture
def world(db):
    w = World()
    w.partner_user = factories.PartnerUserFactory(email="owner@acme.example.com")
    w.member = factories.PartnerUserFactory(
        email="member@acme.example.com", partner=w.partner_user.partner, partner_role="member"
    )
    w.other_partner_user = factories.PartnerUserFactory(email="owner@globex.example.com")
    w.staff_user = factories.StaffUserFactory(email="staff@platform.example.com")
    w.plain_staff = factories.UserFactory(email="intern@platform.example.com", is_staff=True)
    w.viewer_staff = factories.UserFactory(email="viewer@platform.example.com", is_staff=True)
    w.viewer_staff.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="catalog",
            codename=permissions.codename(permissions.VIEW_INTEGRATION),
        )
    )
    w.staff_no_2fa = factories.StaffUserFactory(email="new-staff@platform.example.com")
    w.admin = factories.StaffUserFactory(email="admin@platform.example.com", is_superuser=True)
    w.removed = factories.PartnerUserFactory(
        email="left@acme.example.com", partner=w.partner_user.partner, partner_role="member"
    )
    team.team_member_remove(actor=w.partner_user, user_id=w.removed.pk)
    w.removed.refresh_from_db()
    w.invited = factories.UserFactory(email="invited@elsewhere.example.com")
    w.integration = factories.IntegrationFactory(
        partner=w.partner_user.partner, name="Acme Events", slug="acme-events"
    )
    for module in MODULES:
        if hasattr(module, "setup"):
            module.setup(w)
    return w


def _person(world: World, person: str):
    return {
        "anonymous": None,
        "partner": world.partner_user,
        "member": world.member,
        "other_partner": world.other_partner_user,
        "staff": world.staff_user,
        "plain_staff": world.plain_staff,
        "viewer_staff": world.viewer_staff,
        "removed": world.removed,
        "invited": world.invited,
        "staff_no_2fa": world.staff_no_2fa,
        "admin": world.admin,
    }[person]


@pytest.mark.parametrize(
    ("row", "person"), CASES, ids=[f"{row.name}-{person}" for row, person in CASES]
)
def test_access(client, world, row: Row, person: str):
    # given
    user = _person(world, person)
    if user is not None:
        client.force_login(user, second_factor=person != "staff_no_2fa")
    url = row.url(world)
    data = row.data(world) if row.data else {}
    expected = row.expect[person]
    before = _snapshot()
    # when
    response = getattr(client, row.method)(url, data)
    # then
    if expected == LOGIN:
        assert response.status_code == 302, response.content[:300]
        assert response["Location"].startswith("/accounts/login/")
    elif expected == SECOND_FACTOR:
        assert response.status_code == 302, response.content[:300]
        assert response["Location"].startswith("/accounts/two-factor/")
    else:
        assert response.status_code == expected, (url, response.content[:500])
    refused = expected in (LOGIN, SECOND_FACTOR) or int(expected) >= 400
    if refused:
        assert _snapshot() == before, "a refused request changed the database"
