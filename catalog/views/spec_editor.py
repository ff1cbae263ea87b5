"""The partner's spec pages before the integration is live: the editor (save, submit, add or
remove a row), uploading and exporting a file, one revision, and submitting a draft."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog import governance
from catalog.errors import ApplicationError, BadRequest, Invalid, NotFound
from catalog.forms.spec import SpecEditor, SpecUploadForm
from catalog.models import ReviewStatus
from catalog.selectors import spec as spec_selectors
from catalog.services import spec as spec_service
from catalog.spec_comments import comment_rows
from catalog.validation import spec as spec_validation
from catalog.views.refusals import as_message
from catalog.views.spec_pages import integration_page, load_upload, revision_number


def _spec_page(
    request, integration, *, editor=None, upload_form=None, upload_errors=(), status=200
):
    if editor is None:
        editor = SpecEditor.from_definition(
            spec_selectors.editor_definition(
                integration=integration, from_number=revision_number(request.GET.get("from"))
            )
        )
    review = spec_selectors.last_review(integration=integration)
    context = {
        "integration": integration,
        "editor": editor,
        "upload_form": upload_form or SpecUploadForm(),
        "upload_errors": upload_errors,
        "revisions": spec_selectors.revisions(integration=integration)[:50],
        "latest": spec_selectors.latest_revision(integration=integration),
        "review": review,
        "comment_rows": comment_rows(review),
        "staff_comments": _comments_to_act_on(review),
        "can_edit": request.user.is_partner and not integration.is_live,
        "live_definition": spec_selectors.live_definition(integration=integration),
    }
    return render(request, "catalog/spec/spec.html", context, status=status)


def _comments_to_act_on(review) -> dict[str, str]:
    """The comments of a review that asked for changes, by spec path, to show beside each part
    of the editor (an approved revision's comments are history, shown in the status only)."""
    if review is None or review.status != ReviewStatus.CHANGES_REQUESTED:
        return {}
    return dict(review.field_comments or {})


@integration_page
@require_http_methods(["GET", "POST"])
def partner_spec(request, integration):
    if request.method == "GET":
        return _spec_page(request, integration)
    op = request.POST.get("op", "save")
    if not SpecEditor.valid_op(op):
        raise BadRequest("Unknown action.")
    editor = SpecEditor.from_post(request.POST)
    if editor.apply(op):
        return _spec_page(request, integration, editor=editor)
    if not editor.is_valid():
        editor.check_spec(for_submit=op == "submit")
        return _spec_page(request, integration, editor=editor, status=editor.refusal_status)
    try:
        revision = spec_service.spec_save(
            actor=request.user,
            integration_id=integration.pk,
            definition=editor.definition(),
            submit=op == "submit",
        )
    except spec_service.SpecInvalid as error:
        editor.add_spec_errors(error.items)
        return _spec_page(request, integration, editor=editor, status=error.status)
    except ApplicationError as error:
        status = as_message(request, error)
        return _spec_page(request, integration, editor=editor, status=status)
    if revision.status == ReviewStatus.SUBMITTED:
        messages.success(
            request, f"Revision {revision.number} is saved and sent to staff for review."
        )
    else:
        messages.success(request, f"Saved as draft revision {revision.number}.")
    return redirect("partner_spec", pk=integration.pk)


@integration_page
@require_POST
def partner_spec_upload(request, integration):
    form = SpecUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _spec_page(request, integration, upload_form=form, status=Invalid.status)
    definition, errors, status = load_upload(form.cleaned_data["file"])
    if errors:
        return _spec_page(
            request, integration, upload_form=form, upload_errors=errors, status=status
        )
    try:
        revision = spec_service.spec_save(
            actor=request.user, integration_id=integration.pk, definition=definition
        )
    except spec_service.SpecInvalid as error:
        return _spec_page(
            request, integration, upload_form=form, upload_errors=error.items, status=error.status
        )
    except ApplicationError as error:
        return _spec_page(request, integration, status=as_message(request, error))
    messages.success(
        request,
        f"The file is saved as draft revision {revision.number}. Check it below, then submit it.",
    )
    return redirect("partner_spec", pk=integration.pk)


@integration_page
@require_GET
def partner_spec_export(request, integration):
    text = request.GET.get("revision", "")
    if text:
        number = revision_number(text)
        if number is None:
            raise NotFound("No such spec revision.")
        revision = spec_selectors.revision(integration=integration, number=number)
        definition, suffix = revision.definition, f"-r{revision.number}"
    else:
        definition, suffix = spec_selectors.editor_definition(integration=integration), ""
    response = HttpResponse(
        spec_validation.dumps(definition), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{integration.slug}-spec{suffix}.json"'
    return response


@integration_page
@require_GET
def partner_spec_revision(request, integration, number: int):
    revision = spec_selectors.revision(integration=integration, number=number)
    previous = spec_selectors.previous_approved(integration=integration, before=revision)
    return render(
        request,
        "catalog/spec/revision.html",
        {
            "integration": integration,
            "revision": revision,
            "definition": revision.definition,
            "comment_rows": comment_rows(revision),
            "previous": previous,
            "diff": governance.diff(previous.definition, revision.definition) if previous else None,
        },
    )


@integration_page
@require_POST
def partner_spec_submit(request, integration, number: int):
    try:
        revision = spec_service.spec_submit(
            actor=request.user, integration_id=integration.pk, number=number
        )
    except spec_service.SpecInvalid as error:
        messages.error(
            request,
            error.message + " " + " ".join(str(e) for e in error.items[:5]),
        )
        return _spec_page(request, integration, status=error.status)
    except ApplicationError as error:
        return _spec_page(request, integration, status=as_message(request, error))
    messages.success(request, f"Revision {revision.number} is sent to staff for review.")
    return redirect("partner_spec", pk=integration.pk)
