"""URL routes for the partner area."""

from django.urls import path

from catalog.views import api_tokens, lifecycle, partner

urlpatterns = [
    path("partner/", partner.dashboard, name="partner_dashboard"),
    path("partner/profile/", partner.profile, name="partner_profile"),
    path("partner/api-tokens/", api_tokens.api_tokens, name="partner_api_tokens"),
    path(
        "partner/api-tokens/<int:token_id>/revoke/",
        api_tokens.api_token_revoke,
        name="partner_api_token_revoke",
    ),
    path("partner/integrations/new/", partner.integration_create, name="integration_create"),
    path("partner/integrations/<int:pk>/", partner.integration_detail, name="partner_integration"),
    path(
        "partner/integrations/<int:pk>/withdraw/",
        lifecycle.withdraw,
        name="integration_withdraw",
    ),
]
