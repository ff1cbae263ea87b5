"""Second factor with django-otp: a TOTP device (an authenticator app) and recovery codes.

Staff need one before any staff page or the admin; partners may opt in (then their pages ask
too). A wrong code counts against the user in the throttle store, on top of django-otp's own
per-device back-off; a code is accepted once (TOTP remembers the last time step used, a recovery
code is deleted when used). Resetting someone's devices ends their sessions.
"""

import time

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog import permissions
from catalog.audit import Action
from catalog.errors import Conflict, Forbidden, Invalid, NotFound, Throttled
from catalog.models import User
from catalog.notifications import Kind, notify
from catalog.services.audit import audit_record

RECOVERY_CODE_COUNT = 10
FAILURE_WINDOW_SECONDS = 15 * 60
FAILURES_PER_WINDOW = 5
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
WRONG_CODE = (
    "That code is not right, or it was already used. Type the 6-digit code your app shows now, "
    "or one of your recovery codes."
)


def _throttle_cache():
    return caches["throttle" if "throttle" in settings.CACHES else "default"]


def needs_second_factor(user) -> bool:
    """Staff always; anyone else who enrolled a device (partners opt in)."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or user_has_device(user, confirmed=True))


def is_verified(user) -> bool:
    return bool(getattr(user, "is_verified", None) and user.is_verified())


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


# --- Throttle -----------------------------------------------------------------------------------


def _failure_key(user: User, now: float) -> str:
    return f"otp-failures:{user.pk}:{int(now // FAILURE_WINDOW_SECONDS)}"


def _refuse_if_throttled(user: User, now: float) -> None:
    if (_throttle_cache().get(_failure_key(user, now)) or 0) >= FAILURES_PER_WINDOW:
        retry_after = int((now // FAILURE_WINDOW_SECONDS + 1) * FAILURE_WINDOW_SECONDS - now)
        minutes = max(1, -(-retry_after // 60))
        raise Throttled(
            f"Too many wrong codes. Wait {minutes} minute{'s' if minutes != 1 else ''} and try "
            "again; if you lost your device, ask another staff member to reset it.",
            retry_after=retry_after,
        )


def _count_failure(user: User, now: float) -> None:
    store, key = _throttle_cache(), _failure_key(user, now)
    if not store.add(key, 1, timeout=FAILURE_WINDOW_SECONDS + 60):
        try:
            store.incr(key)
        except ValueError:
            store.add(key, 1, timeout=FAILURE_WINDOW_SECONDS + 60)


def _clean_code(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


# --- Enrolment ----------------------------------------------------------------------------------


@transaction.atomic
def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The device being set up (unconfirmed until a code from it is typed back)."""
    if has_second_factor(user):
        raise Conflict("You already have an authenticator app set up.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=recovery_code_digest(c)) for c in codes]
    )
    return codes


RECOVERY_SALT = "catalog.second_factor.recovery-code"


def recovery_code_digest(code: str, *, secret: str | None = None) -> str:
    """What is stored for a recovery code: 16 hex digits (64 bits) of an HMAC keyed by the
    secret key, never the code. django-otp keeps its static tokens as typed; a copy of the table
    then held working codes, and an unkeyed hash of a 40-bit code is a few hours' guessing."""
    return salted_hmac(RECOVERY_SALT, _clean_code(code), secret=secret).hexdigest()[:16]


def _recovery_digests(code: str) -> list[str]:
    """The code's digest under the secret key and each fallback (rotating the key keeps the
    codes made before it working, as ``SECRET_KEY_FALLBACKS`` does for sessions)."""
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return [recovery_code_digest(code, secret=secret) for secret in secrets]


def _verify_recovery_code(device: StaticDevice, code: str) -> bool:
    """django-otp's check (single use, its throttle) on the stored digest that matches, if any;
    one failure counted otherwise."""
    digests = _recovery_digests(code)
    stored = device.token_set.filter(token__in=digests).values_list("token", flat=True).first()
    return device.verify_token(stored or digests[0])


