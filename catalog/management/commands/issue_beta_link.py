"""``python manage.py issue_beta_link <slug> --email <address> [--days N]``: print a beta link."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from catalog import permissions
from catalog.errors import ApplicationError
from catalog.models import Integration, User
from catalog.services.beta import beta_link_issue


class Command(BaseCommand):
    help = "Issue a private-beta link for one customer and print it (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the integration's slug")
        parser.add_argument("--email", required=True, help="the invited customer's email")
        parser.add_argument("--workspace", default="", help="the customer's workspace name")
        parser.add_argument(
            "--days",
            type=int,
            default=settings.BETA_LINK_DEFAULT_DAYS,
            help=f"days until it expires (default {settings.BETA_LINK_DEFAULT_DAYS})",
        )
        parser.add_argument(
            "--as",
            dest="actor",
            default="",
            help="email of the staff user issuing it (default: the first active superuser)",
        )

    def handle(self, *args, slug, email, workspace, days, actor, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"“{email}” is not a valid email address.") from None
        integration = Integration.objects.filter(slug=slug).first()
        if integration is None:
            raise CommandError(f"No integration with slug “{slug}”.")
        user = self._actor(actor)
        try:
            _, token = beta_link_issue(
                actor=user,
                integration_id=integration.pk,
                email=email,
                workspace_name=workspace,
                days=days,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        from catalog.services.beta import beta_url

        self.stdout.write(beta_url(token))

    def _actor(self, email: str) -> User:
        users = User.objects.filter(is_active=True, is_staff=True)
        user = (
            users.filter(email__iexact=email).first()
            if email
            else users.filter(is_superuser=True).order_by("pk").first()
        )
        if user is None or not user.has_perm(permissions.MANAGE_BETA_LINKS):
            who = f"“{email}”" if email else "an active superuser"
            raise CommandError(
                f"Need {who} with the manage-beta-links permission to issue links "
                "(create one with createsuperuser, or pass --as).",
            )
        return user
