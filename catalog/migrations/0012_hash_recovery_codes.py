"""Recovery codes stored as keyed digests (``services.second_factor.recovery_code_digest``), not
as typed: the codes made before this migration are replaced by their digests, so they keep
working and no working code stays in the table."""

import re

from django.conf import settings
from django.db import migrations
from django.utils.crypto import salted_hmac

# Frozen copies of the service's salt and cleaning, so this migration means the same later.
SALT = "catalog.second_factor.recovery-code"
DIGEST = re.compile(r"[0-9a-f]{16}")


def _digest(code: str) -> str:
    cleaned = "".join(code.split()).replace("-", "").lower()
    return salted_hmac(SALT, cleaned, secret=settings.SECRET_KEY).hexdigest()[:16]


def hash_codes(apps, schema_editor):
    StaticToken = apps.get_model("otp_static", "StaticToken")
    for token in StaticToken.objects.all().iterator():
        if not DIGEST.fullmatch(token.token):
            token.token = _digest(token.token)
            token.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0011_teams_second_factor_lifecycle"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(hash_codes, migrations.RunPython.noop)]
