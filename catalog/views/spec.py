"""Pages of the spec area: the spec editor, pull requests, docs skeleton and change requests for
partners; the review pages for staff (``catalog.review_submissions``)."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog import docs_skeleton, governance, permissions, selectors
from catalog.errors import ApplicationError
from catalog.forms.spec import (
    ChangeRequestForm,
    ChangeRequestReviewForm,
    DocsPullRequestForm,
    PullRequestEditForm,
    PullRequestForm,
    PullRequestStateForm,
    ReviewForm,
    SpecEditor,
    SpecUploadForm,
)
from catalog.models import ChangeRequest, PullRequest, ReviewStatus, Stage
from catalog.services import change_requests as change_service
from catalog.services import pull_requests as pr_service
from catalog.services import spec as spec_service
from catalog.spec import selectors as spec_selectors
from catalog.validation import spec as spec_validation
from catalog.views.access import integration_page as access_integration_page
from catalog.views.access import staff_page
from catalog.views.refusals import as_message, at_fields

integration_page = access_integration_page(
    partner_writes=(
        "Only the integration's partner users can change its spec, pull requests and docs."
    )
)


def _refused(request, error: ApplicationError, render_page):
    return render_page(status=as_message(request, error))


def _form_refused(request, form, error: ApplicationError, render_page):
    return render_page(status=at_fields(form, error))


def _revision_number(text: str | None) -> int | None:
    """A revision number from a query string; None for anything else. ``str.isdigit`` alone
    lets "²" through (int() refuses it), and int() refuses more than 4,300 digits."""
    text = text or ""
    if text.isascii() and text.isdigit() and len(text) <= 9:
        return int(text)
    return None


def _read_upload(upload) -> bytes:
    if upload.size is not None and upload.size > spec_validation.MAX_BYTES:
        return b" " * (spec_validation.MAX_BYTES + 1)
    return upload.read(spec_validation.MAX_BYTES + 1)


# --- Spec ----------------------------------------------------------------------------------------


def _spec_page(
    request, integration, *, editor=None, upload_form=None, upload_errors=(), status=200
):
    if editor is None:
        editor = SpecEditor.from_definition(
            spec_selectors.editor_definition(
                integration, from_number=_revision_number(request.GET.get("from"))
            )
        )
    review = spec_selectors.last_review(integration)
    context = {
        "integration": integration,
        "editor": editor,
        "upload_form": upload_form or SpecUploadForm(),
        "upload_errors": upload_errors,
        "revisions": spec_selectors.revisions(integration)[:50],
        "latest": spec_selectors.latest_revision(integration),
        "review": review,
        "comment_rows": _comment_rows(review),
        "can_edit": request.user.is_partner and not integration.is_live,
        "live_definition": change_service.live_definition(integration),
    }
    return render(request, "catalog/spec/spec.html", context, status=status)


def _comment_rows(revision) -> list[tuple[str, str]]:
    if revision is None or not revision.field_comments:
        return []
    words = dict(spec_service.comment_paths(revision.definition))
    return [(words.get(path, path), text) for path, text in revision.field_comments.items()]


@integration_page
@require_http_methods(["GET", "POST"])
def partner_spec(request, integration):
    if request.method == "GET":
        return _spec_page(request, integration)
    op = request.POST.get("op", "save")
    if not SpecEditor.valid_op(op):
        return HttpResponse("Unknown action.", status=400, content_type="text/plain")
    editor = SpecEditor.from_post(request.POST)
    if editor.apply(op):
        return _spec_page(request, integration, editor=editor)
    if not editor.is_valid():
        return _spec_page(request, integration, editor=editor, status=400)
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
        return _refused(
            request,
            error,
            lambda status: _spec_page(request, integration, editor=editor, status=status),
        )
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
        return _spec_page(request, integration, upload_form=form, status=400)
    definition, errors = spec_validation.load_definition(_read_upload(form.cleaned_data["file"]))
    if errors:
        status = 413 if errors[0].code == "too_large" else 422
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
        return _refused(
            request, error, lambda status: _spec_page(request, integration, status=status)
        )
    messages.success(
        request,
        f"The file is saved as draft revision {revision.number}. Check it below, then submit it.",
    )
    return redirect("partner_spec", pk=integration.pk)


@integration_page
@require_GET
def partner_spec_export(request, integration):
    number = request.GET.get("revision", "")
    if number:
        if _revision_number(number) is None:
            raise Http404("No such spec revision.")
        revision = spec_selectors.revision(integration, _revision_number(number))
        definition, suffix = revision.definition, f"-r{revision.number}"
    else:
        definition, suffix = spec_selectors.editor_definition(integration), ""
    response = HttpResponse(
        spec_validation.dumps(definition), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{integration.slug}-spec{suffix}.json"'
    return response


@integration_page
@require_GET
def partner_spec_revision(request, integration, number: int):
    revision = spec_selectors.revision(integration, number)
    previous = spec_selectors.previous_approved(integration, revision)
    return render(
        request,
        "catalog/spec/revision.html",
        {
            "integration": integration,
            "revision": revision,
            "definition": revision.definition,
            "comment_rows": _comment_rows(revision),
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
        return _refused(
            request, error, lambda status: _spec_page(request, integration, status=status)
        )
    messages.success(request, f"Revision {revision.number} is sent to staff for review.")
    return redirect("partner_spec", pk=integration.pk)


# --- Pull requests -------------------------------------------------------------------------------


def _pull_requests_page(request, integration, *, form=None, edit_forms=None, status=200):
    items = spec_selectors.with_forecasts(
        spec_selectors.pull_requests(integration, PullRequest.Kind.CODE)
    )
    edit_forms = edit_forms or {}
    for item in items:
        pr = item["pull_request"]
        item["edit_form"] = edit_forms.get(pr.pk) or PullRequestEditForm(
            prefix=f"pr{pr.pk}",
            initial={
                "description": pr.description,
                "unit_tests_added": pr.unit_tests_added,
                "tested_end_to_end": pr.tested_end_to_end,
            },
        )
    context = {
        "integration": integration,
        "items": items,
        "form": form or PullRequestForm(),
        "can_record": request.user.is_partner and integration.stage == Stage.BUILD,
        "forecast_now": pr_service.forecast_if_merged_now(),
        "freezes": spec_selectors.upcoming_freezes(),
        "time_zone": settings.PLATFORM_TIME_ZONE,
        "repository": settings.DESTINATIONS_REPOSITORY,
    }
    return render(request, "catalog/spec/pull_requests.html", context, status=status)


@integration_page
@require_http_methods(["GET", "POST"])
def partner_pull_requests(request, integration):
    if request.method == "GET":
        return _pull_requests_page(request, integration)
    form = PullRequestForm(request.POST)
    if not form.is_valid():
        return _pull_requests_page(request, integration, form=form, status=400)
    try:
        pr_service.pull_request_record(
            actor=request.user,
            integration_id=integration.pk,
            kind=PullRequest.Kind.CODE,
            **form.cleaned_data,
        )
    except ApplicationError as error:
        return _form_refused(
            request,
            form,
            error,
            lambda status: _pull_requests_page(request, integration, form=form, status=status),
        )
    messages.success(request, "Pull request recorded. Staff are notified and will review it.")
    return redirect("partner_pull_requests", pk=integration.pk)


@integration_page
@require_POST
def partner_pull_request_edit(request, integration, pr_id: int):
    pr = spec_selectors.pull_request(integration, pr_id)
    form = PullRequestEditForm(request.POST, prefix=f"pr{pr.pk}")
    if not form.is_valid():
        return _pull_requests_page(request, integration, edit_forms={pr.pk: form}, status=400)
    try:
        pr_service.pull_request_update(
            actor=request.user, pull_request_id=pr.pk, **form.cleaned_data
        )
    except ApplicationError as error:
        return _form_refused(
            request,
            form,
            error,
            lambda status: _pull_requests_page(
                request, integration, edit_forms={pr.pk: form}, status=status
            ),
        )
    messages.success(request, "Pull request details saved.")
    target = "partner_docs" if pr.kind == PullRequest.Kind.DOCS else "partner_pull_requests"
    return redirect(target, pk=integration.pk)


# --- Docs ----------------------------------------------------------------------------------------


def _docs_page(request, integration, *, form=None, status=200):
    data = spec_selectors.docs_input(integration)
    context = {
        "integration": integration,
        "markdown": docs_skeleton.render(data),
        "path": docs_skeleton.docs_path(integration.slug),
        "docs_prs": spec_selectors.pull_requests(integration, PullRequest.Kind.DOCS),
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
    if not form.is_valid():
        return _docs_page(request, integration, form=form, status=400)
    try:
        pr_service.pull_request_record(
            actor=request.user,
            integration_id=integration.pk,
            kind=PullRequest.Kind.DOCS,
            url=form.cleaned_data["url"],
            description=form.cleaned_data["description"],
        )
    except ApplicationError as error:
        return _form_refused(
            request,
            form,
            error,
            lambda status: _docs_page(request, integration, form=form, status=status),
        )
    messages.success(request, "Documentation pull request recorded.")
    return redirect("partner_docs", pk=integration.pk)


@integration_page
@require_GET
def partner_docs_download(request, integration):
    markdown = docs_skeleton.render(spec_selectors.docs_input(integration))
    response = HttpResponse(markdown, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="index.md"'
    return response


# --- Change requests -----------------------------------------------------------------------------


def _change_page(
    request, integration, *, form=None, editor=None, refusal=None, file_errors=(), status=200
):
    live = change_service.live_definition(integration)
    pending = integration.change_requests.filter(status=ChangeRequest.Status.SUBMITTED).first()
    can_file = request.user.is_partner and integration.is_live and live is not None and not pending
    if editor is None and live is not None:
        editor = SpecEditor.from_definition(live, with_identity=True)
    context = {
        "integration": integration,
        "changes": spec_selectors.change_requests(integration),
        "pending": pending,
        "can_file": can_file,
        "live": live,
        "form": form or ChangeRequestForm(),
        "editor": editor,
        "refusal": refusal,
        "file_errors": file_errors,
    }
    return render(request, "catalog/spec/change_requests.html", context, status=status)


@integration_page
@require_http_methods(["GET", "POST"])
def partner_change_requests(request, integration):
    if request.method == "GET":
        return _change_page(request, integration)
    op = request.POST.get("op", "submit")
    if not SpecEditor.valid_op(op):
        return HttpResponse("Unknown action.", status=400, content_type="text/plain")
    form = ChangeRequestForm(request.POST, request.FILES)
    editor = SpecEditor.from_post(request.POST, with_identity=True)
    if editor.apply(op):
        # A row added or removed isn't a submission: keep the links typed, without errors yet.
        links = {k: request.POST.get(k, "") for k in ("pr_url", "video_url", "summary")}
        return _change_page(
            request, integration, form=ChangeRequestForm(initial=links), editor=editor
        )
    form_ok = form.is_valid()
    upload = form.cleaned_data.get("spec_file") if form_ok else None
    definition = None
    if upload:
        definition, errors = spec_validation.load_definition(_read_upload(upload), for_submit=True)
        if errors:
            status = 413 if errors[0].code == "too_large" else 422
            return _change_page(
                request, integration, form=form, editor=editor, file_errors=errors, status=status
            )
    editor_ok = upload is not None or editor.is_valid()
    if not form_ok or not editor_ok:
        return _change_page(request, integration, form=form, editor=editor, status=400)
    if definition is None:
        definition = editor.definition()
    try:
        change = change_service.change_request_submit(
            actor=request.user,
            integration_id=integration.pk,
            definition=definition,
            pr_url=form.cleaned_data["pr_url"],
            video_url=form.cleaned_data["video_url"],
            summary=form.cleaned_data["summary"],
        )
    except spec_service.SpecInvalid as error:
        if upload:
            return _change_page(
                request,
                integration,
                form=form,
                editor=editor,
                file_errors=error.items,
                status=error.status,
            )
        editor.add_spec_errors(error.items)
        return _change_page(request, integration, form=form, editor=editor, status=error.status)
    except change_service.RulesBroken as error:
        if not upload:
            editor.add_rule_problems(error.items, form=form)
        return _change_page(
            request, integration, form=form, editor=editor, refusal=error, status=error.status
        )
    except ApplicationError as error:
        if error.status == 403:
            raise
        if error.field in form.fields:
            at_fields(form, error)
            return _change_page(request, integration, form=form, editor=editor, status=error.status)
        return _refused(
            request,
            error,
            lambda status: _change_page(
                request, integration, form=form, editor=editor, status=status
            ),
        )
    messages.success(request, "Change request submitted. Staff are notified and will review it.")
    return redirect("partner_change_request", pk=integration.pk, cr_id=change.pk)


@integration_page
@require_GET
def partner_change_request(request, integration, cr_id: int):
    change = spec_selectors.change_request(integration, cr_id)
    return render(
        request,
        "catalog/spec/change_request.html",
        {"integration": integration, "change": change, "staff_view": False},
    )


# --- Staff ---------------------------------------------------------------------------------------


@staff_page(permissions.REVIEW_SUBMISSIONS)
@require_GET
def staff_spec_queue(request):
    return render(request, "catalog/spec/staff_queue.html", spec_selectors.review_queue())


def _review_page(request, integration, revision, *, form=None, comments=None, status=200):
    previous = spec_selectors.previous_approved(integration, revision)
    paths = spec_service.comment_paths(revision.definition)
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
            "form": form or ReviewForm(),
            "comment_fields": [
                {"path": path, "words": words, "name": f"c:{path}", "value": comments.get(path, "")}
                for path, words in paths
            ],
            "comment_rows": _comment_rows(revision),
        },
        status=status,
    )


@staff_page(permissions.REVIEW_SUBMISSIONS)
@require_http_methods(["GET", "POST"])
def staff_spec_review(request, pk: int, number: int):
    integration = selectors.integration_for(user=request.user, pk=pk)
    revision = spec_selectors.revision(integration, number)
    if request.method == "GET":
        return _review_page(request, integration, revision)
    form = ReviewForm(request.POST)
    comments = {
        key[2:]: value
        for key, value in request.POST.items()
        if key.startswith("c:") and value.strip()
    }
    if not form.is_valid():
        return _review_page(
            request, integration, revision, form=form, comments=comments, status=400
        )
    approve = form.cleaned_data["decision"] == "approve"
    try:
        spec_service.spec_review(
            actor=request.user,
            revision_id=revision.pk,
            approve=approve,
            comment=form.cleaned_data["comment"],
            field_comments=comments,
        )
    except ApplicationError as error:
        if error.status == 403:
            raise
        if error.field == "comment":
            form.add_error("comment", error.message)
        else:
            messages.error(request, error.message)
        return _review_page(
            request, integration, revision, form=form, comments=comments, status=error.status
        )
    messages.success(
        request,
        f"Revision {revision.number} approved."
        if approve
        else "Changes requested; the partner is notified.",
    )
    return redirect("staff_integration", pk=integration.pk)


def _staff_prs_page(request, integration, *, forms=None, status=200):
    forms = forms or {}
    items = spec_selectors.with_forecasts(spec_selectors.pull_requests(integration))
    for item in items:
        pr = item["pull_request"]
        item["form"] = forms.get(pr.pk) or PullRequestStateForm(
            prefix=f"pr{pr.pk}", initial={"state": pr.state}
        )
    return render(
        request,
        "catalog/spec/staff_pull_requests.html",
        {
            "integration": integration,
            "items": items,
            "time_zone": settings.PLATFORM_TIME_ZONE,
            "freezes": spec_selectors.upcoming_freezes(),
        },
        status=status,
    )


@staff_page(permissions.REVIEW_SUBMISSIONS)
@require_GET
def staff_pull_requests(request, pk: int):
    integration = selectors.integration_for(user=request.user, pk=pk)
    return _staff_prs_page(request, integration)


@staff_page(permissions.REVIEW_SUBMISSIONS)
@require_POST
def staff_pull_request_state(request, pr_id: int):
    try:
        pr = PullRequest.objects.select_related("integration").get(pk=pr_id)
    except PullRequest.DoesNotExist:
        raise Http404("No such pull request.") from None
    integration = pr.integration
    form = PullRequestStateForm(request.POST, prefix=f"pr{pr.pk}")
    if not form.is_valid():
        return _staff_prs_page(request, integration, forms={pr.pk: form}, status=400)
    try:
        pr = pr_service.pull_request_set_state(
            actor=request.user, pull_request_id=pr.pk, **form.cleaned_data
        )
    except ApplicationError as error:
        return _form_refused(
            request,
            form,
            error,
            lambda status: _staff_prs_page(
                request, integration, forms={pr.pk: form}, status=status
            ),
        )
    messages.success(request, f"Pull request marked {pr.get_state_display().lower()}.")
    return redirect(reverse("staff_pull_requests", args=[integration.pk]))


@staff_page(permissions.REVIEW_SUBMISSIONS)
@require_http_methods(["GET", "POST"])
def staff_change_request(request, cr_id: int):
    change = spec_selectors.change_request_for_staff(cr_id)
    form = ChangeRequestReviewForm(request.POST or None)

    def page(status=200):
        return render(
            request,
            "catalog/spec/change_request.html",
            {
                "integration": change.integration,
                "change": change,
                "staff_view": True,
                "form": form,
                "refusal": refusal,
            },
            status=status,
        )

    refusal = None
    if request.method == "GET":
        return page()
    if not form.is_valid():
        return page(status=400)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        change = change_service.change_request_review(
            actor=request.user,
            change_request_id=change.pk,
            approve=approve,
            comment=form.cleaned_data["comment"],
        )
    except ApplicationError as error:
        if error.status == 403:
            raise
        if error.field == "comment":
            form.add_error("comment", error.message)
        refusal = error
        return page(status=error.status)
    if approve:
        messages.success(request, f"Change approved; it ships on {change.deploy_date:%A %Y-%m-%d}.")
    else:
        messages.success(request, "Change refused; the partner is notified with your reason.")
    return redirect("staff_change_request", cr_id=change.pk)
