"""Hostile input against sign-up, log-in and password reset (issue 2). Each test is a finding:
the input was accepted, or the behaviour missing, before its fix."""

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from catalog.models import OutboxMessage, User
from catalog.services import accounts
from tests import factories
from tests.test_accounts import GOOD_PASSWORD, counts, link_in, signup_data

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


# --- Sign-up: names and addresses that hide or imitate -------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        # Mail to it reaches owner@acme.example.com's domain, and it reads the same on every page
        ("email", "owner@ac\u200bme.example.com", "U+200B ZERO WIDTH SPACE"),
        ("email", "owner@\u0430cme.example.com", "mixes Latin and Cyrillic letters"),
        ("company_name", "Initech\u202e Data", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("company_name", "Init\u00adech", "U+00AD SOFT HYPHEN"),
        ("full_name", "Peter\u2066 Gibbons", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("website", "https://initech.example.com/\u202egnp.exe", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ],
)
def test_signup_with_hidden_or_lookalike_text_is_refused_next_to_the_field(
    client, partner_user, field, value, words
):
    before = counts()
    # when
    response = client.post("/accounts/signup/", signup_data(**{field: value}))
    # then
    assert response.status_code == 422
    assert words in " ".join(response.context["form"].errors[field])
    assert counts() == before


def test_a_fullwidth_copy_of_a_taken_address_is_the_same_account(client, partner_user):
    before = counts()
    # "owner@ａｃｍｅ.example.com": a fullwidth domain passes Django's validator (IDNA maps it)
    response = client.post(
        "/accounts/signup/", signup_data(email="owner@\uff41\uff43\uff4d\uff45.example.com")
    )
    # answered as for a new address (issue 11), and no second account
    assert response.status_code == 302
    assert counts()[:2] == before[:2]


@pytest.mark.parametrize("email", ["anna@bücher.example", "ivan@пример.example"])
def test_an_address_on_an_international_domain_is_still_welcome(client, email):
    response = client.post("/accounts/signup/", signup_data(email=email))
    assert response.status_code == 302
    assert User.objects.filter(email=email).exists()


def test_company_and_person_names_may_mix_alphabets(client):
    # Unlike integration names, company names aren't unique: nothing to imitate
    response = client.post(
        "/accounts/signup/", signup_data(company_name="Яндекс Data LLC", full_name="Ivan Петров")
    )
    assert response.status_code == 302


# --- Password reset links ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/password/reset/Mg/bad-token/",
        "/accounts/password/reset/" + "9" * 50 + "/set-password/",
        "/accounts/password/reset/%00/x/",
    ],
)
def test_a_password_reset_link_that_does_not_work_is_a_400(client, partner_user, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "This link doesn't work" in response.content.decode()


# --- Log-in throttle ------------------------------------------------------------------------------


def fail(client, email="owner@acme.example.com", times=1, **extra):
    for _ in range(times):
        response = client.post(LOGIN, {"username": email, "password": "guess"}, **extra)
    return response


def test_after_five_failures_the_account_is_refused_even_with_the_right_password(
    client, partner_user
):
    # given five wrong passwords for this address, each an ordinary 422
    assert fail(client, times=accounts.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS).status_code == 422
    # when the right password comes next
    response = client.post(LOGIN, {"username": partner_user.email, "password": factories.PASSWORD})
    # then it is refused like a wrong one: the guess can't be told right from wrong
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    body = response.content.decode()
    assert "Too many failed log-ins for this account" in body
    assert "reset your password" in body
    assert "_auth_user_id" not in client.session


def test_flooding_the_page_cache_does_not_reset_the_log_in_count(client, partner_user):
    # given four wrong passwords
    fail(client, times=accounts.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS - 1)
    # when an attacker fills the page cache with distinct query strings (more than it holds)
    anonymous = Client()
    for n in range(400):
        assert anonymous.get(f"/api/v1/catalog/?q=flood{n}").status_code == 200
    # then the counters, in their own store, are still there: the fifth failure locks
    fail(client)
    response = client.post(LOGIN, {"username": partner_user.email, "password": factories.PASSWORD})
    assert response.status_code == 429


def test_the_account_throttle_ignores_case_and_spaces_in_the_address(client, partner_user):
    fail(client, times=3)
    fail(client, email="  OWNER@Acme.Example.COM ", times=2)
    response = client.post(LOGIN, {"username": partner_user.email, "password": factories.PASSWORD})
    assert response.status_code == 429


def test_the_account_throttle_ends_with_its_window(client, partner_user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        fail(client, times=accounts.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS)
        traveller.shift(accounts.LOGIN_WINDOW_SECONDS + 1)
        response = client.post(
            LOGIN, {"username": partner_user.email, "password": factories.PASSWORD}
        )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == partner_user.pk


def test_one_address_trying_many_accounts_is_throttled(client, partner_user):
    # given failures spread over many addresses, each under the per-account limit
    for n in range(accounts.LOGIN_FAILURES_PER_ADDRESS):
        fail(client, email=f"guess{n}@example.com")
    # when the real owner's right password comes from the same address
    response = client.post(LOGIN, {"username": partner_user.email, "password": factories.PASSWORD})
    # then
    assert response.status_code == 429
    assert "Too many failed log-ins from your network" in response.content.decode()
    # and another network is not affected
    other = client.post(
        LOGIN,
        {"username": partner_user.email, "password": factories.PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )
    assert other.status_code == 302


def test_a_right_password_before_the_limit_clears_the_account_count(client, partner_user):
    fail(client, times=accounts.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS - 1)
    client.post(LOGIN, {"username": partner_user.email, "password": factories.PASSWORD})
    client.post("/accounts/logout/")
    # when more failures come after the success
    response = fail(client, times=accounts.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS - 1)
    # then they start from zero
    assert response.status_code == 422
    ok = client.post(LOGIN, {"username": partner_user.email, "password": factories.PASSWORD})
    assert ok.status_code == 302


def test_an_unknown_address_is_throttled_the_same_so_nothing_is_revealed(client):
    fail(client, email="nobody@example.com", times=accounts.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS)
    response = fail(client, email="nobody@example.com")
    assert response.status_code == 429
    assert "Too many failed log-ins for this account" in response.content.decode()


def test_a_password_reset_unlocks_the_account(client, partner_user):
    # given a locked account
    fail(client, times=accounts.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS)
    # when its owner resets the password through the emailed link
    client.post("/accounts/password/reset/", {"email": partner_user.email})
    path = link_in(OutboxMessage.objects.get(), "/accounts/password/reset/")
    form_page = client.get(path, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD},
    )
    # then the new password works at once
    response = client.post(LOGIN, {"username": partner_user.email, "password": GOOD_PASSWORD})
    assert response.status_code == 302


def test_missing_fields_are_not_counted_as_failures(client, partner_user):
    for _ in range(accounts.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS + 1):
        assert client.post(LOGIN, {"username": partner_user.email}).status_code == 422
    response = client.post(LOGIN, {"username": partner_user.email, "password": factories.PASSWORD})
    assert response.status_code == 302


# --- Nobody locks the rightful user out (issue 11) -----------------------------------------------

ATTACKER = "198.51.100.66"


def test_failing_on_purpose_from_elsewhere_does_not_lock_out_the_owner(client, partner_user):
    # given an attacker failing on purpose, well past the per-address limit for this account
    attacker = Client(REMOTE_ADDR=ATTACKER)
    fail(attacker, times=accounts.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS * 2)
    assert fail(attacker).status_code == 429
    # when the owner logs in from their own address
    response = client.post(LOGIN, {"username": partner_user.email, "password": factories.PASSWORD})
    # then they are in
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == partner_user.pk


def test_failures_spread_over_many_addresses_hit_the_account_ceiling_but_not_a_known_address(
    client, partner_user, settings
):
    # given the owner logged in once from their address
    client.post(LOGIN, {"username": partner_user.email, "password": factories.PASSWORD})
    client.post("/accounts/logout/")
    # when a guesser spread over many addresses reaches the account's ceiling
    for n in range(accounts.LOGIN_FAILURES_PER_ACCOUNT):
        fail(Client(REMOTE_ADDR=f"10.9.{n // 200}.{n % 200}"))
    # then a new address is slowed down, even with the right password
    stranger = Client(REMOTE_ADDR="203.0.113.200")
    refused = stranger.post(LOGIN, {"username": partner_user.email, "password": factories.PASSWORD})
    assert refused.status_code == 429
    # but the owner's usual address still gets in
    response = client.post(LOGIN, {"username": partner_user.email, "password": factories.PASSWORD})
    assert response.status_code == 302


# --- Websites are stored normalised (issue 11) ---------------------------------------------------

HOSTILE_WEBSITE = "HTTPS://Initech.Example.com/a\"><svg/onload=alert(1)>'`"


def test_signup_stores_the_website_without_quotes_or_angle_brackets(client):
    response = client.post("/accounts/signup/", signup_data(website=HOSTILE_WEBSITE))
    assert response.status_code == 302
    stored = User.objects.get(email="peter@initech.example.com").partner.website
    assert stored.startswith("https://initech.example.com/a%22%3E%3Csvg")
    assert not set(stored) & set("\"'<>`")


def test_the_profile_stores_the_website_normalised(client, partner_user):
    client.force_login(partner_user)
    client.post("/partner/profile/", {"name": "Acme", "website": HOSTILE_WEBSITE})
    partner_user.partner.refresh_from_db()
    assert not set(partner_user.partner.website) & set("\"'<>`")
    assert partner_user.partner.website.startswith("https://initech.example.com/")
