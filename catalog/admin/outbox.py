"""Admin for the outbox area: every email, read-only, with the same retry as ``/staff/outbox/``."""

from django.contrib import admin, messages

from catalog import permissions
from catalog.errors import ApplicationError
from catalog.models import OutboxMessage
from catalog.services.outbox import outbox_retry


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "status",
        "recipient",
        "subject",
        "event",
        "kind",
        "attempts",
        "short_error",
        "sent_at",
    )
    list_filter = ("status", "kind", "event")
    search_fields = ("recipient", "subject", "event", "=event_id")
    list_select_related = ("integration",)
    date_hierarchy = "created_at"
    actions = ["retry_failed"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    @admin.display(description="last error")
    def short_error(self, obj: OutboxMessage) -> str:
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    # The portal writes these rows; the admin only looks and retries.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm(permissions.RETRY_OUTBOX)

    @admin.action(description="Retry the selected failed messages", permissions=["retry"])
    def retry_failed(self, request, queryset):
        retried, refused = 0, []
        for message_id in queryset.values_list("pk", flat=True):
            try:
                outbox_retry(message_id=message_id, actor=request.user)
            except ApplicationError as error:
                refused.append(error.message)
            else:
                retried += 1
        if retried:
            self.message_user(request, f"{retried} message(s) queued again.", messages.SUCCESS)
        for message in refused[:10]:
            self.message_user(request, message, messages.WARNING)
