"""``demo_totp``: the current code of a demo staff member's device, accepted by the device; refused
when DEBUG is off and for someone without a device."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests import factories

pytestmark = pytest.mark.django_db


def test_the_printed_code_is_accepted_by_the_device(settings, staff_user):
    settings.DEBUG = True
    device = factories.totp_device(staff_user)
    out = io.StringIO()
    call_command("demo_totp", "--email", staff_user.email.upper(), stdout=out)
    assert device.verify_token(out.getvalue().strip())


def test_refused_with_debug_off(settings, staff_user):
    settings.DEBUG = False
    factories.totp_device(staff_user)
    with pytest.raises(CommandError, match="DJANGO_DEBUG on only"):
        call_command("demo_totp", "--email", staff_user.email)


def test_refused_for_someone_without_a_device(settings, partner_user):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="No confirmed TOTP device"):
        call_command("demo_totp", "--email", partner_user.email)
