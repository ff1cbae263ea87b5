"""Partner sign-up, email confirmation, the company profile and agreement acceptance."""

import hashlib
import logging
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from catalog import stages, throttle
from catalog.audit import Action
from catalog.errors import BadRequest, Forbidden, Gone, Invalid
from catalog.models import AgreementAcceptance, AgreementVersion, Partner, User
from catalog.notifications import Kind, notify
from catalog.services.audit import audit_record
from catalog.validation.characters import hidden_text_problem, unsafe_in_name
from catalog.validation.text import normalize_website

logger = logging.getLogger(__name__)

CONFIRMATION_SALT = "catalog.accounts.email-confirmation"
RESEND_INTERVAL_SECONDS = 60


def normalize_email(email: str) -> str:
    """Addresses are case-insensitive: one account per address, stored lower-case. NFKC makes
    fullwidth letters plain ones, so "ｐｅｔｅｒ@…" is the same account as "peter@…"."""
    return unicodedata.normalize("NFKC", email or "").strip().lower()


def email_problem(email: str) -> str | None:
    """Why an address could pass for another one (hidden characters; a domain label mixing
    lookalike alphabets, like "exаmple" with a Cyrillic а), or None."""
    problem = unsafe_in_name(email)
    if problem:
        return (
            f"The address contains an invisible or control character ({problem}). "
            "Type it again without it."
        )
    for label in email.rpartition("@")[2].split("."):
        problem = hidden_text_problem(label, "The address's domain")
        if problem:
            return problem
    return None


def _refuse_hidden_text(**fields: tuple[str, str]) -> None:
    """Names people read on every page: no invisible characters or bidi overrides
    (``field=(value, "The company name")``). Alphabets may mix: companies aren't unique."""
    for field, (value, what) in fields.items():
        problem = hidden_text_problem(value, what, lookalikes=False)
        if problem:
            raise Invalid(problem, field=field)


def sign_up_text_problems(
    *, company_name: str, full_name: str, website: str, email: str
) -> dict[str, str]:
    """Hidden characters in the sign-up fields, by field (all of them, so the form can show them
    beside its other problems)."""
    problems = {}
    for field, value, what in (
        ("company_name", company_name, "The company name"),
        ("full_name", full_name, "Your name"),
        ("website", website, "The web address"),
    ):
        problem = hidden_text_problem(value, what, lookalikes=False)
        if problem:
            problems[field] = problem
    problem = email_problem(normalize_email(email)) if email else None
    if problem:
        problems["email"] = problem
    return problems


def email_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=normalize_email(email)).exists()


# --- Agreements ---------------------------------------------------------------------------------


def missing_agreements(*, partner: Partner) -> list[AgreementVersion]:
    """Current agreement versions nobody at ``partner`` has accepted yet."""
    current = stages.current_agreements()
    accepted = set(
        AgreementAcceptance.objects.filter(
            partner=partner, agreement__in=list(current.values())
        ).values_list("agreement_id", flat=True)
    )
    return [v for kind, v in sorted(current.items()) if v.pk not in accepted]


def _accept(*, user: User, versions: list[AgreementVersion], ip_address: str | None) -> int:
    now = timezone.now()
    created = 0
    for version in versions:
        _, was_created = AgreementAcceptance.objects.get_or_create(
            user=user,
            agreement=version,
            defaults={"partner": user.partner, "accepted_at": now, "ip_address": ip_address},
        )
        if was_created:
            created += 1
            audit_record(
                action=Action.AGREEMENT_ACCEPTED,
                actor=user,
                partner=user.partner,
                target=version,
                new_value={"kind": version.kind, "version": version.version},
                ip_address=ip_address,
            )
    return created


# --- Sign-up and confirmation -------------------------------------------------------------------


SIGNUP_TAKEN_INTERVAL_SECONDS = 60 * 60


