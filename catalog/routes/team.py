"""URL routes for partner teams and second factors."""

from django.urls import path

from catalog.views import second_factor, team

urlpatterns = [
    path("partner/team/", team.team_page, name="team"),
    path("partner/team/invite/", team.team_invite, name="team_invite"),
    path(
        "partner/team/invites/<int:pk>/resend/",
        team.team_invite_resend,
        name="team_invite_resend",
    ),
    path(
        "partner/team/invites/<int:pk>/revoke/",
        team.team_invite_revoke,
        name="team_invite_revoke",
    ),
    path("partner/team/members/<int:pk>/role/", team.team_role, name="team_role"),
    path("partner/team/members/<int:pk>/remove/", team.team_remove, name="team_remove"),
    path("partner/team/members/<int:pk>/transfer/", team.team_transfer, name="team_transfer"),
    path("partner/team/leave/", team.team_leave, name="team_leave"),
    path("partner/team/join/<str:token>/", team.team_join, name="team_join"),
    path("accounts/two-factor/", second_factor.two_factor, name="two_factor"),
    path("accounts/two-factor/verify/", second_factor.two_factor_verify, name="two_factor_verify"),
    path(
        "accounts/two-factor/recovery-codes/",
        second_factor.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path(
        "staff/second-factors/",
        second_factor.staff_second_factors,
        name="staff_second_factors",
    ),
    path(
        "staff/second-factors/<int:pk>/reset/",
        second_factor.staff_second_factor_reset,
        name="staff_second_factor_reset",
    ),
]
