"""Rows for partner teams, second factors and an integration's withdrawal, archive and restore.

Who may do what on a team (owner / member / removed member / invited, not yet accepted):
owners manage the team and withdraw integrations; members only leave; a removed member and an
invitee who has not accepted have no page of the partner.
"""

from datetime import timedelta

from django.utils import timezone

from catalog.models import Lifecycle, TeamInvite
from catalog.services import team
from tests import factories
from tests.access import LOGIN, SECOND_FACTOR, Row, staff_page


def setup(w):
    invite = team.team_invite(actor=w.partner_user, email=w.invited.email, role="member")
    TeamInvite.objects.filter(pk=invite.pk).update(sent_at=timezone.now() - timedelta(hours=1))
    # the emailed token: resend it once so the test knows it
    w.invite = invite
    w.invite_token = _token_of(invite)
    w.withdrawn = factories.IntegrationFactory(
        partner=w.partner_user.partner,
        name="Acme Old",
        slug="acme-old",
        lifecycle=Lifecycle.WITHDRAWN,
        lifecycle_changed_at=timezone.now(),
    )


def _token_of(invite) -> str:
    from catalog.tokens import new_token

    token, token_hash = new_token()
    TeamInvite.objects.filter(pk=invite.pk).update(token_hash=token_hash)
    return token


def owner_only(ok=200, other=200):
    """A page or action on the asker's own team."""
    return {
        "anonymous": LOGIN,
        "partner": ok,
        "member": 403,
        "removed": 403,
        "invited": 403,
        "other_partner": other,
        "staff": 403,
        "plain_staff": 403,
    }


ROWS = [
    Row("team", lambda w: "/partner/team/", owner_only()),
    Row(
        "team-invite",
        lambda w: "/partner/team/invite/",
        owner_only(302, 302),
        method="post",
        data=lambda w: {"email": "new@acme.example.com", "role": "member"},
    ),
    Row(
        "team-invite-bad-address",
        lambda w: "/partner/team/invite/",
        {"partner": 422, "member": 403},
        method="post",
        data=lambda w: {"email": "ev\u202eil@acme.example.com", "role": "member"},
    ),
    Row(
        "team-invite-resend",
        lambda w: f"/partner/team/invites/{w.invite.pk}/resend/",
        owner_only(302, 404),
        method="post",
    ),
    Row(
        "team-invite-revoke",
        lambda w: f"/partner/team/invites/{w.invite.pk}/revoke/",
        owner_only(302, 404),
        method="post",
    ),
    Row(
        "team-role",
        lambda w: f"/partner/team/members/{w.member.pk}/role/",
        owner_only(302, 404),
        method="post",
        data=lambda w: {"role": "owner"},
    ),
    Row(
        "team-remove",
        lambda w: f"/partner/team/members/{w.member.pk}/remove/",
        owner_only(302, 404),
        method="post",
    ),
    Row(
        "team-transfer",
        lambda w: f"/partner/team/members/{w.member.pk}/transfer/",
        owner_only(302, 404),
        method="post",
    ),
    Row(
        "team-leave",
        lambda w: "/partner/team/leave/",
        {
            "anonymous": LOGIN,
            "member": 302,
            "removed": 403,
            "invited": 403,
            "staff": 403,
            "plain_staff": 403,
        },
        method="post",
    ),
    Row(
        "team-join",
        lambda w: f"/partner/team/join/{w.invite_token}/",
        {"anonymous": 200, "invited": 200, "partner": 200, "removed": 200},
    ),
    Row(
        "team-join-accept",
        lambda w: f"/partner/team/join/{w.invite_token}/",
        {
            "invited": 302,
            "partner": 403,
            "member": 403,
            "removed": 403,
            "other_partner": 403,
            "staff": 403,
        },
        method="post",
    ),
    Row("team-join-bad-token", lambda w: "/partner/team/join/nope/", {"anonymous": 400}),
    Row(
        "two-factor",
        lambda w: "/accounts/two-factor/",
        {
            "anonymous": LOGIN,
            "partner": 200,
            "member": 200,
            "staff": 200,
            "staff_no_2fa": 200,
        },
    ),
    Row(
        "two-factor-verify",
        lambda w: "/accounts/two-factor/verify/",
        {"anonymous": LOGIN, "partner": 302, "staff": 302},
    ),
    Row(
        "staff-second-factors",
        lambda w: "/staff/second-factors/",
        {
            **staff_page(403),
            "admin": 200,
        },
    ),
    Row(
        "staff-second-factor-reset",
        lambda w: f"/staff/second-factors/{w.staff_user.pk}/reset/",
        {**staff_page(403), "admin": 302},
        method="post",
    ),
    Row(
        "integration-withdraw",
        lambda w: f"/partner/integrations/{w.integration.pk}/withdraw/",
        {
            "anonymous": LOGIN,
            "partner": 302,
            "member": 403,
            "removed": 403,
            "invited": 403,
            "other_partner": 404,
            "staff": 403,
            "plain_staff": 403,
            "staff_no_2fa": SECOND_FACTOR,
        },
        method="post",
    ),
    Row(
        "staff-archive",
        lambda w: f"/staff/integrations/{w.integration.pk}/archive/",
        staff_page(302),
        method="post",
    ),
    Row(
        "staff-restore",
        lambda w: f"/staff/integrations/{w.withdrawn.pk}/restore/",
        staff_page(302),
        method="post",
    ),
    Row("staff-withdrawn", lambda w: "/staff/withdrawn/", staff_page()),
    Row(
        "admin-index",
        lambda w: "/admin/",
        {
            "anonymous": 302,
            "staff": 200,
            "staff_no_2fa": SECOND_FACTOR,
            "partner": 302,
        },
    ),
]