def _signup_with_taken_address(*, email: str, password: str) -> None:
    """Someone signed up with an address that has an account. The page answers as for a new
    account (so sign-up doesn't reveal which addresses have one); the owner gets an email saying
    so, with the ways in, at most once an hour. The password is hashed anyway so both answers
    take about as long."""
    make_password(password)
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None or not throttle.first_in(
        f"signup-taken:{user.pk}", seconds=SIGNUP_TAKEN_INTERVAL_SECONDS
    ):
        return
    notify(
        event=str(Action.USER_SIGNUP_WITH_TAKEN_ADDRESS),
        kind=Kind.SECURITY,
        recipients=[user],
        template="signup_address_taken",
        context={
            "login_url": settings.SITE_URL + reverse("login"),
            "reset_url": settings.SITE_URL + reverse("password_reset"),
        },
    )


@transaction.atomic
def partner_sign_up(
    *,
    company_name: str,
    website: str,
    email: str,
    password: str,
    full_name: str,
    accepted_kinds: list[str],
    ip_address: str | None = None,
) -> str:
    """Create the partner, its owner (unconfirmed) and the acceptances; send the confirmation.
    Returns the address the confirmation went to. An address that already has an account gets
    the same answer, and its owner an email instead (``_signup_with_taken_address``)."""
    email = normalize_email(email)
    company_name = " ".join(company_name.split())
    full_name = " ".join(full_name.split())
    if not company_name:
        raise Invalid("Give your company's name.", field="company_name")
    if not full_name:
        raise Invalid("Give your full name.", field="full_name")
    problems = sign_up_text_problems(
        company_name=company_name, full_name=full_name, website=website, email=email
    )
    if problems:
        first = next(iter(problems.values()))
        raise Invalid(first, errors={field: [text] for field, text in problems.items()})
    current = stages.current_agreements()
    for kind, label in AgreementVersion.Kind.choices:
        if kind in current and kind not in accepted_kinds:
            raise Invalid(f"Accept the {label} to continue.", field=f"accept_{kind}")
    if email_taken(email):
        _signup_with_taken_address(email=email, password=password)
        return email
    partner = Partner.objects.create(name=company_name, website=normalize_website(website))
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                full_name=full_name,
                partner=partner,
                partner_role=User.PartnerRole.OWNER,
            )
    except IntegrityError:  # the same address signed up at the same moment
        transaction.set_rollback(True)
        return email
    audit_record(
        action=Action.PARTNER_SIGNED_UP,
        actor=user,
        partner=partner,
        target=partner,
        new_value={"name": partner.name, "website": partner.website, "email": email},
        ip_address=ip_address,
    )
    _accept(user=user, versions=list(current.values()), ip_address=ip_address)
    _send_confirmation(user=user, event=Action.PARTNER_SIGNED_UP)
    return email


def confirmation_token(user: User) -> str:
    """A signed, timestamped token naming the user and the address it confirms."""
    return signing.dumps({"u": user.pk, "e": user.email}, salt=CONFIRMATION_SALT, compress=True)


def confirmation_url(user: User) -> str:
    return settings.SITE_URL + reverse("confirm_email", args=[confirmation_token(user)])


