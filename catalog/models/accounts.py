import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class Partner(models.Model):
    """A company in the partner program; several users belong to one partner."""

    name = models.CharField(max_length=200)
    website = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def profile_complete(self) -> bool:
        return bool(self.name.strip() and self.website.strip())


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("email_confirmed_at", timezone.now())
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: a partner's user (``partner`` set) or staff (``is_staff``)."""

    class PartnerRole(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    partner_role = models.CharField(
        max_length=10, choices=PartnerRole.choices, default=PartnerRole.MEMBER
    )
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    # Notification kinds this user turned off (see catalog.notifications); security mail ignores it.
    email_opt_outs = models.JSONField(default=list, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Folded into the session hash: rotating it ends every session of this user at once
    # (removed from a team, second factor reset), as pretix's ``User.session_token``.
    session_token = models.CharField(max_length=64, default=new_session_token)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        permissions = [
            ("reset_staff_second_factor", "Can reset another staff member's second factor"),
        ]

    def __str__(self) -> str:
        return self.email

    def _get_session_auth_hash(self, secret=None) -> str:
        """The password hash and the session token: either changing ends every session
        (Django's ``get_session_auth_hash`` and its fallback keys both come through here)."""
        return salted_hmac(
            "catalog.User.get_session_auth_hash",
            f"{self.password}:{self.session_token}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def rotate_session_token(self) -> None:
        """End every session of this user (the caller saves ``session_token``)."""
        self.session_token = new_session_token()

    @property
    def is_partner(self) -> bool:
        return self.partner_id is not None

    @property
    def is_partner_owner(self) -> bool:
        return self.partner_id is not None and self.partner_role == self.PartnerRole.OWNER

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None


class AgreementVersion(models.Model):
    """A version of a document partners must accept. Staff add new versions as data."""

    class Kind(models.TextChoices):
        PARTNER_PROGRAM = "partner_program", "Partner Program Agreement"
        PRIVACY = "privacy", "Privacy Policy"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    version = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    url = models.URLField(blank=True)
    body = models.TextField(blank=True)
    effective_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "-effective_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "version"], name="agreement_kind_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version}"


class AgreementAcceptance(models.Model):
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="acceptances")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="acceptances")
    agreement = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="acceptances"
    )
    accepted_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agreement"], name="acceptance_user_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} accepted {self.agreement}"
