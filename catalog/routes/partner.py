"""URL routes for the partner area."""

from django.urls import path

from catalog.views import partner

urlpatterns = [
    path("partner/", partner.dashboard, name="partner_dashboard"),
    path("partner/profile/", partner.profile, name="partner_profile"),
    path("partner/integrations/new/", partner.integration_create, name="integration_create"),
    path("partner/integrations/<int:pk>/", partner.integration_detail, name="partner_integration"),
]
