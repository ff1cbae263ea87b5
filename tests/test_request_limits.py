"""The request-size guard, from the attacker's side: huge bodies are refused from their
``Content-Length`` before a byte is read (the body is streamed, never built in memory)."""

import io
import json

import pytest
from django.test.client import ClientHandler

from catalog import request_limits
from catalog.models import MetadataRevision
from catalog.validation import images, spec, svg

GB = 1024**3
MB = 1024**2
BOUNDARY = "hostile"


class HostileBody(io.RawIOBase):
    """A multipart body of ``length`` bytes made on demand; it records how much was read and
    fails the test if more than a little is (a guard that reads would otherwise take minutes)."""

    def __init__(self, length: int, field: str = "logo", filename: str = "logo.svg"):
        self.length = length
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: image/svg+xml\r\n\r\n'
        ).encode()
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.read_bytes > MB:
            raise AssertionError("the guard let the body be read")
        n = min(len(buffer), self.length - self.read_bytes)
        chunk = (self.head[self.read_bytes :] + b"<" * n)[:n]
        buffer[:n] = chunk
        self.read_bytes += n
        return n


def send(path, body, *, client=None, content_type=None, **extra):
    """POST ``body`` to ``path`` through the full WSGI stack, CSRF checks on."""
    content_type = content_type or f"multipart/form-data; boundary={BOUNDARY}"
    environ_from = client._base_environ if client is not None else _anonymous_environ
    environ = environ_from(
        PATH_INFO=path,
        REQUEST_METHOD="POST",
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH="" if body is None else str(body.length),
        **{"wsgi.input": body if body is not None else io.BytesIO(b"")},
        **extra,
    )
    return ClientHandler(enforce_csrf_checks=True)(environ)


def _anonymous_environ(**request):
    from django.test import RequestFactory

    return RequestFactory()._base_environ(**request)


@pytest.mark.django_db
def test_anonymous_one_gigabyte_post_to_login_is_refused_unread():
    body = HostileBody(GB)
    response = send("/accounts/login/", body)
    assert response.status_code == 413
    assert body.read_bytes == 0
    page = response.content.decode()
    assert "Too large" in page and "at most 64 KB" in page
    assert "<nav" in page or "<main" in page  # the product's page, not a bare error
    # with the site's security headers, like every other page
    assert "default-src" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_a_fifty_megabyte_logo_is_refused_before_it_is_read(partner_client, integration):
    before = MetadataRevision.objects.count()
    body = HostileBody(50 * MB)
    response = send(
        f"/partner/integrations/{integration.pk}/metadata/", body, client=partner_client
    )
    assert response.status_code == 413
    assert body.read_bytes == 0
    assert "at most 12.25 MB" in response.content.decode()
    assert MetadataRevision.objects.count() == before


@pytest.mark.django_db
def test_api_body_over_its_limit_gets_the_json_error():
    body = HostileBody(2 * MB)
    response = send("/api/v1/partner/integrations/1/spec/", body, content_type="application/json")
    assert response.status_code == 413
    assert body.read_bytes == 0
    data = json.loads(response.content)
    assert data["code"] == "too_large"
    assert "at most 320 KB" in data["error"]


@pytest.mark.django_db
def test_a_chunked_body_without_a_length_is_refused():
    response = send("/accounts/login/", None, HTTP_TRANSFER_ENCODING="chunked")
    assert response.status_code == 411
    assert "Content-Length" in response.content.decode()


def test_limits_are_sized_from_the_real_maxima():
    # given the per-file limits of the catalog-entry form
    files = 2 * images.MAX_BYTES + 2 * svg.MAX_BYTES
    # then the form's route takes all four at their limit, and not much more
    limit = request_limits.limit_for("/partner/integrations/7/metadata/")
    assert files < limit <= files + MB
    assert request_limits.limit_for("/api/v1/partner/integrations/7/metadata/") == limit
    assert spec.MAX_BYTES < request_limits.limit_for("/partner/integrations/7/spec/upload/")
    assert request_limits.limit_for("/accounts/login/") == 64 * 1024
    assert request_limits.limit_for("/beta/abc/verify/") == 64 * 1024
    assert request_limits.limit_for("/partner/profile/") <= MB


def test_the_largest_legitimate_metadata_form_is_not_refused(partner_client, integration):
    # Four files just under their limits pass the guard (the form then judges them).
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = partner_client.post(
        f"/partner/integrations/{integration.pk}/metadata/",
        {
            "action": "save",
            "base": "0",
            "logo": SimpleUploadedFile("l.svg", b"<" * svg.MAX_BYTES),
            "mark": SimpleUploadedFile("m.svg", b"<" * svg.MAX_BYTES),
            "screenshot_1": SimpleUploadedFile("a.png", b"\x89" * images.MAX_BYTES),
            "screenshot_2": SimpleUploadedFile("b.png", b"\x89" * images.MAX_BYTES),
        },
    )
    assert response.status_code == 422


def test_more_files_than_any_form_has_are_refused(partner_client, integration):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"action": "save", "base": "0"}
    data.update({f"f{n}": SimpleUploadedFile(f"{n}.svg", b"<svg/>") for n in range(5)})
    response = partner_client.post(f"/partner/integrations/{integration.pk}/metadata/", data)
    assert response.status_code == 400
