"""Beta-link services: issuing, revoking, extending, resolving tokens, verifying."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from catalog import stages, tokens
from catalog.errors import ApplicationError, Forbidden
from catalog.models import AuditLog, BetaLink, CustomerVerification, OutboxMessage, Stage
from catalog.notifications import Kind
from catalog.services import beta as service
from tests.data.catalog import beta_link, in_private_beta

IP = "203.0.113.7"


@pytest.fixture
def beta_integration(integration):
    return in_private_beta(integration, support_email="help@acme.example.com")


def _counts():
    return (
        BetaLink.objects.count(),
        AuditLog.objects.count(),
        OutboxMessage.objects.count(),
        CustomerVerification.objects.count(),
    )


# --- Issue --------------------------------------------------------------------------------------


def test_owner_issues_link_stored_only_as_hash(beta_integration, partner_user, settings):
    # when
    link, token = service.beta_link_issue(
        actor=partner_user,
        integration_id=beta_integration.pk,
        email="Customer@Shop.example.com",
        workspace_name="  Shop   prod ",
    )
    # then
    assert tokens.is_well_formed(token)
    assert link.token_hash == tokens.hash_token(token)
    assert token not in repr(list(BetaLink.objects.values()))
    assert link.email == "customer@shop.example.com"
    assert link.workspace_name == "Shop prod"
    assert link.expires_at - link.created_at == timedelta(days=settings.BETA_LINK_DEFAULT_DAYS)
    audit = AuditLog.objects.get(action="catalog.beta_link.issued")
    assert audit.actor == partner_user and audit.integration == beta_integration
    mail = OutboxMessage.objects.get(recipient="customer@shop.example.com")
    assert mail.kind == Kind.INVITATIONS
    assert f"/beta/{token}/" in mail.body_text
    assert "help@acme.example.com" not in mail.body_text + mail.body_html


def test_staff_with_permission_issues_link(beta_integration, staff_user):
    link, _ = service.beta_link_issue(
        actor=staff_user, integration_id=beta_integration.pk, email="c@example.com", days=3
    )
    assert link.expires_at - link.created_at == timedelta(days=3)


@pytest.mark.parametrize("who", ["partner_member", "other_partner_user", "plain_staff_user"])
def test_issue_refused_for_people_without_the_right(request, beta_integration, who):
    # given
    actor = request.getfixturevalue(who)
    before = _counts()
    # when
    with pytest.raises(Forbidden) as exc:
        service.beta_link_issue(
            actor=actor, integration_id=beta_integration.pk, email="c@example.com"
        )
    # then
    assert exc.value.status == 403
    assert "owners and staff" in exc.value.message
    assert _counts() == before


def test_issue_refused_before_private_beta(integration, partner_user):
    before = _counts()
    with pytest.raises(ApplicationError) as exc:
        service.beta_link_issue(actor=partner_user, integration_id=integration.pk, email="c@x.io")
    assert exc.value.status == 409
    assert "private beta" in exc.value.message
    assert _counts() == before


@pytest.mark.parametrize("days", [0, -1, 366])
def test_issue_refuses_expiry_out_of_range(beta_integration, partner_user, days):
    before = _counts()
    with pytest.raises(ApplicationError) as exc:
        service.beta_link_issue(
            actor=partner_user, integration_id=beta_integration.pk, email="c@x.io", days=days
        )
    assert exc.value.status == 422 and exc.value.field == "days"
    assert "between 1 and 365" in exc.value.message
    assert _counts() == before


# --- Revoke and extend --------------------------------------------------------------------------


def test_revoke_then_revoke_again_is_refused(beta_integration, partner_user):
    link, _ = beta_link(beta_integration)
    service.beta_link_revoke(
        actor=partner_user, integration_id=beta_integration.pk, link_id=link.pk
    )
    link.refresh_from_db()
    assert link.is_revoked and link.revoked_by == partner_user
    before = _counts()
    with pytest.raises(ApplicationError) as exc:
        service.beta_link_revoke(
            actor=partner_user, integration_id=beta_integration.pk, link_id=link.pk
        )
    assert exc.value.status == 409 and "already revoked" in exc.value.message
    assert _counts() == before


def test_revoke_of_another_partners_link_is_refused(beta_integration, other_partner_user):
    link, _ = beta_link(beta_integration)
    with pytest.raises(Forbidden):
        service.beta_link_revoke(
            actor=other_partner_user, integration_id=beta_integration.pk, link_id=link.pk
        )
    link.refresh_from_db()
    assert not link.is_revoked


def test_link_of_another_integration_is_not_found(beta_integration, other_integration, staff_user):
    link, _ = beta_link(beta_integration)
    with pytest.raises(ApplicationError) as exc:
        service.beta_link_revoke(
            actor=staff_user, integration_id=other_integration.pk, link_id=link.pk
        )
    assert exc.value.status == 404


def test_extend_adds_days_to_the_later_of_now_and_expiry(beta_integration, partner_user):
    link, _ = beta_link(beta_integration, days=10)
    old = link.expires_at
    service.beta_link_extend(
        actor=partner_user, integration_id=beta_integration.pk, link_id=link.pk, days=5
    )
    link.refresh_from_db()
    assert link.expires_at == old + timedelta(days=5)
    # An expired link is extended from now.
    with time_machine.travel(old + timedelta(days=30)):
        service.beta_link_extend(
            actor=partner_user, integration_id=beta_integration.pk, link_id=link.pk, days=2
        )
        link.refresh_from_db()
        assert link.expires_at - timezone.now() == pytest.approx(
            timedelta(days=2), abs=timedelta(seconds=5)
        )
    assert AuditLog.objects.filter(action="catalog.beta_link.extended").count() == 2


def test_extend_of_revoked_link_is_refused(beta_integration, partner_user):
    link, _ = beta_link(beta_integration, revoked_at=timezone.now())
    old = link.expires_at
    with pytest.raises(ApplicationError) as exc:
        service.beta_link_extend(
            actor=partner_user, integration_id=beta_integration.pk, link_id=link.pk, days=5
        )
    assert exc.value.status == 409 and "revoked" in exc.value.message
    link.refresh_from_db()
    assert link.expires_at == old


def test_member_cannot_extend(beta_integration, partner_member):
    link, _ = beta_link(beta_integration)
    with pytest.raises(Forbidden):
        service.beta_link_extend(
            actor=partner_member, integration_id=beta_integration.pk, link_id=link.pk, days=5
        )


# --- Resolving a token --------------------------------------------------------------------------


def test_token_works_until_the_exact_expiry_instant(beta_integration):
    link, token = beta_link(beta_integration, days=30)
    with time_machine.travel(link.expires_at - timedelta(microseconds=1), tick=False):
        assert service.beta_link_resolve(token=token, client_ip=IP) == link
    with time_machine.travel(link.expires_at, tick=False):
        with pytest.raises(ApplicationError) as exc:
            service.beta_link_resolve(token=token, client_ip=IP)
    assert exc.value.status == 410
    assert "expired" in exc.value.title


def test_revoked_token_is_gone(beta_integration):
    _, token = beta_link(beta_integration, revoked_at=timezone.now())
    with pytest.raises(ApplicationError) as exc:
        service.beta_link_resolve(token=token, client_ip=IP)
    assert exc.value.status == 410 and "withdrawn" in exc.value.title


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # tampered: one character changed
        lambda t: t[:-1],  # truncated
        lambda t: t + "x",  # too long
        lambda t: "../" + t[3:],  # not url-safe
        lambda t: "",
    ],
    ids=["tampered", "truncated", "too-long", "bad-characters", "empty"],
)
def test_tampered_or_malformed_token_is_not_found(beta_integration, mangle):
    _, token = beta_link(beta_integration)
    with pytest.raises(ApplicationError) as exc:
        service.beta_link_resolve(token=mangle(token), client_ip=IP)
    assert exc.value.status == 404


def test_link_of_integration_rolled_back_to_build_is_paused(beta_integration):
    _, token = beta_link(beta_integration)
    beta_integration.stage = Stage.BUILD
    beta_integration.save(update_fields=["stage"])
    with pytest.raises(ApplicationError) as exc:
        service.beta_link_resolve(token=token, client_ip=IP)
    assert exc.value.status == 404 and "paused" in exc.value.title


def test_repeated_bad_tokens_from_one_address_are_throttled_but_a_valid_one_opens(
    beta_integration,
):
    _, good = beta_link(beta_integration)
    bad = tokens.new_token()[0]
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(service.THROTTLE_LIMIT):
            with pytest.raises(ApplicationError) as exc:
                service.beta_link_resolve(token=bad, client_ip=IP)
            assert exc.value.status == 404
        # then: further bad tokens (well-formed or not) are refused for the rest of the window
        for again in (bad, tokens.new_token()[0], "short"):
            with pytest.raises(ApplicationError) as exc:
                service.beta_link_resolve(token=again, client_ip=IP)
            assert exc.value.status == 429
            assert 0 < exc.value.retry_after <= service.THROTTLE_WINDOW
        # but the customer's valid link, from that same address, opens
        assert service.beta_link_resolve(token=good, client_ip=IP)
        retry_after = exc.value.retry_after
    with time_machine.travel(timezone.now() + timedelta(seconds=retry_after + 1), tick=False):
        with pytest.raises(ApplicationError) as exc:
            service.beta_link_resolve(token=bad, client_ip=IP)
        assert exc.value.status == 404


def test_expired_and_revoked_links_do_not_count_towards_throttling(beta_integration):
    _, expired = beta_link(beta_integration, days=-1)
    for _ in range(service.THROTTLE_LIMIT + 2):
        with pytest.raises(ApplicationError) as exc:
            service.beta_link_resolve(token=expired, client_ip=IP)
        assert exc.value.status == 410


def test_opening_counts_every_open_and_keeps_the_first(beta_integration):
    link, token = beta_link(beta_integration)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        service.beta_link_open(token=token, client_ip=IP)
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        service.beta_link_open(token=token, client_ip=IP)
    link.refresh_from_db()
    assert link.open_count == 2
    assert link.first_opened_at == start
    assert link.last_opened_at == start + timedelta(hours=2)


# --- Verification -------------------------------------------------------------------------------


def test_verification_is_recorded_once_and_notifies_partner_and_staff(
    beta_integration, partner_user, partner_member, staff_user
):
    # given
    link, token = beta_link(beta_integration)
    assert not stages.gate_holds(beta_integration)
    # when
    verification, created = service.customer_verify(
        token=token, client_ip=IP, workspace_name=" Shop  prod ", note="Events arrive."
    )
    # then
    assert created
    assert verification.workspace_name == "Shop prod"
    assert verification.integration == beta_integration and verification.beta_link == link
    assert verification.ip_address == IP
    recipients = set(
        OutboxMessage.objects.filter(kind=Kind.VERIFICATIONS).values_list("recipient", flat=True)
    )
    assert recipients == {partner_user.email, partner_member.email, staff_user.email}
    assert AuditLog.objects.filter(action="catalog.customer.verified").count() == 1
    assert stages.gate_holds(beta_integration)
    item = stages.checklist(beta_integration)[0]
    assert item.key == "verification" and item.passed
    assert item.fix_url == f"/partner/integrations/{beta_integration.pk}/beta/"
    # and a second submission changes nothing
    before = _counts()
    again, created = service.customer_verify(token=token, client_ip=IP, workspace_name="Other")
    assert not created and again == verification
    assert _counts() == before


def test_verification_without_workspace_is_refused(beta_integration):
    _, token = beta_link(beta_integration)
    before = _counts()
    with pytest.raises(ApplicationError) as exc:
        service.customer_verify(token=token, client_ip=IP, workspace_name="   ")
    assert exc.value.status == 422 and exc.value.field == "workspace_name"
    assert _counts() == before


def test_verification_through_expired_link_is_refused(beta_integration):
    _, token = beta_link(beta_integration, days=-1)
    before = _counts()
    with pytest.raises(ApplicationError) as exc:
        service.customer_verify(token=token, client_ip=IP, workspace_name="Shop")
    assert exc.value.status == 410
    assert _counts() == before


def test_link_state_reads_revoked_then_verified_then_expired(beta_integration):
    active, _ = beta_link(beta_integration, email="a@x.io")
    expired, _ = beta_link(beta_integration, email="e@x.io", days=-1)
    revoked, _ = beta_link(beta_integration, email="r@x.io", revoked_at=timezone.now())
    verified, token = beta_link(beta_integration, email="v@x.io")
    service.customer_verify(token=token, client_ip=IP, workspace_name="W")
    states = {link.email: link.state for link in beta_integration.beta_links.with_state()}
    assert states == {
        "a@x.io": "active",
        "e@x.io": "expired",
        "r@x.io": "revoked",
        "v@x.io": "verified",
    }


# --- Issue 11: lifetime cap, one active invite per address, hidden characters -------------------


def test_a_link_cannot_be_extended_past_its_lifetime_cap(beta_integration, partner_user):
    # given a link extended again and again
    link, _ = beta_link(beta_integration, days=305)
    service.beta_link_extend(
        actor=partner_user, integration_id=beta_integration.pk, link_id=link.pk, days=60
    )
    link.refresh_from_db()
    assert link.expires_at - link.created_at == timedelta(days=service.MAX_LIFETIME_DAYS)
    before = link.expires_at
    # when someone tries to extend it once more
    with pytest.raises(ApplicationError) as refused:
        service.beta_link_extend(
            actor=partner_user, integration_id=beta_integration.pk, link_id=link.pk, days=30
        )
    # then it is refused, and the expiry stays
    assert refused.value.status == 409
    assert f"{service.MAX_LIFETIME_DAYS} days from its issue" in refused.value.message
    link.refresh_from_db()
    assert link.expires_at == before


def test_extending_beyond_the_cap_names_the_most_days_left(beta_integration, partner_user):
    link, _ = beta_link(beta_integration, days=360)
    with pytest.raises(ApplicationError) as refused:
        service.beta_link_extend(
            actor=partner_user, integration_id=beta_integration.pk, link_id=link.pk, days=30
        )
    assert refused.value.status == 422
    assert "5 days at most" in refused.value.message


def test_a_second_active_invite_for_the_same_address_is_refused(beta_integration, partner_user):
    beta_link(beta_integration, email="customer@shop.example.com")
    before = _counts()
    with pytest.raises(ApplicationError) as refused:
        service.beta_link_issue(
            actor=partner_user,
            integration_id=beta_integration.pk,
            email="Customer@Shop.example.com",
        )
    assert refused.value.status == 409
    assert "already has an invite" in refused.value.message
    assert _counts() == before


def test_a_revoked_or_expired_invite_does_not_block_a_new_one(beta_integration, partner_user):
    beta_link(beta_integration, email="a@shop.example.com", revoked_at=timezone.now())
    beta_link(beta_integration, email="b@shop.example.com", days=-1)
    for email in ("a@shop.example.com", "b@shop.example.com"):
        assert service.beta_link_issue(
            actor=partner_user, integration_id=beta_integration.pk, email=email
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "cust\u202eomer@shop.example.com"), ("workspace_name", "Shop\u200b prod")],
)
def test_invites_refuse_hidden_characters(beta_integration, partner_user, field, value):
    values = {"email": "customer@shop.example.com", "workspace_name": "", field: value}
    before = _counts()
    with pytest.raises(ApplicationError) as refused:
        service.beta_link_issue(actor=partner_user, integration_id=beta_integration.pk, **values)
    assert refused.value.status == 422
    assert "invisible or control character" in refused.value.message
    assert _counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("workspace_name", "Shop\u202e dorp"), ("note", "Works\u2066 fine")],
)
def test_it_works_refuses_hidden_characters(beta_integration, field, value):
    _, token = beta_link(beta_integration)
    values = {"workspace_name": "Shop prod", "note": "", field: value}
    with pytest.raises(ApplicationError) as refused:
        service.customer_verify(token=token, client_ip=IP, **values)
    assert refused.value.status == 422
    assert CustomerVerification.objects.count() == 0


def test_it_works_note_may_have_line_breaks(beta_integration):
    _, token = beta_link(beta_integration)
    verification, created = service.customer_verify(
        token=token, client_ip=IP, workspace_name="Shop prod", note="Line one.\nLine two."
    )
    assert created and verification.note == "Line one.\nLine two."
