"""The partner API's human docs: how to get a token, the endpoints, and a GitHub Actions workflow
that checks a repository's catalog metadata and assets on every pull request."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def api_docs(request):
    return render(request, "catalog/api_docs.html", {"site_url": settings.SITE_URL})
