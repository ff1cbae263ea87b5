"""Sign-up, email confirmation, log-in, resending the link, password reset."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from catalog.audit import Action
from catalog.models import (
    AgreementAcceptance,
    AgreementVersion,
    AuditLog,
    OutboxMessage,
    Partner,
    User,
)
from catalog.notifications import Kind
from catalog.stages import current_agreements
from tests import factories

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "a long unusual passphrase 42"


def shown() -> str:
    return ",".join(str(v.pk) for v in sorted(current_agreements().values(), key=lambda v: v.pk))


def signup_data(**overrides) -> dict:
    data = {
        "agreements_shown": shown(),
        "company_name": "Initech Data",
        "website": "https://initech.example.com",
        "full_name": "Peter Gibbons",
        "email": "Peter@Initech.Example.com",
        "password": GOOD_PASSWORD,
        "password_confirm": GOOD_PASSWORD,
        "accept_partner_program": "on",
        "accept_privacy": "on",
    }
    data.update(overrides)
    return data


def counts() -> tuple[int, ...]:
    return (
        Partner.objects.count(),
        User.objects.count(),
        AgreementAcceptance.objects.count(),
        AuditLog.objects.count(),
        OutboxMessage.objects.count(),
    )


def link_in(message: OutboxMessage, path: str) -> str:
    match = re.search(re.escape(settings.SITE_URL) + re.escape(path) + r"\S+/", message.body_text)
    assert match, message.body_text
    return match.group(0)[len(settings.SITE_URL) :]


# --- Sign-up ------------------------------------------------------------------------------------


def test_signup_creates_partner_owner_and_acceptances_and_sends_confirmation(client):
    # when
    response = client.post("/accounts/signup/", signup_data(), REMOTE_ADDR="203.0.113.9")
    # then
    assert response.status_code == 302
    assert response["Location"] == "/accounts/signup/done/"
    user = User.objects.get()
    assert user.email == "peter@initech.example.com"
    assert user.full_name == "Peter Gibbons"
    assert user.partner.name == "Initech Data"
    assert user.partner.website == "https://initech.example.com"
    assert user.partner_role == User.PartnerRole.OWNER
    assert not user.email_confirmed
    assert user.check_password(GOOD_PASSWORD)
    accepted = {a.agreement.kind: a for a in AgreementAcceptance.objects.all()}
    assert set(accepted) == set(AgreementVersion.Kind.values)
    for kind, version in current_agreements().items():
        acceptance = accepted[kind]
        assert acceptance.agreement == version
        assert acceptance.user == user
        assert acceptance.partner == user.partner
        assert acceptance.ip_address == "203.0.113.9"
        assert timezone.now() - acceptance.accepted_at < timedelta(minutes=1)
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {Action.PARTNER_SIGNED_UP, Action.AGREEMENT_ACCEPTED} <= actions
    message = OutboxMessage.objects.get()
    assert message.recipient == "peter@initech.example.com"
    assert message.kind == Kind.SECURITY
    assert "/accounts/confirm/" in message.body_text
    done = client.get(response["Location"])
    assert b"peter@initech.example.com" in done.content


def test_signup_records_the_newest_agreement_version(client):
    # given a newer partner program agreement in force
    newer = AgreementVersion.objects.create(
        kind="partner_program",
        version="2030-01",
        title="Partner Program Agreement",
        effective_at=timezone.now(),
    )
    # when
    client.post("/accounts/signup/", signup_data())
    # then
    kinds = dict(AgreementAcceptance.objects.values_list("agreement__kind", "agreement_id"))
    assert kinds["partner_program"] == newer.pk


@pytest.mark.parametrize("missing", ["accept_partner_program", "accept_privacy"])
def test_signup_without_accepting_an_agreement_is_refused_and_keeps_input(client, missing):
    before = counts()
    data = signup_data()
    del data[missing]
    # when
    response = client.post("/accounts/signup/", data)
    # then
    assert response.status_code == 422
    label = "Partner Program Agreement" if missing == "accept_partner_program" else "Privacy Policy"
    assert f"Accept the {label} to continue." in response.content.decode()
    assert b'value="Initech Data"' in response.content
    assert counts() == before


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password": "password", "password_confirm": "password"}, "password", "too common"),
        ({"password": "12345678901", "password_confirm": "12345678901"}, "password", "numeric"),
        ({"password_confirm": "something else entirely"}, "password_confirm", "differ"),
        ({"email": "not an address"}, "email", "valid email"),
        ({"website": "javascript:alert(1)"}, "website", "https://"),
        ({"website": "ftp://initech.example.com"}, "website", "https://"),
        ({"company_name": "   "}, "company_name", "required"),
        ({"full_name": ""}, "full_name", "required"),
    ],
)
def test_signup_with_bad_input_names_the_field_and_changes_nothing(
    client, overrides, field, message
):
    before = counts()
    # when
    response = client.post("/accounts/signup/", signup_data(**overrides))
    # then
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert f'id="id_{field}_errors"'.encode() in response.content
    assert counts() == before


def test_signup_with_an_existing_address_answers_as_for_a_new_one_and_tells_the_owner(
    client, partner_user
):
    before = counts()
    new = client.post("/accounts/signup/", signup_data(email="newcomer@initech.example.com"))
    OutboxMessage.objects.all().delete()
    # when someone signs up with a taken address (in other case)
    response = client.post("/accounts/signup/", signup_data(email="OWNER@acme.example.com"))
    # then the answer is the same as for a new address: nothing says the account exists
    assert response.status_code == new.status_code == 302
    assert response["Location"] == new["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "already" not in page
    # no second account, and the owner (only) gets an email saying so, with the ways in
    assert User.objects.filter(email="owner@acme.example.com").count() == 1
    assert counts()[0] == before[0] + 1  # the newcomer's partner only
    message = OutboxMessage.objects.get()
    assert message.recipient == partner_user.email
    assert "/accounts/password/reset/" in message.body_text
    # and a second try within the hour does not flood the owner
    client.post("/accounts/signup/", signup_data(email="owner@acme.example.com"))
    assert OutboxMessage.objects.count() == 1


def test_signup_refuses_when_an_agreement_changed_while_the_page_was_open(client):
    # given the page was shown with the old versions
    data = signup_data()
    newer = AgreementVersion.objects.create(
        kind="privacy", version="2030-02", title="Privacy Policy", effective_at=timezone.now()
    )
    before = counts()
    # when
    response = client.post("/accounts/signup/", data)
    # then
    assert response.status_code == 422
    body = response.content.decode()
    assert "The agreements changed while this page was open" in body
    assert "version 2030-02" in body
    assert f'value="{shown()}"' in body
    form = response.context["form"]
    assert not form["accept_privacy"].value() and not form["accept_partner_program"].value()
    assert counts() == before
    # and accepting what is shown now works, recording the new version
    client.post("/accounts/signup/", signup_data())
    assert AgreementAcceptance.objects.filter(agreement=newer).count() == 1


def test_signup_page_shows_current_agreement_versions(client):
    response = client.get("/accounts/signup/")
    body = response.content.decode()
    for version in current_agreements().values():
        assert f"version {version.version}" in body


# --- Confirmation -------------------------------------------------------------------------------


def test_confirmation_link_confirms_once_and_a_second_click_is_harmless(client):
    client.post("/accounts/signup/", signup_data())
    path = link_in(OutboxMessage.objects.get(), "/accounts/confirm/")
    # when
    response = client.get(path, follow=True)
    # then
    user = User.objects.get()
    assert user.email_confirmed
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert b"is confirmed" in response.content
    assert AuditLog.objects.filter(action=Action.USER_EMAIL_CONFIRMED).count() == 1
    # and again
    confirmed_at = user.email_confirmed_at
    again = client.get(path, follow=True)
    assert b"already confirmed" in again.content
    user.refresh_from_db()
    assert user.email_confirmed_at == confirmed_at
    assert AuditLog.objects.filter(action=Action.USER_EMAIL_CONFIRMED).count() == 1


def test_expired_confirmation_link_is_refused_with_410(client):
    client.post("/accounts/signup/", signup_data())
    path = link_in(OutboxMessage.objects.get(), "/accounts/confirm/")
    later = timezone.now() + timedelta(seconds=settings.EMAIL_CONFIRMATION_MAX_AGE + 60)
    # when
    with time_machine.travel(later, tick=False):
        response = client.get(path)
    # then
    assert response.status_code == 410
    assert b"expired" in response.content
    assert not User.objects.get().email_confirmed


@pytest.mark.parametrize("mangle", [lambda t: t[:-3] + "abc", lambda t: "x" + t, lambda t: "%00"])
def test_tampered_confirmation_link_is_refused_with_400(client, mangle):
    client.post("/accounts/signup/", signup_data())
    path = link_in(OutboxMessage.objects.get(), "/accounts/confirm/")
    token = path.split("/")[-2]
    # when
    response = client.get(f"/accounts/confirm/{mangle(token)}/")
    # then
    assert response.status_code == 400
    assert b"not valid" in response.content
    assert not User.objects.get().email_confirmed


def test_confirmation_link_for_a_changed_address_is_refused(client):
    client.post("/accounts/signup/", signup_data())
    path = link_in(OutboxMessage.objects.get(), "/accounts/confirm/")
    User.objects.update(email="someone-else@initech.example.com")
    # when
    response = client.get(path)
    # then
    assert response.status_code == 400
    assert not User.objects.get().email_confirmed


# --- Log in -------------------------------------------------------------------------------------


def test_login_is_refused_until_the_address_is_confirmed(client):
    client.post("/accounts/signup/", signup_data())
    # when
    response = client.post(
        "/accounts/login/", {"username": "peter@initech.example.com", "password": GOOD_PASSWORD}
    )
    # then
    assert response.status_code == 422
    body = response.content.decode()
    assert "Confirm your email address first" in body
    assert 'href="/accounts/confirm/resend/"' in body
    assert "_auth_user_id" not in client.session


def test_login_with_address_in_any_case_goes_to_the_partner_dashboard(client, partner_user):
    # when
    response = client.post(
        "/accounts/login/",
        {"username": "  Owner@ACME.example.com ", "password": factories.PASSWORD},
        follow=True,
    )
    # then
    assert response.redirect_chain[-1][0] == "/partner/"
    assert int(client.session["_auth_user_id"]) == partner_user.pk


def test_staff_login_goes_to_the_needs_you_inbox_through_the_second_factor(client, staff_user):
    device = factories.totp_device(staff_user)
    response = client.post(
        "/accounts/login/",
        {"username": staff_user.email, "password": factories.PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/accounts/two-factor/verify/?next=%2Fstaff%2Finbox%2F"
    response = client.post(
        "/accounts/two-factor/verify/",
        {"code": factories.totp_code(device), "next": "/staff/inbox/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/staff/inbox/"


def test_wrong_password_is_refused_with_a_message(client, partner_user):
    response = client.post(
        "/accounts/login/", {"username": partner_user.email, "password": "not it"}
    )
    assert response.status_code == 422
    assert b"don&#x27;t match an account" in response.content
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only(partner_client):
    assert partner_client.get("/accounts/logout/").status_code == 405
    response = partner_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in partner_client.session


# --- Resending the confirmation -----------------------------------------------------------------


def test_resend_sends_a_new_link_to_an_unconfirmed_address(client):
    client.post("/accounts/signup/", signup_data())
    # when
    response = client.post("/accounts/confirm/resend/", {"email": "PETER@initech.example.com"})
    # then
    assert response.status_code == 302
    assert OutboxMessage.objects.count() == 2
    newest = OutboxMessage.objects.order_by("-id").first()
    assert newest.event == Action.USER_CONFIRMATION_SENT
    client.get(link_in(newest, "/accounts/confirm/"))
    assert User.objects.get().email_confirmed


def test_resend_is_limited_to_one_email_a_minute(client):
    client.post("/accounts/signup/", signup_data())
    client.post("/accounts/confirm/resend/", {"email": "peter@initech.example.com"})
    # when
    client.post("/accounts/confirm/resend/", {"email": "peter@initech.example.com"})
    # then
    assert OutboxMessage.objects.count() == 2


@pytest.mark.parametrize("email", ["nobody@example.com", "owner@acme.example.com"])
def test_resend_answers_the_same_for_unknown_or_confirmed_addresses(client, partner_user, email):
    # when
    response = client.post("/accounts/confirm/resend/", {"email": email}, follow=True)
    # then
    assert b"If an account with that address is waiting" in response.content
    assert OutboxMessage.objects.count() == 0


def test_resend_with_a_malformed_address_is_refused(client):
    response = client.post("/accounts/confirm/resend/", {"email": "nope"})
    assert response.status_code == 422
    assert OutboxMessage.objects.count() == 0


# --- Password reset -----------------------------------------------------------------------------


def test_password_reset_sends_a_site_url_link_through_the_outbox(client, partner_user):
    # when (a hostile Host header must not end up in the link)
    response = client.post(
        "/accounts/password/reset/", {"email": "OWNER@acme.example.com"}, HTTP_HOST="localhost"
    )
    # then
    assert response.status_code == 302
    message = OutboxMessage.objects.get()
    assert message.kind == Kind.SECURITY
    assert message.recipient == partner_user.email
    path = link_in(message, "/accounts/password/reset/")
    assert AuditLog.objects.filter(action=Action.USER_PASSWORD_RESET_REQUESTED).count() == 1
    # and the link sets a new password
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD},
    )
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password/reset/complete/"
    partner_user.refresh_from_db()
    assert partner_user.check_password(GOOD_PASSWORD)


def test_password_reset_sends_at_most_one_email_a_minute(client, partner_user):
    client.post("/accounts/password/reset/", {"email": partner_user.email})
    response = client.post("/accounts/password/reset/", {"email": partner_user.email})
    assert response.status_code == 302
    assert OutboxMessage.objects.count() == 1


def test_password_reset_does_the_same_work_in_the_request_for_known_and_unknown_addresses(
    client, partner_user, django_assert_num_queries, monkeypatch
):
    from catalog import tasks

    queued = []
    monkeypatch.setattr(tasks.password_reset_email, "delay", queued.append)
    answers = []
    for email in (partner_user.email, "nobody@example.com"):
        # the request reads nothing about the address: it only queues the task
        with django_assert_num_queries(0):
            response = client.post("/accounts/password/reset/", {"email": email})
        answers.append((response.status_code, response["Location"]))
    assert answers[0] == answers[1] == (302, "/accounts/password/reset/sent/")
    assert queued == [partner_user.email, "nobody@example.com"]
    assert OutboxMessage.objects.count() == 0  # sent by the task, not inside the request


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert OutboxMessage.objects.count() == 0


def test_password_reset_with_a_weak_new_password_is_refused(client, partner_user):
    client.post("/accounts/password/reset/", {"email": partner_user.email})
    path = link_in(OutboxMessage.objects.get(), "/accounts/password/reset/")
    form_url = client.get(path, follow=True).redirect_chain[-1][0]
    # when
    response = client.post(form_url, {"new_password1": "password", "new_password2": "password"})
    # then
    assert response.status_code == 422
    assert b"too common" in response.content
    partner_user.refresh_from_db()
    assert partner_user.check_password(factories.PASSWORD)
