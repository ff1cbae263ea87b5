"""The admin site: staff must have verified their second factor in this session, as for every
staff page. An unverified staff member is sent to the second-factor page, not the admin log-in."""

from django.contrib import admin

from catalog.views.access import second_factor_redirect


class PortalAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and second_factor_redirect(request) is None

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and request.user.is_staff:
            unverified = second_factor_redirect(request)
            if unverified is not None:
                return unverified
        return super().login(request, extra_context)
