import factory
from django.utils import timezone

from catalog.models import (
    AgreementAcceptance,
    Integration,
    Partner,
    Stage,
    User,
)
from catalog.stages import current_agreements

PASSWORD = "correct horse battery staple"


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Acme {n} Inc.")
    website = factory.Sequence(lambda n: f"https://acme{n}.example.com")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    email_confirmed_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class PartnerUserFactory(UserFactory):
    partner = factory.SubFactory(PartnerFactory)
    partner_role = User.PartnerRole.OWNER


class StaffUserFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def perms(obj, create, extracted, **kwargs):
        if create:
            from catalog.permissions import ensure_staff_group

            obj.groups.add(ensure_staff_group())


class IntegrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Integration

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"Destination {n}")
    slug = factory.Sequence(lambda n: f"destination-{n}")
    mode = "cloud"
    stage = Stage.SIGNUP


def accept_agreements(user: User) -> None:
    for version in current_agreements().values():
        AgreementAcceptance.objects.get_or_create(
            user=user, partner=user.partner, agreement=version
        )


# --- Second factor ------------------------------------------------------------------------------


def totp_device(user: User, *, confirmed: bool = True):
    """The user's authenticator app (created when missing)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test app", confirmed=confirmed)
    return device


def totp_code(device, *, fresh: bool = True) -> str:
    """A code the device accepts now: one time step ahead when the current one was used
    (django-otp accepts each step once, and one step of drift)."""
    import time

    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if fresh and totp.t() <= device.last_t:
        totp.time += device.step
    return f"{totp.token():0{device.digits}d}"


def verify_second_factor(client, user) -> None:
    """Mark a test client's session as having passed the second factor (as django-otp's
    ``login`` does after a right code)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()
