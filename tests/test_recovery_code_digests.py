"""Recovery codes are stored as keyed digests, never as typed (issue 12's leftover): a copy of
the table holds no working code. They still work once each, across a secret-key rotation, and
the codes stored before the change are converted by migration 0012."""

import importlib

import pytest
from django.apps import apps as django_apps
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from catalog.errors import Invalid
from catalog.services import second_factor
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_table_holds_digests_not_the_codes(staff_user):
    factories.totp_device(staff_user)
    codes = second_factor.recovery_codes_regenerate(user=staff_user)
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == len(codes) == second_factor.RECOVERY_CODE_COUNT
    assert not stored & {c.lower() for c in codes}
    assert all(len(s) == 16 and int(s, 16) >= 0 for s in stored)
    # typed as shown, with spaces or dashes, once
    assert second_factor.second_factor_verify(
        user=staff_user, code=f" {codes[1][:4]}-{codes[1][4:]}"
    )
    with pytest.raises(Invalid):
        second_factor.second_factor_verify(user=staff_user, code=codes[1])
    # the stored digest itself is not a code
    with pytest.raises(Invalid):
        second_factor.second_factor_verify(
            user=staff_user, code=StaticToken.objects.values_list("token", flat=True).first()
        )


def test_codes_made_before_a_secret_key_rotation_keep_working(settings, staff_user):
    factories.totp_device(staff_user)
    codes = second_factor.recovery_codes_regenerate(user=staff_user)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    assert second_factor.second_factor_verify(user=staff_user, code=codes[0])
    assert StaticToken.objects.filter(device__user=staff_user).count() == 9


def test_the_migration_converts_codes_stored_as_typed(staff_user):
    factories.totp_device(staff_user)
    device = StaticDevice.objects.create(user=staff_user, name="Recovery codes", confirmed=True)
    StaticToken.objects.create(device=device, token="a5tcgdvo")
    migration = importlib.import_module("catalog.migrations.0012_hash_recovery_codes")
    migration.hash_codes(django_apps, None)
    migration.hash_codes(django_apps, None)  # twice: a digest is left as it is
    assert StaticToken.objects.get().token == second_factor.recovery_code_digest("a5tcgdvo")
    assert second_factor.second_factor_verify(user=staff_user, code="A5TC GDVO")
