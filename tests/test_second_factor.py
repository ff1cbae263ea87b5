"""Staff second factor: enrolment, verification, throttling, recovery codes, reset."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog.errors import Conflict, Forbidden, Invalid, Throttled
from catalog.models import AuditLog, User
from catalog.permissions import RESET_STAFF_SECOND_FACTOR, codename
from catalog.services import second_factor
from tests import factories

pytestmark = pytest.mark.django_db


def test_staff_without_a_device_is_sent_to_set_one_up_for_staff_pages_and_admin(client, staff_user):
    client.force_login(staff_user, second_factor=False)
    for path in ("/staff/", "/admin/", "/staff/outbox/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/two-factor/?next="), path


def test_staff_enrols_with_a_code_gets_recovery_codes_and_reaches_staff_pages(client, staff_user):
    client.force_login(staff_user, second_factor=False)
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200
    assert b"data:image/svg+xml" in page.content
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)
    wrong = client.post("/accounts/two-factor/", {"code": "000000"})
    assert wrong.status_code == 422
    response = client.post("/accounts/two-factor/", {"code": factories.totp_code(device)})
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    assert client.get("/staff/").status_code == 200
    assert client.get("/admin/").status_code == 200
    assert AuditLog.objects.filter(action="catalog.second_factor.enrolled").count() == 1


def test_wrong_replayed_codes_are_refused_and_throttled(staff_user):
    device = factories.totp_device(staff_user)
    code = factories.totp_code(device)
    assert second_factor.second_factor_verify(user=staff_user, code=code) is not None
    with pytest.raises(Invalid, match="already used"):
        second_factor.second_factor_verify(user=staff_user, code=code)  # replayed
    for _ in range(3):
        with pytest.raises(Invalid):
            second_factor.second_factor_verify(user=staff_user, code="123456")
    with pytest.raises(Invalid):
        second_factor.second_factor_verify(user=staff_user, code="nope")
    with pytest.raises(Throttled) as throttled:
        second_factor.second_factor_verify(user=staff_user, code=factories.totp_code(device))
    assert throttled.value.retry_after > 0


def test_throttled_verify_page_answers_429(client, staff_user):
    factories.totp_device(staff_user)
    client.force_login(staff_user, second_factor=False)
    for _ in range(5):
        assert client.post("/accounts/two-factor/verify/", {"code": "111111"}).status_code == 422
    response = client.post("/accounts/two-factor/verify/", {"code": "111111"})
    assert response.status_code == 429
    assert "Retry-After" in response


def test_a_recovery_code_works_once(staff_user):
    factories.totp_device(staff_user)
    codes = second_factor.recovery_codes_regenerate(user=staff_user)
    assert second_factor.second_factor_verify(user=staff_user, code=codes[0].upper())
    with pytest.raises(Invalid):
        second_factor.second_factor_verify(user=staff_user, code=codes[0])
    assert StaticToken.objects.filter(device__user=staff_user).count() == 9


def test_reset_needs_the_permission_and_ends_the_sessions(client, staff_user):
    colleague = factories.StaffUserFactory(email="colleague@platform.example.com")
    factories.totp_device(colleague)
    client.force_login(colleague)
    assert client.get("/staff/").status_code == 200
    with pytest.raises(Forbidden):
        second_factor.second_factor_reset(actor=staff_user, user_id=colleague.pk)
    from django.contrib.auth.models import Permission

    staff_user.user_permissions.add(
        Permission.objects.get(codename=codename(RESET_STAFF_SECOND_FACTOR))
    )
    staff_user = User.objects.get(pk=staff_user.pk)
    with pytest.raises(Conflict):
        second_factor.second_factor_reset(actor=staff_user, user_id=staff_user.pk)
    second_factor.second_factor_reset(actor=staff_user, user_id=colleague.pk)
    assert not TOTPDevice.objects.filter(user=colleague).exists()
    assert client.get("/staff/")["Location"].startswith("/accounts/login/")
    assert AuditLog.objects.filter(action="catalog.second_factor.reset").count() == 1


def test_partner_who_opted_in_is_asked_at_the_next_log_in(client, partner_user):
    device = factories.totp_device(partner_user)
    response = client.post(
        "/accounts/login/",
        {"username": partner_user.email, "password": factories.PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith("/accounts/two-factor/verify/")
    response = client.post(
        "/accounts/two-factor/verify/", {"code": factories.totp_code(device), "next": "/partner/"}
    )
    assert response["Location"] == "/partner/"
    assert client.get("/partner/").status_code == 200


def test_seed_demo_json_gives_staff_a_working_totp_secret():
    out = StringIO()
    call_command("seed_demo", "--json", stdout=out)
    users = json.loads(out.getvalue())["users"]
    staff = [u for u in users if u["role"] in ("staff", "admin")]
    assert staff and all(u.get("totp_secret") for u in staff)
    assert not any("totp_secret" in u for u in users if u["role"] == "partner")
    from base64 import b32decode

    row = staff[0]
    device = TOTPDevice.objects.get(user__email=row["email"])
    totp = TOTP(b32decode(row["totp_secret"]))
    assert second_factor.second_factor_verify(user=device.user, code=f"{totp.token():06d}")
