"""Admin for the spec area. Freeze dates are edited here (each change is audited); spec
revisions, pull requests and change requests are read-only here and reviewed on /staff/, through
the services, so the rules and notifications always apply."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from catalog.audit import Action
from catalog.models import ChangeRequest, FreezeDate, PullRequest, SpecRevision
from catalog.release_train import WEDNESDAY
from catalog.services.audit import audit_record


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FreezeDateForm(forms.ModelForm):
    class Meta:
        model = FreezeDate
        fields = ("date", "reason")
        help_texts = {
            "date": "A Wednesday with no deploy: changes ready for it ship the next Wednesday "
            "that isn't frozen. Add one row per frozen Wednesday."
        }

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day.weekday() != WEDNESDAY:
            raise forms.ValidationError(
                f"{day:%A %Y-%m-%d} isn't a Wednesday; deploys only happen on Wednesdays, so "
                "freeze the Wednesday itself."
            )
        return day


@admin.register(FreezeDate)
class FreezeDateAdmin(admin.ModelAdmin):
    form = FreezeDateForm
    list_display = ("date", "weekday", "reason")
    search_fields = ("reason",)
    date_hierarchy = "date"

    @admin.display(description="day")
    def weekday(self, obj):
        return f"{obj.date:%A}"

    def save_model(self, request, obj, form, change):
        old = None
        if change and obj.pk:
            previous = FreezeDate.objects.filter(pk=obj.pk).first()
            old = {"date": str(previous.date), "reason": previous.reason} if previous else None
        super().save_model(request, obj, form, change)
        audit_record(
            action=Action.FREEZE_DATE_SAVED,
            actor=request.user,
            target=obj,
            old_value=old,
            new_value={"date": str(obj.date), "reason": obj.reason},
        )

    def delete_model(self, request, obj):
        self._audit_delete(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._audit_delete(request, obj)
        super().delete_queryset(request, queryset)

    def _audit_delete(self, request, obj):
        audit_record(
            action=Action.FREEZE_DATE_DELETED,
            actor=request.user,
            target=obj,
            old_value={"date": str(obj.date), "reason": obj.reason},
        )


@admin.register(SpecRevision)
class SpecRevisionAdmin(_ReadOnly):
    list_display = ("integration", "number", "status", "created_at", "reviewed_at", "review_link")
    list_filter = ("status",)
    search_fields = ("integration__name", "integration__slug")
    list_select_related = ("integration",)

    @admin.display(description="review")
    def review_link(self, obj):
        url = reverse("staff_spec_review", args=[obj.integration_id, obj.number])
        return format_html('<a href="{}">Open</a>', url)


@admin.register(PullRequest)
class PullRequestAdmin(_ReadOnly):
    list_display = ("url", "integration", "kind", "state", "merged_at", "created_at", "staff_link")
    list_filter = ("kind", "state")
    search_fields = ("url", "integration__name")
    list_select_related = ("integration",)

    @admin.display(description="set state")
    def staff_link(self, obj):
        url = reverse("staff_pull_requests", args=[obj.integration_id])
        return format_html('<a href="{}">Open</a>', url)


@admin.register(ChangeRequest)
class ChangeRequestAdmin(_ReadOnly):
    list_display = ("integration", "status", "pr_url", "deploy_date", "created_at", "staff_link")
    list_filter = ("status",)
    search_fields = ("integration__name", "pr_url")
    list_select_related = ("integration",)

    @admin.display(description="review")
    def staff_link(self, obj):
        url = reverse("staff_change_request", args=[obj.pk])
        return format_html('<a href="{}">Open</a>', url)
