"""``python manage.py demo_totp --email E``: the current six-digit code of a user's confirmed TOTP
device, for signing in as a demo staff member without an authenticator app. Refused with
``DJANGO_DEBUG`` off: in production a code comes from the person's own device only."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current TOTP code of a user's device (demo / DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)

    def handle(self, *args, email: str, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp works with DJANGO_DEBUG on only.")
        device = (
            TOTPDevice.objects.filter(user__email__iexact=email.strip(), confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise CommandError(f"No confirmed TOTP device for {email!r}.")
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")
