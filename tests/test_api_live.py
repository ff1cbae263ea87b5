"""The partner API driven from outside the process over real HTTP, as a CI job would: a fresh
token, a dry run, a real submit, and the partner's page shows the same revision."""

import json
import urllib.error
import urllib.request

import pytest

from catalog.models import SpecRevision, Stage
from catalog.services.api_tokens import api_token_create
from tests.fixtures_spec import acme_definition

pytestmark = pytest.mark.django_db(transaction=True)


def _call(url: str, token: str, *, body: bytes | None = None, content_type="application/json"):
    request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    request.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_ci_dry_run_then_submit_then_the_page_shows_the_revision(
    live_server, partner_user, integration, client
):
    integration.stage = Stage.SPEC
    integration.save(update_fields=["stage"])
    _, token = api_token_create(actor=partner_user, name="GitHub Actions")
    base = f"{live_server.url}/api/v1/partner/integrations/{integration.pk}/spec/"
    body = json.dumps(acme_definition(integration)).encode()

    status, listed = _call(f"{live_server.url}/api/v1/partner/integrations/", token)
    assert status == 200 and listed["results"][0]["stage"] == "spec"

    status, dry = _call(base + "?dry_run=true&submit=true", token, body=body)
    assert status == 200 and dry["dry_run"] is True and dry["saved"] is False
    assert not SpecRevision.objects.exists()

    status, done = _call(base + "?submit=true", token, body=body)
    assert status == 201, done
    assert done["message"] == dry["message"]  # the dry run said exactly what happened
    number = done["revision"]["number"]

    status, spec = _call(base, token)
    assert status == 200 and spec["latest"] == done["revision"]

    status, refused = _call(base + "?submit=true", token, body=body)
    assert status == 409 and "already in review" in refused["error"]

    status, bad = _call(base, "ppat_" + "x" * 43)
    assert status == 401 and set(bad) >= {"error", "code"}

    client.force_login(partner_user)
    page = client.get(f"/partner/integrations/{integration.pk}/spec/").content.decode()
    assert f"Revision {number}" in page or f"r{number}" in page
