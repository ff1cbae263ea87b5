"""``python manage.py create_api_token --email E [--name N] [--days N]``: prints a new partner API
token for the owner with that email (shown once; only its hash is stored)."""

from django.core.management.base import BaseCommand, CommandError

from catalog.errors import ApplicationError
from catalog.models import User
from catalog.services.api_tokens import api_token_create


class Command(BaseCommand):
    help = "Create a partner API token for an owner and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="an owner of a partner company")
        parser.add_argument("--name", default="Command line", help="where the token is used")
        parser.add_argument("--days", type=int, default=None, help="expire after N days")

    def handle(self, *args, email, name, days, **options):
        user = User.objects.filter(email__iexact=email.strip()).select_related("partner").first()
        if user is None:
            raise CommandError(f"No user with the email {email}.")
        try:
            _, raw = api_token_create(actor=user, name=name, days=days)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(raw)
