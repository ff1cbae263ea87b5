"""The partner's documentation page: the docs skeleton built from the spec and metadata, its
download, and recording the docs pull request."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from catalog import docs_skeleton
from catalog.errors import ApplicationError, Invalid
from catalog.forms.spec import DocsPullRequestForm
from catalog.models import PullRequest, Stage
from catalog.selectors import spec as spec_selectors
from catalog.services import pull_requests as pr_service
from catalog.views.refusals import at_fields
from catalog.views.spec_pages import integration_page


def _docs_page(request, integration, *, form=None, status=200):
    data = spec_selectors.docs_input(integration=integration)
    context = {
        "integration": integration,
        "markdown": docs_skeleton.render(data),
        "path": docs_skeleton.docs_path(integration.slug),
        "docs_prs": spec_selectors.pull_requests(
            integration=integration, kind=PullRequest.Kind.DOCS
        ),
        "form": form or DocsPullRequestForm(),
        "can_record": request.user.is_partner
        and integration.stage in (Stage.BUILD, Stage.PRIVATE_BETA, Stage.PUBLIC),
        "repository": settings.DOCS_REPOSITORY,
    }
    return render(request, "catalog/spec/docs.html", context, status=status)


@integration_page
@require_http_methods(["GET", "POST"])
def partner_docs(request, integration):
    if request.method == "GET":
        return _docs_page(request, integration)
    form = DocsPullRequestForm(request.POST)
    status = Invalid.status
    if form.is_valid():
        try:
            pr_service.pull_request_record(
                actor=request.user,
                integration_id=integration.pk,
                kind=PullRequest.Kind.DOCS,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
            )
        except ApplicationError as error:
            status = at_fields(form, error)
        else:
            messages.success(request, "Documentation pull request recorded.")
            return redirect("partner_docs", pk=integration.pk)
    return _docs_page(request, integration, form=form, status=status)


@integration_page
@require_GET
def partner_docs_download(request, integration):
    markdown = docs_skeleton.render(spec_selectors.docs_input(integration=integration))
    response = HttpResponse(markdown, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="index.md"'
    return response
