"""Hostile input against the partner area (issue 2): registering an integration and the company
profile. Each test is a finding: the input was accepted (or crashed) before its fix."""

import pytest

from catalog.models import AuditLog, Integration, Partner
from tests.test_partner import snapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "words"),
    [
        # Looks exactly like "AcmeEvents"; a second, invisible-character "Acme Events" passed the
        # uniqueness check the same way
        ("Acme\u200bEvents", "U+200B ZERO WIDTH SPACE"),
        ("Acme Events\u200b", "U+200B ZERO WIDTH SPACE"),
        ("\u200b", "U+200B ZERO WIDTH SPACE"),  # a name nobody can see
        ("Events \u202eemcA", "U+202E RIGHT-TO-LEFT OVERRIDE"),  # shows as "Events Acme"
        ("Acme\ufeffEvents", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("Ab\ufffd\ufffdcd", "U+FFFD REPLACEMENT CHARACTER"),  # what non-UTF-8 input becomes
        ("\u0410\u0441me Events", "mixes Latin and Cyrillic letters"),  # "Асme" with Cyrillic А, с
        ("\u0394 Delta", "mixes Latin and Greek letters"),
        ("***", "needs letters or digits"),
    ],
)
def test_integration_names_that_hide_or_imitate_are_refused(
    partner_client, integration, name, words
):
    before = snapshot()
    # when
    response = partner_client.post("/partner/integrations/new/", {"name": name, "mode": "cloud"})
    # then
    assert response.status_code == 422
    errors = " ".join(response.context["form"].errors["name"])
    assert words in errors
    assert snapshot() == before


def test_a_fullwidth_copy_of_a_taken_name_is_refused_as_taken(partner_client, integration):
    before = snapshot()
    # "Ａｃｍｅ Ｅｖｅｎｔｓ" is "Acme Events" in fullwidth letters
    response = partner_client.post(
        "/partner/integrations/new/",
        {"name": "\uff21\uff43\uff4d\uff45 \uff25\uff56\uff45\uff4e\uff54\uff53", "mode": "cloud"},
    )
    assert response.status_code == 422
    assert "already exists" in " ".join(response.context["form"].errors["name"])
    assert snapshot() == before


@pytest.mark.parametrize("name", ["Ümlaut Analytics", "Café 2.0", "Ελληνικά 360", "Данные"])
def test_names_in_one_alphabet_with_accents_are_still_welcome(partner_client, name):
    response = partner_client.post("/partner/integrations/new/", {"name": name, "mode": "cloud"})
    assert response.status_code == 302
    assert Integration.objects.filter(name=name).exists()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("name", "Acme\u202eAnalytics", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("name", "Acme\u200dAnalytics", "U+200D ZERO WIDTH JOINER"),
        ("website", "https://acme.example.com/\u202egpj.exe", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ],
)
def test_the_owner_cannot_give_the_company_a_name_that_hides_text(
    partner_client, partner, field, value, words
):
    data = {"name": partner.name, "website": partner.website, field: value}
    audits = AuditLog.objects.count()
    # when
    response = partner_client.post("/partner/profile/", data)
    # then
    assert response.status_code == 422
    assert words in " ".join(response.context["form"].errors[field])
    assert Partner.objects.get(pk=partner.pk).name == "Acme Analytics"
    assert AuditLog.objects.count() == audits
