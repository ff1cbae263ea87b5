"""Staff review of the spec area (``catalog.review_submissions``): the queue of what waits, and
the review of one spec revision, with comments on the whole and on its parts."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from catalog import governance, permissions, selectors
from catalog.errors import ApplicationError, Invalid
from catalog.forms.spec import ReviewForm
from catalog.selectors import spec as spec_selectors
from catalog.services import spec as spec_service
from catalog.spec_comments import comment_paths, comment_rows
from catalog.views.access import staff_page
from catalog.views.refusals import as_message, at_fields

COMMENT_PREFIX = "c:"


@staff_page(permissions.REVIEW_SUBMISSIONS)
@require_GET
def staff_spec_queue(request):
    return render(request, "catalog/spec/staff_queue.html", spec_selectors.review_queue())


def _review_page(request, integration, revision, *, form=None, comments=None, status=200):
    previous = spec_selectors.previous_approved(integration=integration, before=revision)
    earlier = spec_selectors.previous_reviewed(integration=integration, before=revision)
    if earlier is not None and previous is not None and earlier.pk == previous.pk:
        earlier = None  # the approved revision's diff is shown already
    comments = comments if comments is not None else dict(revision.field_comments or {})
    return render(
        request,
        "catalog/spec/staff_review.html",
        {
            "integration": integration,
            "revision": revision,
            "definition": revision.definition,
            "previous": previous,
            "diff": governance.diff(previous.definition, revision.definition) if previous else None,
            "earlier": earlier,
            "earlier_diff": governance.diff(earlier.definition, revision.definition)
            if earlier
            else None,
            "earlier_rows": comment_rows(earlier),
            "form": form or ReviewForm(),
            "comment_fields": [
                {
                    "path": path,
                    "words": words,
                    "name": f"{COMMENT_PREFIX}{path}",
                    "value": comments.get(path, ""),
                }
                for path, words in comment_paths(revision.definition)
            ],
            "comment_rows": comment_rows(revision),
        },
        status=status,
    )


def _posted_comments(post) -> dict[str, str]:
    """The comments on parts of the spec: ``c:<path>`` fields that are not blank."""
    return {
        key.removeprefix(COMMENT_PREFIX): value
        for key, value in post.items()
        if key.startswith(COMMENT_PREFIX) and value.strip()
    }


@staff_page(permissions.REVIEW_SUBMISSIONS)
@require_http_methods(["GET", "POST"])
def staff_spec_review(request, pk: int, number: int):
    integration = selectors.integration_for(user=request.user, pk=pk)
    revision = spec_selectors.revision(integration=integration, number=number)
    if request.method == "GET":
        return _review_page(request, integration, revision)
    form = ReviewForm(request.POST)
    comments = _posted_comments(request.POST)
    status = Invalid.status
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            spec_service.spec_review(
                actor=request.user,
                revision_id=revision.pk,
                approve=approve,
                comment=form.cleaned_data["comment"],
                field_comments=comments,
            )
        except Invalid as error:
            status = at_fields(form, error)
        except ApplicationError as error:
            # Not in review any more: the review form no longer applies.
            status = as_message(request, error)
        else:
            messages.success(
                request,
                f"Revision {revision.number} approved."
                if approve
                else "Changes requested; the partner is notified.",
            )
            return redirect("staff_integration", pk=integration.pk)
    return _review_page(request, integration, revision, form=form, comments=comments, status=status)
