"""Admin for the beta area: invites and customer verifications, read-only.

Links are issued from the partner's beta page (or ``issue_beta_link``), because the token is
shown only once; the admin can revoke, through the same service as the site.
"""

from django.contrib import admin, messages

from catalog import permissions
from catalog.errors import ApplicationError
from catalog.models import BetaLink, CustomerVerification
from catalog.services.beta import beta_link_revoke


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BetaLink)
class BetaLinkAdmin(_ReadOnly):
    list_display = (
        "email",
        "integration",
        "state_label",
        "open_count",
        "last_opened_at",
        "expires_at",
        "created_at",
    )
    list_filter = ("integration__stage",)
    search_fields = ("email", "workspace_name", "integration__name", "integration__slug")
    list_select_related = ("integration",)
    exclude = ("token_hash",)
    actions = ["revoke"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_state()

    @admin.display(description="state")
    def state_label(self, obj):
        return obj.state_label

    def has_manage_beta_links_permission(self, request):
        return request.user.has_perm(permissions.MANAGE_BETA_LINKS)

    @admin.action(description="Revoke the selected invites", permissions=["manage_beta_links"])
    def revoke(self, request, queryset):
        done = 0
        for link in queryset:
            try:
                beta_link_revoke(
                    actor=request.user, integration_id=link.integration_id, link_id=link.pk
                )
                done += 1
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.WARNING)
        if done:
            self.message_user(request, f"Revoked {done} invite(s).", messages.SUCCESS)


@admin.register(CustomerVerification)
class CustomerVerificationAdmin(_ReadOnly):
    list_display = ("workspace_name", "integration", "beta_link", "created_at")
    search_fields = ("workspace_name", "integration__name", "beta_link__email")
    list_select_related = ("integration", "beta_link")
