"""Each area's routes live in ``catalog/routes/<area>.py`` and spell out their full paths."""

from django.contrib import admin
from django.urls import include, path

from catalog.views import health, home

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("", include("catalog.routes.accounts")),
    path("", include("catalog.routes.partner")),
    path("", include("catalog.routes.staff")),
    path("", include("catalog.routes.metadata")),
    path("", include("catalog.routes.spec")),
    path("", include("catalog.routes.beta")),
    path("", include("catalog.routes.outbox")),
    path("", include("catalog.routes.public")),
]
