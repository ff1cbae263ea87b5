"""No public page, beta page or API response contains any support email.

The test crawls every public URL reachable from the catalog, the API and the beta pages
(following links and pagination) and scans each response for the support email of every
metadata revision in the database, live or not.
"""

import html
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest

from catalog.models import MetadataRevision, ReviewStatus
from tests.data.catalog import (
    beta_link,
    in_private_beta,
    many_public_integrations,
    public_integration,
)

PUBLIC_PREFIXES = ("/catalog/", "/api/v1/catalog/", "/beta/")
HREF = re.compile(r'(?:href|action)="([^"]+)"')
JSON_URL = re.compile(r'"(https?://testserver/[^"]+)"')


def _links(base: str, body: str) -> set[str]:
    found = {html.unescape(h) for h in HREF.findall(body)} | set(JSON_URL.findall(body))
    out = set()
    for href in found:
        parts = urlsplit(urljoin("http://testserver" + base, href))
        if parts.netloc != "testserver" or not parts.path.startswith(PUBLIC_PREFIXES):
            continue
        out.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


@pytest.fixture
def seeded(integration, other_integration):
    for n in range(3):
        revision = public_integration(f"Public {n}", support_email=f"support-{n}@vendor.example")
        # a later draft with another address must not leak either
        MetadataRevision.objects.create(
            integration=revision,
            number=2,
            status=ReviewStatus.DRAFT,
            name=revision.name,
            support_email=f"draft-{n}@vendor.example",
        )
    many_public_integrations(30)
    in_private_beta(integration, support_email="beta-help@acme.example.com")
    in_private_beta(other_integration, support_email="beta-help@globex.example.com")
    _, token = beta_link(integration)
    _, expired = beta_link(other_integration, days=-1)
    return [f"/beta/{token}/", f"/beta/{expired}/"]


def test_no_public_response_contains_a_support_email(client, seeded):
    emails = set(
        MetadataRevision.objects.exclude(support_email="").values_list("support_email", flat=True)
    )
    assert len(emails) >= 30 + 3 + 3 + 2
    start = ["/catalog/", "/catalog/new/", "/api/v1/catalog/", "/api/v1/catalog/?page_size=10"]
    start += seeded
    seen: set[str] = set()
    queue = deque(start)
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code in (200, 302, 404, 405, 410), url
        body = response.content.decode()
        leaked = [e for e in emails if e.lower() in body.lower()]
        assert not leaked, f"{url} shows {leaked}"
        if response.status_code == 302:
            queue.append(response["Location"])
        queue.extend(_links(url, body) - seen)
        detail = re.fullmatch(r"/catalog/([-\w]+)/", url)
        if detail and detail.group(1) != "new":
            queue.append(f"/api/v1/catalog/{detail.group(1)}/")
    # the crawl really covered every kind of public page
    assert {"/catalog/public-0/", "/catalog/bulk-destination-0029/"} <= seen
    assert "/api/v1/catalog/public-0/" in seen
    assert any(u.startswith("/api/v1/catalog/?") for u in seen)
    assert any(u.startswith("/catalog/?category=") for u in seen)
    assert any("page=2" in u for u in seen if u.startswith("/catalog/"))
    assert seeded[0] in seen and f"{seeded[0]}verify/" in seen
    assert len(seen) > 60


def test_api_entries_never_carry_support_email(client, seeded):
    for n in range(3):
        body = client.get(f"/api/v1/catalog/public-{n}/").content.decode()
        assert "@vendor.example" not in body
