"""Staff permissions: the one place their names are written. One group holds every staff
capability of the portal."""

from django.contrib.auth.models import Group, Permission

VIEW_INTEGRATION = "catalog.view_integration"
PROMOTE_INTEGRATION = "catalog.promote_integration"
REVIEW_SUBMISSIONS = "catalog.review_submissions"
MANAGE_BETA_LINKS = "catalog.manage_beta_links"
RECORD_EMERGENCY_DEPLOY = "catalog.record_emergency_deploy"
GRADUATE_LISTING = "catalog.graduate_listing"
VIEW_OUTBOX = "catalog.view_outboxmessage"
RETRY_OUTBOX = "catalog.retry_outboxmessage"
VIEW_STORAGE = "catalog.view_storageproblem"
# Beta invites hold customers' addresses and workspaces: staff see them with this one only.
VIEW_BETA_LINKS = "catalog.view_betalink"
# Files of a revision that isn't live (drafts, submissions under review).
VIEW_DRAFT_METADATA = "catalog.view_metadatarevision"
ARCHIVE_INTEGRATION = "catalog.archive_integration"
RESTORE_INTEGRATION = "catalog.restore_integration"
# Not in the staff group: resetting a colleague's second factor is given to a few on purpose.
RESET_STAFF_SECOND_FACTOR = "catalog.reset_staff_second_factor"


def codename(permission: str) -> str:
    """``catalog.promote_integration`` → ``promote_integration`` (for ``Meta`` and admin)."""
    return permission.split(".", 1)[1]


def staff_has(user, permission: str) -> bool:
    """An active staff member holding ``permission``."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(permission)
    )


STAFF_GROUP = "Platform staff"
STAFF_PERMISSIONS = [
    "promote_integration",
    "review_submissions",
    "manage_beta_links",
    "record_emergency_deploy",
    "graduate_listing",
    "archive_integration",
    "restore_integration",
    "retry_outboxmessage",
    "view_integration",
    "change_integration",
    "view_auditlog",
    "view_outboxmessage",
    "view_storageproblem",
    "view_partner",
    "view_user",
    "view_agreementversion",
    "add_agreementversion",
    "view_agreementacceptance",
    "view_category",
    "view_freezedate",
    "add_freezedate",
    "change_freezedate",
    "delete_freezedate",
    "view_holiday",
    "add_holiday",
    "change_holiday",
    "delete_holiday",
    "view_specrevision",
    "view_pullrequest",
    "view_changerequest",
    "view_metadatarevision",
    "view_metadataimage",
    "view_betalink",
]


def ensure_staff_group() -> Group:
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    perms = Permission.objects.filter(
        content_type__app_label="catalog", codename__in=STAFF_PERMISSIONS
    )
    group.permissions.add(*perms)
    return group
