"""Every free-text field follows the same character rules, and a refused character is reported
with the form's other problems, not after they are fixed (issue 11: "the same character rules on
every free-text field", "every form shows every problem at once")."""

import pytest

from catalog.forms.base import TextRulesForm
from catalog.forms.beta import BetaInviteForm, CustomerVerificationForm
from catalog.forms.spec import PullRequestForm
from catalog.forms.team import InviteForm

RLO, ZWSP, NUL = "\u202e", "\u200b", "\x00"


def test_a_bidi_character_is_reported_with_the_other_fields_problems():
    form = BetaInviteForm(
        {"email": "not an address", "workspace_name": f"Acme {RLO}prod", "days": 0}
    )
    assert not form.is_valid()
    assert set(form.errors) == {"email", "workspace_name", "days"}
    assert "The workspace name contains an invisible or control character" in str(
        form.errors["workspace_name"]
    )


def test_a_text_area_allows_line_breaks_but_not_hidden_characters():
    ok = CustomerVerificationForm({"workspace_name": "Acme", "note": "Line one\nLine two\ttab"})
    assert ok.is_valid(), ok.errors
    refused = CustomerVerificationForm({"workspace_name": "", "note": f"fine{ZWSP}"})
    assert not refused.is_valid()
    assert set(refused.errors) == {"workspace_name", "note"}
    assert "The note contains" in str(refused.errors["note"])


@pytest.mark.parametrize("bad", [RLO, ZWSP, NUL, "\x1b[31m"])
def test_each_hidden_character_class_is_refused_in_a_single_line_field(bad):
    form = InviteForm({"email": f"dev{bad}@acme.example.com", "role": "member"})
    assert not form.is_valid()
    assert "email" in form.errors


def test_every_form_that_takes_free_text_from_partners_or_staff_uses_the_rules():
    from importlib import import_module
    from pkgutil import iter_modules

    from django import forms

    import catalog.forms as package

    exempt = {
        # spec editor rows: the spec validator refuses such text, placed at the row and field
        "SpecMetaForm", "SettingForm", "ActionForm", "FieldForm", "PresetForm",
        # searches and filters (GET), digits only, files, choices only
        "OutboxFilterForm", "BoardSearchForm", "CodeForm", "SpecUploadForm",
        "NotificationPreferencesForm", "BetaExtendForm", "RoleForm",
        # the metadata form checks each text itself (and reports every problem with the files);
        # sign-up forms run the service's own rules (lookalike alphabets too) in their clean()
        "MetadataForm", "SignUpForm", "JoinSignUpForm",
        # Django's log-in and password reset: any text is only looked up, answered generically
        "LoginForm", "OutboxPasswordResetForm",
    }  # fmt: skip
    missing = []
    for info in iter_modules(package.__path__):
        module = import_module(f"catalog.forms.{info.name}")
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, forms.Form)
                and value.__module__ == module.__name__
                and value is not TextRulesForm
                and name not in exempt
                and not issubclass(value, TextRulesForm)
                and any(isinstance(f, forms.CharField) for f in value.base_fields.values())
            ):
                missing.append(name)
    assert missing == []


def test_a_pull_request_link_problem_shows_with_a_bidi_override_in_the_description():
    form = PullRequestForm({"url": "https://github.com/x/y/pull/1", "description": f"Adds {RLO}"})
    form.is_valid()
    assert set(form.errors) == {"url", "description"}
    assert "segmentio/action-destinations" in str(form.errors["url"])
