"""URL routes for the beta area."""

from django.urls import path

from catalog.views import beta

urlpatterns = [
    path("partner/integrations/<int:pk>/beta/", beta.partner_beta, name="partner_beta"),
    path(
        "partner/integrations/<int:pk>/beta/<int:link_id>/revoke/",
        beta.partner_beta_revoke,
        name="partner_beta_revoke",
    ),
    path(
        "partner/integrations/<int:pk>/beta/<int:link_id>/extend/",
        beta.partner_beta_extend,
        name="partner_beta_extend",
    ),
    path("beta/<str:token>/", beta.beta_open, name="beta_open"),
    path("beta/<str:token>/verify/", beta.beta_verify, name="beta_verify"),
]
