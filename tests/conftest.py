"""Named people and shared fixtures (see STYLE.md "Tests").

``partner_user`` and ``other_partner_user`` belong to two different partners; ``staff_user`` has
the staff group's permissions; ``plain_staff_user`` is staff without any permission.
"""

import os

import pytest

from tests import factories


def pytest_configure(config):
    from django.conf import settings

    # Hashing cost is not what the tests measure.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from portal.celery import app

    app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests (live server, real workers, races) run after a flush that removed the
    agreements and categories the data migration created; put them back before such a test."""
    marker = request.node.get_closest_marker("django_db")
    marked = bool(marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)))
    if not marked and not {"transactional_db", "live_server"} & set(request.fixturenames):
        return
    import importlib

    from django.apps import apps as django_apps

    request.getfixturevalue("_django_db_helper" if marked else "transactional_db")
    importlib.import_module("catalog.migrations.0002_reference_data").forwards(django_apps, None)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import caches

    from catalog.cache import forget_lookups

    for cache in caches.all():
        cache.clear()
    forget_lookups()
    yield
    for cache in caches.all():
        cache.clear()
    forget_lookups()


@pytest.fixture(autouse=True)
def _staff_pass_the_second_factor(monkeypatch):
    """Staff need a verified second factor on every staff page. ``client.force_login(staff)``
    gives the session one (a device is created when the user has none), as a real log-in with
    a right code would; ``force_login(user, second_factor=False)`` logs in without it."""
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None, *, second_factor=True):
        original(self, user, backend)
        if second_factor and user.is_staff:
            factories.verify_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def password():
    return factories.PASSWORD


@pytest.fixture
def partner(db):
    return factories.PartnerFactory(name="Acme Analytics", website="https://acme.example.com")


@pytest.fixture
def partner_user(partner):
    return factories.PartnerUserFactory(email="owner@acme.example.com", partner=partner)


@pytest.fixture
def partner_member(partner):
    return factories.PartnerUserFactory(
        email="member@acme.example.com", partner=partner, partner_role="member"
    )


@pytest.fixture
def other_partner_user(db):
    other = factories.PartnerFactory(name="Globex", website="https://globex.example.com")
    return factories.PartnerUserFactory(email="owner@globex.example.com", partner=other)


@pytest.fixture
def staff_user(db):
    return factories.StaffUserFactory(email="staff@platform.example.com")


@pytest.fixture
def plain_staff_user(db):
    return factories.UserFactory(email="intern@platform.example.com", is_staff=True)


@pytest.fixture
def integration(partner):
    return factories.IntegrationFactory(partner=partner, name="Acme Events", slug="acme-events")


@pytest.fixture
def other_integration(other_partner_user):
    return factories.IntegrationFactory(
        partner=other_partner_user.partner, name="Globex Sync", slug="globex-sync"
    )


@pytest.fixture
def partner_client(client, partner_user):
    client.force_login(partner_user)
    return client


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


# --- Browser tests ------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (never Playwright's own browser download)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
        )
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(page):
    """Log a user in through the real login form."""

    def _login(user, password=factories.PASSWORD):
        page.goto("/accounts/login/")
        page.fill("input[name=username]", user.email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if user.is_staff:
            pass_second_factor(page, user)
        return page

    return _login


def pass_second_factor(page, user) -> None:
    """Staff land on the second-factor page after the password: type a code from their app
    (a device is created for them when they have none)."""
    device = factories.totp_device(user)
    if "/accounts/two-factor/verify/" not in page.url:
        page.goto("/accounts/two-factor/verify/?next=/")
    page.fill("input[name=code]", factories.totp_code(device))
    page.click("button[type=submit]:has-text('Verify')")
    page.wait_for_load_state()
