"""Partner teams: invitations, joining, roles, removal, ownership and leaving."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from catalog.errors import BadRequest, Conflict, Forbidden, Gone, Invalid
from catalog.models import AuditLog, OutboxMessage, TeamInvite, User
from catalog.services import team
from tests import factories

pytestmark = pytest.mark.django_db


def invite_token(email: str) -> str:
    (message,) = [m for m in OutboxMessage.objects.filter(recipient=email).order_by("-id")][:1]
    match = re.search(
        re.escape(settings.SITE_URL) + r"/partner/team/join/([\w-]{43})/", message.body_text
    )
    assert match, message.body_text
    return match.group(1)


def invites_and_users():
    return (
        sorted(TeamInvite.objects.values_list("email", "accepted_at", "revoked_at")),
        sorted(User.objects.values_list("email", "partner_id", "partner_role", "session_token")),
    )


def test_owner_invites_and_the_email_goes_through_the_outbox(partner_user):
    invite = team.team_invite(actor=partner_user, email="Dev@Acme.example.com", role="member")
    assert invite.email == "dev@acme.example.com"
    message = OutboxMessage.objects.get(recipient="dev@acme.example.com")
    assert "Acme Analytics" in message.subject
    assert len(invite_token("dev@acme.example.com")) == 43
    assert AuditLog.objects.filter(action="catalog.team.invited").count() == 1


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("owner@acme.example.com", "your own address"),
        ("owner@globex.example.com", "belongs to another account"),
        ("staff@platform.example.com", "belongs to another account"),
        ("member@acme.example.com", "already in your team"),
        ("not-an-address", "Enter an email address"),
        ("ev\u202eil@acme.example.com", "invisible or control character"),
    ],
)
def test_bad_invites_are_refused_and_change_nothing(
    partner_user, partner_member, other_partner_user, staff_user, email, message
):
    before = invites_and_users()
    with pytest.raises(Invalid) as refused:
        team.team_invite(actor=partner_user, email=email, role="member")
    assert message in str(refused.value.errors)
    assert invites_and_users() == before
    assert not OutboxMessage.objects.exists()


def test_a_member_cannot_invite(partner_member):
    with pytest.raises(Forbidden):
        team.team_invite(actor=partner_member, email="x@acme.example.com", role="member")


def test_invitee_signs_up_through_the_link_confirmed_and_joined(partner_user):
    team.team_invite(actor=partner_user, email="dev@acme.example.com", role="member")
    token = invite_token("dev@acme.example.com")
    user = team.team_invite_sign_up(
        token=token,
        full_name="Dev Eloper",
        password="a long unusual passphrase 42",
        accepted_kinds=["partner_program", "privacy"],
    )
    assert user.partner_id == partner_user.partner_id
    assert user.partner_role == "member"
    assert user.email_confirmed
    assert user.acceptances.count() == 2
    # the link is single-use
    with pytest.raises(Gone, match="already used"):
        team.invite_for_token(token)


def test_invitee_with_an_account_joins_after_logging_in(partner_user):
    somebody = factories.UserFactory(email="dev@acme.example.com")
    team.team_invite(actor=partner_user, email="dev@acme.example.com", role="owner")
    token = invite_token("dev@acme.example.com")
    with pytest.raises(Forbidden, match="another address"):
        team.team_invite_accept(token=token, user=factories.UserFactory(email="x@y.example.com"))
    team.team_invite_accept(token=token, user=somebody)
    somebody.refresh_from_db()
    assert somebody.is_partner_owner


def test_revoked_expired_resent_and_unknown_links_are_refused(partner_user):
    invite = team.team_invite(actor=partner_user, email="dev@acme.example.com", role="member")
    first = invite_token("dev@acme.example.com")
    later = timezone.now() + timedelta(minutes=2)
    team.team_invite_resend(actor=partner_user, invite_id=invite.pk, now=later)
    second = invite_token("dev@acme.example.com")
    assert first != second
    with pytest.raises(BadRequest):
        team.invite_for_token(first)
    with pytest.raises(Gone, match="expired"):
        team.invite_for_token(second, now=later + timedelta(days=8))
    team.team_invite_revoke(actor=partner_user, invite_id=invite.pk)
    with pytest.raises(Gone, match="withdrawn"):
        team.invite_for_token(second)
    with pytest.raises(BadRequest):
        team.invite_for_token("x" * 43)


def test_resend_within_a_minute_is_refused(partner_user):
    invite = team.team_invite(actor=partner_user, email="dev@acme.example.com", role="member")
    with pytest.raises(Conflict, match="less than a minute"):
        team.team_invite_resend(actor=partner_user, invite_id=invite.pk)


def test_the_last_owner_cannot_leave_demote_themselves_or_be_removed(partner_user, partner_member):
    before = invites_and_users()
    with pytest.raises(Conflict, match="only owner"):
        team.team_leave(actor=partner_user)
    with pytest.raises(Conflict, match="needs an owner"):
        team.team_role_change(actor=partner_user, user_id=partner_user.pk, role="member")
    with pytest.raises(Conflict):
        team.team_member_remove(actor=partner_user, user_id=partner_user.pk)
    assert invites_and_users() == before


def test_transfer_ownership_swaps_roles(partner_user, partner_member):
    team.team_ownership_transfer(actor=partner_user, user_id=partner_member.pk)
    partner_user.refresh_from_db()
    partner_member.refresh_from_db()
    assert partner_member.is_partner_owner and not partner_user.is_partner_owner
    team.team_leave(actor=partner_user)
    partner_user.refresh_from_db()
    assert partner_user.partner_id is None


def test_removed_members_open_session_ends_at_once(client, partner_user, partner_member):
    client.force_login(partner_member)
    assert client.get("/partner/").status_code == 200
    team.team_member_remove(actor=partner_user, user_id=partner_member.pk)
    response = client.get("/partner/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    # logging in again: no page of the partner
    client.force_login(User.objects.get(pk=partner_member.pk))
    assert client.get("/partner/").status_code == 403


def test_another_partners_member_cannot_be_touched(partner_user, other_partner_user):
    from catalog.errors import NotFound

    with pytest.raises(NotFound):
        team.team_member_remove(actor=partner_user, user_id=other_partner_user.pk)


def test_team_page_invites_and_shows_the_pending_invite(partner_client):
    response = partner_client.post(
        "/partner/team/invite/", {"email": "dev@acme.example.com", "role": "member"}
    )
    assert response.status_code == 302
    page = partner_client.get("/partner/team/").content.decode()
    assert "dev@acme.example.com" in page


def test_team_page_keeps_input_and_says_why_on_a_bad_invite(partner_client):
    response = partner_client.post(
        "/partner/team/invite/", {"email": "owner@acme.example.com", "role": "member"}
    )
    assert response.status_code == 422
    assert "your own address" in response.content.decode()


def test_join_page_signs_up_and_logs_in(client, partner_user):
    team.team_invite(actor=partner_user, email="dev@acme.example.com", role="member")
    token = invite_token("dev@acme.example.com")
    response = client.get(f"/partner/team/join/{token}/")
    assert response.status_code == 200
    data = {
        "full_name": "Dev Eloper",
        "password": "a long unusual passphrase 42",
        "password_confirm": "a long unusual passphrase 42",
        "accept_partner_program": "on",
        "accept_privacy": "on",
        "agreements_shown": response.context["form"].shown_token,
    }
    response = client.post(f"/partner/team/join/{token}/", data)
    assert response.status_code == 302, response.content[:2000]
    assert client.get("/partner/").status_code == 200
    # the used link
    client.logout()
    assert client.get(f"/partner/team/join/{token}/").status_code == 410