def _send_confirmation(*, user: User, event: Action) -> None:
    notify(
        event=str(event),
        kind=Kind.SECURITY,
        recipients=[user],
        template="confirm_email",
        context={
            "confirm_url": confirmation_url(user),
            "valid_days": max(1, settings.EMAIL_CONFIRMATION_MAX_AGE // 86400),
        },
    )


def user_for_confirmation_token(token: str) -> User:
    """Every way a token can fail is handled here, each with its own message and status."""
    try:
        data = signing.loads(
            token, salt=CONFIRMATION_SALT, max_age=settings.EMAIL_CONFIRMATION_MAX_AGE
        )
    except signing.SignatureExpired:
        raise Gone("This confirmation link has expired. Ask for a new one below.") from None
    except signing.BadSignature:
        raise BadRequest(
            "This confirmation link is not valid. Check that you copied all of it, "
            "or ask for a new one below.",
        ) from None
    if not isinstance(data, dict):
        raise BadRequest("This confirmation link is not valid.")
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.email != data.get("e"):
        raise BadRequest(
            "This confirmation link no longer matches an account. Ask for a new one below.",
        )
    return user


@transaction.atomic
def email_confirm(*, token: str, ip_address: str | None = None) -> tuple[User, bool]:
    """Confirm the address in ``token``. Returns ``(user, newly_confirmed)``; a second click on
    the same link is harmless."""
    user = user_for_confirmation_token(token)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.email_confirmed_at is not None:
        return user, False
    user.email_confirmed_at = timezone.now()
    user.save(update_fields=["email_confirmed_at"])
    audit_record(
        action=Action.USER_EMAIL_CONFIRMED,
        actor=user,
        partner=user.partner,
        target=user,
        new_value={"email": user.email},
        ip_address=ip_address,
    )
    return user, True


@transaction.atomic
def email_confirmation_resend(*, email: str) -> bool:
    """Send a fresh link when an unconfirmed account has this address. The caller shows the same
    answer either way, so the form does not reveal which addresses have accounts. At most one
    email per address per minute."""
    email = normalize_email(email)
    user = User.objects.filter(email=email, is_active=True, email_confirmed_at__isnull=True).first()
    if user is None:
        return False
    if not throttle.first_in(f"confirm-resend:{email}", seconds=RESEND_INTERVAL_SECONDS):
        return False
    _send_confirmation(user=user, event=Action.USER_CONFIRMATION_SENT)
    return True


# --- Password reset -----------------------------------------------------------------------------


def password_reset_request(*, email: str) -> None:
    """The reset form's answer is the same for every address, and so is its work: it only queues
    the task, which looks the address up and sends the email (``password_reset_email``). A broker
    that is down loses this one request (the person asks again), never shows an error."""
    from catalog import tasks

    try:
        tasks.password_reset_email.delay(normalize_email(email))
    except Exception:  # noqa: BLE001 - kombu/redis errors vary
        logger.warning("could not queue a password reset email", exc_info=True)


def password_reset_for_address(*, email: str) -> int:
    """Send a reset email to each active account with a usable password at ``email`` (the task's
    work). Returns how many were sent."""
    users = User.objects.filter(email__iexact=normalize_email(email), is_active=True)
    return sum(password_reset_send(user=user) for user in users if user.has_usable_password())


def password_reset_send(*, user: User) -> bool:
    """The reset email goes through the outbox like every other email. The link uses
    ``SITE_URL``, never the request's Host header. At most one email per address a minute, so
    the form can't be used to flood someone's inbox."""
    if not throttle.first_in(f"password-reset:{user.pk}", seconds=RESEND_INTERVAL_SECONDS):
        return False
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    reset_url = settings.SITE_URL + reverse("password_reset_confirm", args=[uid, token])
    with transaction.atomic():
        notify(
            event=str(Action.USER_PASSWORD_RESET_REQUESTED),
            kind=Kind.SECURITY,
            recipients=[user],
            template="password_reset",
            context={"reset_url": reset_url},
        )
        audit_record(
            action=Action.USER_PASSWORD_RESET_REQUESTED,
            actor=user,
            partner=user.partner,
            target=user,
        )
    return True


# --- Log-in throttle ----------------------------------------------------------------------------

# Failed log-ins are counted in fixed windows, in the throttle store (``catalog/throttle.py``):
# - per account *and* client address: past a few, that address may not try that account again
#   until the window ends. Someone failing on purpose locks out only themselves;
# - per client address: one network trying many accounts is refused;
# - per account from everywhere: a much higher ceiling, for a guesser spread over many addresses.
#   It never refuses an address that logged into the account before (so a user is not locked out
#   of their own account from where they usually log in), and a successful log-in clears it.
LOGIN_WINDOW_SECONDS = 15 * 60
LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS = 5
LOGIN_FAILURES_PER_ADDRESS = 30
LOGIN_FAILURES_PER_ACCOUNT = 100
KNOWN_ADDRESS_SECONDS = 90 * 24 * 3600


@dataclass(frozen=True)
class LoginThrottle:
    message: str
    retry_after: int


def _account_key(email: str) -> str:
    return hashlib.sha256(normalize_email(email).encode("utf-8", "replace")).hexdigest()


def _login_counters(*, email: str, ip_address: str | None, now: float) -> list[tuple]:
    window = int(now // LOGIN_WINDOW_SECONDS)
    account = _account_key(email)
    address = ip_address or "-"
    return [
        (
            f"login-failures:pair:{account}:{address}:{window}",
            LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS,
            "pair",
        ),
        (f"login-failures:address:{address}:{window}", LOGIN_FAILURES_PER_ADDRESS, "ip"),
        (f"login-failures:account:{account}:{window}", LOGIN_FAILURES_PER_ACCOUNT, "account"),
    ]


def _known_address_key(email: str, ip_address: str | None) -> str:
    return f"login-known:{_account_key(email)}:{ip_address or '-'}"


def login_throttle(
    *, email: str, ip_address: str | None, now: float | None = None
) -> LoginThrottle | None:
    """Why a log-in is refused before the password is even checked, or None."""
    now = time.time() if now is None else now
    retry_after = max(1, int((int(now // LOGIN_WINDOW_SECONDS) + 1) * LOGIN_WINDOW_SECONDS - now))
    minutes = -(-retry_after // 60)
    wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    for key, limit, kind in _login_counters(email=email, ip_address=ip_address, now=now):
        if throttle.count(key) < limit:
            continue
        if kind == "account" and throttle.count(_known_address_key(email, ip_address)):
            continue
        if kind == "ip":
            message = f"Too many failed log-ins from your network. Wait {wait} and try again."
        else:
            message = (
                f"Too many failed log-ins for this account. Wait {wait} and try again, or "
                "reset your password (that unlocks it)."
            )
        return LoginThrottle(message=message, retry_after=retry_after)
    return None


def login_failed(*, email: str, ip_address: str | None, now: float | None = None) -> None:
    now = time.time() if now is None else now
    for key, _, _ in _login_counters(email=email, ip_address=ip_address, now=now):
        throttle.add_one(key, seconds=LOGIN_WINDOW_SECONDS + 60)


def login_throttle_clear(
    *, email: str, ip_address: str | None = None, now: float | None = None
) -> None:
    """A successful log-in or password reset forgets the account's failures, from everywhere
    and from this address, and remembers the address as one the account logs in from (not the
    network's count: one right password must not reset the count of an address trying many)."""
    now = time.time() if now is None else now
    pair, _, account = _login_counters(email=email, ip_address=ip_address, now=now)
    throttle.forget(account[0])
    if ip_address:
        throttle.forget(pair[0])
        throttle.add_one(_known_address_key(email, ip_address), seconds=KNOWN_ADDRESS_SECONDS)


# --- Company profile ----------------------------------------------------------------------------


@dataclass
class ProfileResult:
    changed_fields: list[str]
    accepted: int


@transaction.atomic
def partner_profile_update(
    *,
    actor: User,
    name: str | None = None,
    website: str | None = None,
    accepted_kinds: list[str] = (),
    ip_address: str | None = None,
) -> ProfileResult:
    """Owners change the company name and website; any user of the partner may accept the
    current agreements. ``None`` leaves a field alone."""
    if not actor.is_partner:
        raise Forbidden("Only partner users have a company profile.")
    partner = Partner.objects.select_for_update().get(pk=actor.partner_id)
    changes = {}
    if name is not None:
        name = " ".join(name.split())
        if not name:
            raise Invalid("Give your company's name.", field="name")
        if name != partner.name:
            changes["name"] = name
    if website is not None and normalize_website(website) != partner.website:
        changes["website"] = normalize_website(website)
    _refuse_hidden_text(
        name=(changes.get("name", ""), "The company name"),
        website=(changes.get("website", ""), "The web address"),
    )
    if changes and not actor.is_partner_owner:
        raise Forbidden("Only the company's owner can change its name and website.")
    if changes:
        old = {field: getattr(partner, field) for field in changes}
        for field, value in changes.items():
            setattr(partner, field, value)
        partner.save(update_fields=list(changes))
        audit_record(
            action=Action.PARTNER_UPDATED,
            actor=actor,
            partner=partner,
            target=partner,
            old_value=old,
            new_value=changes,
            ip_address=ip_address,
        )
    current = stages.current_agreements()
    versions = [current[k] for k in accepted_kinds if k in current]
    actor.partner = partner
    accepted = _accept(user=actor, versions=versions, ip_address=ip_address)
    return ProfileResult(changed_fields=list(changes), accepted=accepted)
