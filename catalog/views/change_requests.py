"""Change request pages: a live integration's partner files a change to its spec (editor or
file) with its pull request; staff approve or refuse it (``catalog.review_submissions``)."""

from functools import partial

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from catalog import permissions
from catalog.errors import ApplicationError, BadRequest, Invalid
from catalog.forms.spec import ChangeRequestForm, ChangeRequestReviewForm, SpecEditor
from catalog.selectors import spec as spec_selectors
from catalog.services import change_requests as change_service
from catalog.services import spec as spec_service
from catalog.views.access import staff_page
from catalog.views.refusals import as_message, at_fields
from catalog.views.spec_pages import integration_page, load_upload

LINKS = ("pr_url", "video_url", "summary")

# --- Partner -------------------------------------------------------------------------------------


def _change_page(
    request, integration, *, form=None, editor=None, refusal=None, file_errors=(), status=200
):
    live = spec_selectors.live_definition(integration=integration)
    pending = spec_selectors.pending_change_request(integration=integration)
    can_file = request.user.is_partner and integration.is_live and live is not None and not pending
    if editor is None and live is not None:
        editor = SpecEditor.from_definition(live, with_identity=True)
    context = {
        "integration": integration,
        "changes": spec_selectors.change_requests(integration=integration),
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
        raise BadRequest("Unknown action.")
    form = ChangeRequestForm(request.POST, request.FILES)
    editor = SpecEditor.from_post(request.POST, with_identity=True)
    if editor.apply(op):
        # A row added or removed isn't a submission: keep the links typed, without errors yet.
        links = {k: request.POST.get(k, "") for k in LINKS}
        return _change_page(
            request, integration, form=ChangeRequestForm(initial=links), editor=editor
        )
    page = partial(_change_page, request, integration, form=form, editor=editor)
    form_ok = form.is_valid()
    upload = form.cleaned_data.get("spec_file") if form_ok else None
    if upload:
        definition, file_errors, status = load_upload(upload, for_submit=True)
        if file_errors:
            return page(file_errors=file_errors, status=status)
    else:
        editor_ok = editor.is_valid()
        if not form_ok or not editor_ok:
            editor.check_spec(for_submit=True)
            return page(status=editor.refusal_status)
        definition = editor.definition()
    return _submit(request, integration, form, editor, definition, from_file=bool(upload))


def _submit(request, integration, form, editor, definition, *, from_file: bool):
    page = partial(_change_page, request, integration, form=form, editor=editor)
    try:
        change = change_service.change_request_submit(
            actor=request.user,
            integration_id=integration.pk,
            definition=definition,
            **{k: form.cleaned_data[k] for k in LINKS},
        )
    except spec_service.SpecInvalid as error:
        links = {f: m for f, m in error.errors.items() if f in form.fields}
        if links:  # the links' problems, found with the spec's, beside their fields
            at_fields(form, Invalid(error.message, errors=links))
        if from_file:
            return page(file_errors=error.items, status=error.status)
        editor.add_spec_errors(error.items)
        return page(status=error.status)
    except change_service.RulesBroken as error:
        if not from_file:
            editor.add_rule_problems(error.items, form=form)
        return page(refusal=error, status=error.status)
    except Invalid as error:
        return page(status=at_fields(form, error))
    except ApplicationError as error:
        # Not in a state to file one (not live, one pending): the form is not shown any more.
        return page(status=as_message(request, error))
    messages.success(request, "Change request submitted. Staff are notified and will review it.")
    return redirect("partner_change_request", pk=integration.pk, cr_id=change.pk)


@integration_page
@require_GET
def partner_change_request(request, integration, cr_id: int):
    change = spec_selectors.change_request(integration=integration, pk=cr_id)
    return render(
        request,
        "catalog/spec/change_request.html",
        {"integration": integration, "change": change, "staff_view": False},
    )


# --- Staff ---------------------------------------------------------------------------------------


def _staff_change_page(request, change, *, form, refusal=None, status=200):
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


@staff_page(permissions.REVIEW_SUBMISSIONS)
@require_http_methods(["GET", "POST"])
def staff_change_request(request, cr_id: int):
    change = spec_selectors.change_request_for_staff(pk=cr_id)
    form = ChangeRequestReviewForm(request.POST or None)
    if request.method == "GET":
        return _staff_change_page(request, change, form=form)
    if not form.is_valid():
        return _staff_change_page(request, change, form=form, status=Invalid.status)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        change = change_service.change_request_review(
            actor=request.user,
            change_request_id=change.pk,
            approve=approve,
            comment=form.cleaned_data["comment"],
        )
    except change_service.RulesBroken as error:
        return _staff_change_page(request, change, form=form, refusal=error, status=error.status)
    except Invalid as error:
        return _staff_change_page(request, change, form=form, status=at_fields(form, error))
    except ApplicationError as error:
        # Already reviewed: the decision form no longer applies.
        return _staff_change_page(request, change, form=form, status=as_message(request, error))
    if approve:
        messages.success(request, f"Change approved; it ships on {change.deploy_date:%A %Y-%m-%d}.")
    else:
        messages.success(request, "Change refused; the partner is notified with your reason.")
    return redirect("staff_change_request", cr_id=change.pk)
