"""Staff permissions: one group holds every staff capability of the portal."""

from django.contrib.auth.models import Group, Permission

STAFF_GROUP = "Platform staff"
STAFF_PERMISSIONS = [
    "promote_integration",
    "review_submissions",
    "manage_beta_links",
    "retry_outboxmessage",
    "view_integration",
    "change_integration",
    "view_auditlog",
    "view_outboxmessage",
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
    "view_specrevision",
    "view_pullrequest",
    "view_changerequest",
    "view_metadatarevision",
    "view_metadataimage",
]


def ensure_staff_group() -> Group:
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    perms = Permission.objects.filter(
        content_type__app_label="catalog", codename__in=STAFF_PERMISSIONS
    )
    group.permissions.add(*perms)
    return group