@transaction.atomic
def totp_enrolment_confirm(
    *, user: User, code: str, now: float | None = None, ip_address: str | None = None
) -> tuple[TOTPDevice, list[str]]:
    """Confirm the device being set up with a code from it; returns it and the recovery codes
    (shown once)."""
    now = time.time() if now is None else now
    _refuse_if_throttled(user, now)
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("pk")
        .first()
    )
    if device is None:
        raise Conflict("Start the set-up again: there is no authenticator app waiting.")
    code = _clean_code(code)
    if not code.isdigit() or not device.verify_token(code):
        _count_failure(user, now)
        raise Invalid(
            "That code is not right. Type the 6-digit code the app shows now (it changes every "
            "30 seconds); check that the phone's clock is right.",
            field="code",
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    codes = _new_recovery_codes(user)
    audit_record(
        action=Action.SECOND_FACTOR_ENROLLED,
        actor=user,
        partner=user.partner,
        target=user,
        new_value={"device": TOTP_NAME, "recovery_codes": RECOVERY_CODE_COUNT},
        ip_address=ip_address,
    )
    return device, codes


@transaction.atomic
def second_factor_verify(
    *, user: User, code: str, now: float | None = None, ip_address: str | None = None
):
    """The device that accepts ``code`` (an app code or an unused recovery code)."""
    now = time.time() if now is None else now
    _refuse_if_throttled(user, now)
    code = _clean_code(code)
    if code:
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            is_app = isinstance(device, TOTPDevice)
            if is_app != code.isdigit():
                continue
            if device.verify_token(code) if is_app else _verify_recovery_code(device, code):
                if not is_app:
                    audit_record(
                        action=Action.SECOND_FACTOR_RECOVERY_USED,
                        actor=user,
                        partner=user.partner,
                        target=user,
                        new_value={"left": device.token_set.count()},
                        ip_address=ip_address,
                    )
                return device
    _count_failure(user, now)
    raise Invalid(WRONG_CODE, field="code")


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    if not has_second_factor(user):
        raise Conflict("Set up an authenticator app first.")
    codes = _new_recovery_codes(user)
    audit_record(
        action=Action.SECOND_FACTOR_RECOVERY_REGENERATED,
        actor=user,
        partner=user.partner,
        target=user,
    )
    return codes


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Reset by a colleague -----------------------------------------------------------------------


@transaction.atomic
def second_factor_reset(*, actor: User, user_id: int, ip_address: str | None = None) -> User:
    """Remove every device of a staff member who lost theirs; their sessions end and they
    enrol again at their next log-in."""
    if not permissions.staff_has(actor, permissions.RESET_STAFF_SECOND_FACTOR):
        raise Forbidden("You need the permission to reset staff second factors.")
    try:
        target = User.objects.select_for_update().get(pk=user_id, is_staff=True)
    except (User.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such staff member.") from None
    if target.pk == actor.pk:
        raise Conflict("Ask another staff member to reset your own second factor.")
    devices = list(devices_for_user(target, confirmed=None))
    for device in devices:
        device.delete()
    removed = len(devices)
    target.rotate_session_token()
    target.save(update_fields=["session_token"])
    audit_record(
        action=Action.SECOND_FACTOR_RESET,
        actor=actor,
        target=target,
        old_value={"email": target.email, "devices": removed},
        ip_address=ip_address,
    )
    notify(
        event=str(Action.SECOND_FACTOR_RESET),
        kind=Kind.SECURITY,
        recipients=[target],
        template="second_factor_reset",
        context={
            "actor": actor,
            "when": timezone.now(),
            "login_url": settings.SITE_URL + reverse("login"),
        },
    )
    return target


@transaction.atomic
def devices_removed_in_admin(*, actor: User, user_ids: list[int]) -> None:
    """Devices deleted in the admin: their users' sessions end, as with a reset (a session
    verified by a device that no longer exists is not trusted to enrol a new one), audited."""
    for user in User.objects.select_for_update().filter(pk__in=set(user_ids)):
        user.rotate_session_token()
        user.save(update_fields=["session_token"])
        audit_record(
            action=Action.SECOND_FACTOR_RESET,
            actor=actor,
            target=user,
            old_value={"email": user.email, "devices": user_ids.count(user.pk), "via": "admin"},
        )
