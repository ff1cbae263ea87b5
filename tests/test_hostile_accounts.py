"""Hostile input against sign-up, log-in and password reset (issue 2). Each test is a finding:
the input was accepted, or the behaviour missing, before its fix."""

import pytest

from catalog.models import User
from tests.test_accounts import counts, signup_data

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
    assert response.status_code == 400
    assert words in " ".join(response.context["form"].errors[field])
    assert counts() == before


def test_a_fullwidth_copy_of_a_taken_address_is_the_same_account(client, partner_user):
    before = counts()
    # "owner@ａｃｍｅ.example.com": a fullwidth domain passes Django's validator (IDNA maps it)
    response = client.post(
        "/accounts/signup/", signup_data(email="owner@\uff41\uff43\uff4d\uff45.example.com")
    )
    assert response.status_code == 400
    assert "already exists" in " ".join(response.context["form"].errors["email"])
    assert counts() == before


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
