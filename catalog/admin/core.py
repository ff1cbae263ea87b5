"""Admin for the core area: people, partners, agreements, integrations, categories, audit log.

Stage moves in the admin call the same services as ``/staff/``; the stage itself is read-only in
the change form, so nothing bypasses the gates.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models
from django.db.models import Count
from django.template.response import TemplateResponse

from catalog import permissions
from catalog.errors import ApplicationError
from catalog.models import (
    AgreementAcceptance,
    AgreementVersion,
    AuditLog,
    Category,
    Integration,
    Partner,
    User,
)
from catalog.services.integrations import integration_promote, integration_roll_back

HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the portal itself: viewable, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Users and partners -------------------------------------------------------------------------


class PortalUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A user with this email address already exists.")
        return email


class PortalUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("A user with this email address already exists.")
        return email


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "partner",
        "partner_role",
        "email_confirmed",
        "is_staff",
        "is_active",
        "last_login",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "partner_role", "groups"]
    search_fields = ["email", "full_name", "partner__name"]
    list_select_related = ["partner"]
    readonly_fields = ["last_login", "date_joined"]
    autocomplete_fields = ["partner"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "partner", "partner_role", "email_opt_outs"]}),
        ("Email", {"fields": ["email_confirmed_at"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "usable_password", "password1", "password2"],
            },
        )
    ]

    @admin.display(boolean=True, description="Email confirmed")
    def email_confirmed(self, obj: User) -> bool:
        return obj.email_confirmed


class PartnerUserInline(admin.TabularInline):
    model = User
    fields = ["email", "full_name", "partner_role", "email_confirmed_at", "is_active"]
    readonly_fields = ["email", "full_name", "email_confirmed_at"]
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "website", "user_count", "integration_count", "created_at"]
    search_fields = ["name", "website", "users__email"]
    list_filter = ["created_at"]
    date_hierarchy = "created_at"
    inlines = [PartnerUserInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _users=Count("users", distinct=True),
                _integrations=Count("integrations", distinct=True),
            )
        )

    @admin.display(description="Users", ordering="_users")
    def user_count(self, obj) -> int:
        return obj._users

    @admin.display(description="Integrations", ordering="_integrations")
    def integration_count(self, obj) -> int:
        return obj._integrations


# --- Agreements ---------------------------------------------------------------------------------


@admin.register(AgreementVersion)
class AgreementVersionAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["title", "kind", "version", "effective_at", "acceptance_count"]
    list_filter = ["kind"]
    search_fields = ["title", "version"]
    date_hierarchy = "effective_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_acceptances=Count("acceptances"))

    @admin.display(description="Acceptances", ordering="_acceptances")
    def acceptance_count(self, obj) -> int:
        return obj._acceptances


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "partner", "user", "accepted_at", "ip_address"]
    list_filter = ["agreement__kind", "agreement"]
    search_fields = ["user__email", "partner__name"]
    list_select_related = ["agreement", "partner", "user"]
    date_hierarchy = "accepted_at"


# --- Integrations -------------------------------------------------------------------------------


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "partner",
        "stage",
        "mode",
        "stage_changed_at",
        "public_since",
        "is_imported",
        "grandfathered",
    ]
    list_filter = ["stage", "mode", "is_imported", "grandfathered"]
    search_fields = ["name", "slug", "partner__name", "external_id"]
    list_select_related = ["partner"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["partner"]
    readonly_fields = [
        "stage",
        "stage_changed_at",
        "public_since",
        "live_metadata",
        "live_spec",
        "created_at",
        "updated_at",
    ]
    fields = [
        "name",
        "slug",
        "partner",
        "mode",
        "stage",
        "stage_changed_at",
        "public_since",
        "live_metadata",
        "live_spec",
        "is_imported",
        "external_id",
        "grandfathered",
        "grandfathered_reasons",
        "created_at",
        "updated_at",
    ]
    actions = ["promote_selected", "roll_back_selected"]

    def has_promote_permission(self, request) -> bool:
        return request.user.has_perm(permissions.PROMOTE_INTEGRATION)

    # Name, slug and partner change through the portal's own services (validated, audited), not
    # here: the admin shows them read-only once the integration exists.
    IDENTITY_FIELDS = ["name", "slug", "partner"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += [f for f in self.IDENTITY_FIELDS if f not in fields]
        return fields

    def has_add_permission(self, request) -> bool:
        # An integration is registered by its partner (``integration_register``: the name's
        # character rules, unique name and slug, audited) or imported from the catalog; an admin
        # form would skip all of that.
        return False

    @admin.action(permissions=["promote"], description="Promote selected integrations one stage")
    def promote_selected(self, request, queryset):
        """Confirms on an intermediate page that carries each integration's stage as shown; the
        service moves only integrations still at that stage, so the confirmation posted twice
        moves them one stage, not two."""
        integrations = list(queryset.order_by("pk"))
        if "apply" not in request.POST:
            return TemplateResponse(
                request,
                "catalog/staff/admin_promote.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Promote integrations",
                    "integrations": integrations,
                    "opts": self.model._meta,
                },
            )
        moved = 0
        for integration in integrations:
            shown = request.POST.get(f"stage_{integration.pk}")
            if not shown:
                self.message_user(
                    request,
                    f"{integration.name}: not promoted, the confirmation did not name its stage. "
                    "Select it and promote again.",
                    messages.ERROR,
                )
                continue
            try:
                integration_promote(
                    integration_id=integration.pk,
                    actor=request.user,
                    expected_stage=shown,
                    note="Promoted in the admin.",
                )
            except ApplicationError as error:
                self.message_user(request, f"{integration.name}: {error.message}", messages.ERROR)
            else:
                moved += 1
        if moved:
            self.message_user(
                request,
                f"Promoted {moved} integration{'s' if moved != 1 else ''}.",
                messages.SUCCESS,
            )
        return None

    @admin.action(permissions=["promote"], description="Roll back selected integrations one stage")
    def roll_back_selected(self, request, queryset):
        """Asks for the reason on an intermediate page, then calls the roll-back service."""
        reason = (request.POST.get("reason") or "").strip()
        integrations = list(queryset.order_by("pk"))
        if "apply" not in request.POST or not reason:
            return TemplateResponse(
                request,
                "catalog/staff/admin_roll_back.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Roll back integrations",
                    "integrations": integrations,
                    "reason": reason,
                    "error": "Say why the integrations go back a stage."
                    if "apply" in request.POST
                    else "",
                    "opts": self.model._meta,
                },
            )
        moved = 0
        for integration in integrations:
            try:
                integration_roll_back(
                    integration_id=integration.pk,
                    actor=request.user,
                    # The stage the reason page showed: sent twice, the form moves one step.
                    expected_stage=request.POST.get(f"stage_{integration.pk}", integration.stage),
                    reason=reason,
                )
            except ApplicationError as error:
                self.message_user(request, f"{integration.name}: {error.message}", messages.ERROR)
            else:
                moved += 1
        if moved:
            self.message_user(
                request,
                f"Rolled back {moved} integration{'s' if moved != 1 else ''}.",
                messages.SUCCESS,
            )
        return None


# --- Audit --------------------------------------------------------------------------------------


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "actor_label", "integration", "partner", "note"]
    list_filter = ["action", "created_at"]
    search_fields = ["action", "actor_label", "integration__name", "partner__name", "note"]
    list_select_related = ["integration", "partner"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
