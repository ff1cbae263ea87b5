"""Admin for the metadata area. Revisions are read-only here: they are saved by partners and
reviewed on /staff/ through the services, so validation, audit and notifications always apply.
The one admin action, approving submitted revisions, calls the same service."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from catalog.errors import ApplicationError
from catalog.models import MetadataImage, MetadataRevision, ReviewStatus
from catalog.services import metadata as metadata_service
from catalog.services.access import can_review


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MetadataImageInline(_ReadOnly, admin.TabularInline):
    model = MetadataImage
    fields = ("position", "caption", "image", "thumbnail", "width", "height")
    readonly_fields = fields
    extra = 0


@admin.register(MetadataRevision)
class MetadataRevisionAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = (
        "integration",
        "number",
        "status",
        "name",
        "files_valid",
        "created_at",
        "submitted_at",
        "reviewed_at",
        "review_link",
    )
    list_filter = ("status", "primary_category")
    search_fields = ("integration__name", "integration__slug", "name", "support_email")
    list_select_related = ("integration", "primary_category")
    readonly_fields = [f.name for f in MetadataRevision._meta.fields]
    inlines = [MetadataImageInline]
    actions = ["approve_submitted"]

    @admin.display(boolean=True, description="files valid")
    def files_valid(self, obj):
        return bool((obj.asset_report or {}).get("ok"))

    @admin.display(description="review")
    def review_link(self, obj):
        url = reverse("staff_metadata_review", args=[obj.integration_id, obj.number])
        return format_html('<a href="{}">Open</a>', url)

    def has_review_permission(self, request):
        return can_review(request.user)

    @admin.action(permissions=["review"], description="Approve selected revisions in review")
    def approve_submitted(self, request, queryset):
        approved, refused = 0, []
        for revision in queryset.select_related("integration").order_by("pk"):
            if revision.status != ReviewStatus.SUBMITTED:
                refused.append(f"{revision}: not in review")
                continue
            try:
                metadata_service.metadata_review(
                    actor=request.user,
                    integration_id=revision.integration_id,
                    number=revision.number,
                    approve=True,
                )
            except ApplicationError as error:
                refused.append(f"{revision}: {error.message}")
            else:
                approved += 1
        if approved:
            self.message_user(request, f"Approved {approved} revision(s).", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)


@admin.register(MetadataImage)
class MetadataImageAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("revision", "position", "caption", "width", "height", "has_thumbnail")
    search_fields = ("revision__integration__name", "caption")
    list_select_related = ("revision", "revision__integration")

    @admin.display(boolean=True, description="thumbnail")
    def has_thumbnail(self, obj):
        return bool(obj.thumbnail)
