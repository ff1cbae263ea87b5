"""The one translator from a refusal kind to what a person sees (catalog/views/refusals.py),
and the rules that keep the seam in one place."""

import json
import re
from pathlib import Path

import pytest
from django import forms
from django.http import HttpResponse
from django.test import RequestFactory

from catalog import errors
from catalog.views import refusals

ROOT = Path(__file__).resolve().parent.parent


class _Form(forms.Form):
    name = forms.CharField(required=False)
    website = forms.CharField(required=False)


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (errors.BadRequest, 400),
        (errors.Forbidden, 403),
        (errors.NotFound, 404),
        (errors.Conflict, 409),
        (errors.Gone, 410),
        (errors.TooLarge, 413),
        (errors.Invalid, 422),
        (errors.Unavailable, 503),
    ],
)
def test_each_kind_carries_its_status(kind, status):
    assert kind("no").status == status
    assert issubclass(kind, errors.ApplicationError)


def test_throttled_carries_retry_after_of_at_least_a_second():
    assert errors.Throttled("wait", retry_after=0).retry_after == 1
    assert errors.Throttled("wait", retry_after=0).status == 429


def test_invalid_puts_every_message_next_to_its_field_and_keeps_the_input():
    # given
    form = _Form({"name": "Acme\u202e", "website": "x"})
    assert form.is_valid()
    error = errors.Invalid(
        "2 problems", errors={"name": ["Hidden character."], "website": ["Not a URL."]}
    )
    # when
    status = refusals.at_fields(form, error)
    # then
    assert status == 422
    assert form.errors == {"name": ["Hidden character."], "website": ["Not a URL."]}
    assert form["name"].value() == "Acme\u202e"


def test_a_message_for_a_field_the_form_lacks_goes_to_the_whole_form():
    form = _Form({"name": "a"})
    assert form.is_valid()
    status = refusals.at_fields(form, errors.Conflict("Already in review.", field="elsewhere"))
    assert status == 409
    assert form.non_field_errors() == ["Already in review."]


@pytest.mark.parametrize("kind", [errors.Forbidden, errors.NotFound, errors.Gone])
def test_a_refusal_with_a_page_of_its_own_is_not_shown_at_a_form(kind):
    form = _Form({"name": "a"})
    assert form.is_valid()
    with pytest.raises(kind):
        refusals.at_fields(form, kind("no"))
    assert not form.errors


def _middleware_response(path, error):
    request = RequestFactory().get(path)
    request.user = None
    request.session = {}
    request._messages = []
    middleware = refusals.RefusalMiddleware(lambda r: HttpResponse())
    return middleware.process_exception(request, error)


@pytest.mark.parametrize(
    ("error", "status", "text"),
    [
        (errors.Forbidden("Only owners may do that."), 403, "Only owners may do that."),
        (errors.NotFound("No such integration."), 404, "Not found"),
        (errors.Gone("The invitation was revoked.", title="Withdrawn"), 410, "Withdrawn"),
        (errors.Conflict("Already moved."), 409, "Already moved."),
    ],
)
def test_the_middleware_renders_the_page_of_a_refusal_that_left_a_view(error, status, text):
    response = _middleware_response("/partner/", error)
    assert response.status_code == status
    assert text in response.content.decode()


def test_a_throttled_page_says_when_to_retry():
    response = _middleware_response("/partner/", errors.Throttled("Slow down.", retry_after=42))
    assert response.status_code == 429
    assert response["Retry-After"] == "42"


def test_under_the_api_a_refusal_is_json_naming_its_fields():
    error = errors.Invalid("1 problem", errors={"name": ["Give a name."]})
    response = _middleware_response("/api/v1/anything/", error)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "error": "1 problem",
        "code": "invalid",
        "fields": {"name": ["Give a name."]},
    }


def test_other_exceptions_are_left_to_django():
    assert _middleware_response("/partner/", ValueError("boom")) is None


# --- The seam stays in one place ----------------------------------------------------------------


def _sources(*folders):
    for folder in folders:
        yield from (ROOT / folder).rglob("*.py")


def test_services_name_no_http_status():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _sources("catalog/services")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"status=\d{3}|status: int\b|Http404|HttpResponse", line)
    ]
    assert offenders == []


def test_views_do_not_translate_refusals_themselves():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _sources("catalog/views")
        if path.name not in ("refusals.py",)
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\b(error|exc|refused)\.status\s*(==|!=|in\b)", line)
    ]
    assert offenders == []


def test_permission_names_are_written_only_in_the_permissions_module():
    codenames = r"(promote_integration|review_submissions|manage_beta_links|retry_outboxmessage|"
    codenames += r"view_outboxmessage|view_integration)"
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _sources("catalog")
        if path.name != "permissions.py" and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(rf"[\"']catalog\.{codenames}[\"']", line)
    ]
    assert offenders == []


def test_selectors_import_no_service():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _sources("catalog/selectors")
        if re.search(
            r"^\s*(from catalog\.services|from catalog import .*\bservices\b)",
            path.read_text(),
            re.M,
        )
    ]
    assert offenders == []


# --- An unexpected error -------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unexpected_error_gets_the_products_500_page_not_djangos(client, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("catalog.views.public.public_integrations", broken)
    client.raise_request_exception = False
    response = client.get("/catalog/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "<title>" in body and "Partner Portal" in body
    assert "RuntimeError" not in body and "Traceback" not in body


@pytest.mark.django_db
def test_an_unexpected_error_under_the_api_is_json(client, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("catalog.api.public.public_integrations", broken)
    client.raise_request_exception = False
    response = client.get("/api/v1/catalog/")
    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "error"
