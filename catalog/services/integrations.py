import unicodedata

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from catalog import permissions, stages
from catalog.audit import Action
from catalog.errors import Conflict, Forbidden, Invalid
from catalog.models import DestinationMode, Integration, ListingStatus, Stage, User
from catalog.notifications import Kind, notify, partner_recipients
from catalog.services.access import lock_integration
from catalog.services.audit import audit_record
from catalog.validation.characters import hidden_text_problem
from catalog.validation.spec import MOBILE_REFUSAL


def unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:120].strip("-") or "integration"
    slug, n = base, 2
    qs = Integration.objects.all()
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    while qs.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def name_taken(name: str, *, exclude_pk: int | None = None) -> bool:
    qs = Integration.objects.filter(name__iexact=name.strip())
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


@transaction.atomic
def integration_register(*, actor: User, name: str, mode: str) -> Integration:
    if not actor.is_partner:
        raise Forbidden("Only partner users can register integrations.")
    # NFKC: fullwidth letters and ligatures become plain ones, so "Ａｃｍｅ" is seen as "Acme".
    name = " ".join(unicodedata.normalize("NFKC", name).split())
    if not name:
        raise Invalid("Give the integration a name.", field="name")
    problem = hidden_text_problem(name, "The name")
    if problem:
        raise Invalid(problem, field="name")
    if not any(ch.isalnum() for ch in name):
        raise Invalid("The name needs letters or digits.", field="name")
    if mode == "device-mobile":
        raise Invalid(MOBILE_REFUSAL, field="mode")
    if mode not in DestinationMode.values:
        raise Invalid("Choose cloud-mode or device-mode (web).", field="mode")
    if name_taken(name):
        raise Invalid(
            f"An integration named “{name}” already exists. Choose another name.", field="name"
        )
    try:
        with transaction.atomic():
            integration = Integration.objects.create(
                partner_id=actor.partner_id, name=name, slug=unique_slug(name), mode=mode
            )
    except IntegrityError:
        raise Invalid(
            f"An integration named “{name}” already exists. Choose another name.", field="name"
        ) from None
    audit_record(
        action=Action.INTEGRATION_REGISTERED,
        actor=actor,
        integration=integration,
        target=integration,
        new_value={"name": name, "slug": integration.slug, "mode": mode},
    )
    return integration


def _check_staff(actor: User) -> None:
    if not (actor.is_active and actor.is_staff and actor.has_perm(permissions.PROMOTE_INTEGRATION)):
        raise Forbidden("Only staff with the promote permission can move stages.")


def _lock_at_stage(integration_id: int, expected_stage: str) -> Integration:
    """Lock the row and check it is still where the person saw it, so a second press of the
    same button (or a second staff member) finds it already moved and changes nothing."""
    integration = lock_integration(integration_id)
    if integration.stage != expected_stage:
        raise Conflict(
            f"{integration.name} is already in {integration.get_stage_display()}; "
            "nothing was changed. Reload to see its current state.",
        )
    return integration


def _move(integration: Integration, *, target: str, actor: User, note: str, rolled_back: bool):
    """Save the new stage, write the audit row and the partner's notification."""
    old = integration.stage
    now = timezone.now()
    integration.stage = target
    integration.stage_changed_at = now
    fields = ["stage", "stage_changed_at", "updated_at"]
    if target == Stage.PUBLIC and integration.public_since is None:
        integration.public_since = now
        fields.append("public_since")
    integration.save(update_fields=fields)
    action = Action.INTEGRATION_ROLLED_BACK if rolled_back else Action.INTEGRATION_PROMOTED
    audit_record(
        action=action,
        actor=actor,
        integration=integration,
        target=integration,
        old_value={"stage": old},
        new_value={"stage": target},
        note=note,
    )
    notify(
        event=str(action),
        kind=Kind.STAGE_CHANGES,
        recipients=partner_recipients(integration),
        template="stage_moved",
        context={
            "old_stage": Stage(old).label,
            "new_stage": Stage(target).label,
            "note": note,
            "rolled_back": rolled_back,
            "actor": actor,
        },
        integration=integration,
    )
    return integration


def _refusal_part(item: stages.GateItem) -> str:
    """A gate item as the refusal names it; one waiting for its deploy says when it ships."""
    if item.state == stages.ItemState.DEPLOYING:
        when = item.detail.split(". ")[0]
        return f"{item.label} ({when[:1].lower()}{when[1:]})"
    return item.label


@transaction.atomic
def integration_promote(
    *, integration_id: int, actor: User, expected_stage: str, note: str = ""
) -> Integration:
    """Move one step forward when every gate item holds."""
    _check_staff(actor)
    integration = _lock_at_stage(integration_id, expected_stage)
    if not integration.is_active:
        raise Conflict(
            f"{integration.name} is {integration.get_lifecycle_display().lower()}; "
            "restore it before promoting it."
        )
    target = stages.NEXT.get(integration.stage)
    if target is None:
        raise Conflict(f"{integration.name} is public; there is no next stage.")
    failing = [item for item in stages.checklist(integration) if not item.passed]
    if failing:
        raise Conflict(
            "Can't promote yet: " + "; ".join(_refusal_part(item) for item in failing) + ".",
            items=failing,
        )
    return _move(integration, target=target, actor=actor, note=note, rolled_back=False)


@transaction.atomic
def integration_roll_back(
    *, integration_id: int, actor: User, expected_stage: str, reason: str
) -> Integration:
    """Move one step back; the reason is required and goes to the partner."""
    _check_staff(actor)
    reason = reason.strip()
    if not reason:
        raise Invalid("Say why the integration goes back a stage.", field="reason")
    problem = hidden_text_problem(reason, "The reason", lookalikes=False, lines=True)
    if problem:
        raise Invalid(problem, field="reason")
    integration = _lock_at_stage(integration_id, expected_stage)
    target = stages.PREVIOUS.get(integration.stage)
    if target is None:
        raise Conflict(f"{integration.name} is at the first stage already.")
    return _move(integration, target=target, actor=actor, note=reason, rolled_back=True)


@transaction.atomic
def integration_graduate(*, integration_id: int, actor: User) -> Integration:
    """A public integration leaves public beta: the catalog drops its "Beta" badge."""
    if not permissions.staff_has(actor, permissions.GRADUATE_LISTING):
        raise Forbidden("Only staff with the graduate permission can graduate a listing.")
    integration = lock_integration(integration_id)
    if integration.stage != Stage.PUBLIC:
        raise Conflict(f"{integration.name} is not public yet; only a public listing graduates.")
    if integration.listing_status != ListingStatus.PUBLIC_BETA:
        raise Conflict(f"{integration.name} is already listed as public; nothing was changed.")
    integration.listing_status = ListingStatus.PUBLIC
    integration.save(update_fields=["listing_status", "updated_at"])
    audit_record(
        action=Action.LISTING_GRADUATED,
        actor=actor,
        integration=integration,
        target=integration,
        old_value={"listing_status": ListingStatus.PUBLIC_BETA},
        new_value={"listing_status": ListingStatus.PUBLIC},
    )
    return integration
