from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class CatalogConfig(AppConfig):
    default = True
    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog"
    verbose_name = "Partner catalog"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from catalog import cache, search
        from catalog.views.second_factor import remember_second_factor_at_login

        cache.connect()
        search.connect()
        user_logged_in.connect(remember_second_factor_at_login, dispatch_uid="second-factor")
        post_migrate.connect(_staff_group_current, sender=self, dispatch_uid="staff-group")


def _staff_group_current(using="default", **kwargs) -> None:
    """After every ``migrate`` the "Platform staff" group exists and holds every staff
    permission, new ones included (a deployment gets them without running ``seed_demo``)."""
    from catalog.permissions import ensure_staff_group

    ensure_staff_group()


class PortalAdminConfig(admin_apps.AdminConfig):
    """The admin, behind the staff second factor (``catalog.admin_site``)."""

    default = False
    default_site = "catalog.admin_site.PortalAdminSite"
