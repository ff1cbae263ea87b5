"""Pull request pages: the partner records code pull requests and edits their details; staff
set their state (``catalog.review_submissions``). Each shows the release train's forecast."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog import permissions, selectors
from catalog.errors import ApplicationError, Invalid
from catalog.forms.spec import (
    EmergencyDeployForm,
    PullRequestEditForm,
    PullRequestForm,
    PullRequestStateForm,
)
from catalog.models import PullRequest, Stage
from catalog.selectors import spec as spec_selectors
from catalog.services import deploys
from catalog.services import pull_requests as pr_service
from catalog.views.access import staff_page
from catalog.views.refusals import at_fields
from catalog.views.spec_pages import integration_page

# --- Partner -------------------------------------------------------------------------------------


def _edit_form(pr: PullRequest) -> PullRequestEditForm:
    return PullRequestEditForm(
        prefix=f"pr{pr.pk}",
        initial={
            "description": pr.description,
            "unit_tests_added": pr.unit_tests_added,
            "tested_end_to_end": pr.tested_end_to_end,
        },
    )


def _pull_requests_page(request, integration, *, form=None, edit_forms=None, status=200):
    items = spec_selectors.with_forecasts(
        pull_requests=spec_selectors.pull_requests(
            integration=integration, kind=PullRequest.Kind.CODE
        )
    )
    edit_forms = edit_forms or {}
    for item in items:
        pr = item["pull_request"]
        item["edit_form"] = edit_forms.get(pr.pk) or _edit_form(pr)
    context = {
        "integration": integration,
        "items": items,
        "form": form or PullRequestForm(),
        "can_record": request.user.is_partner and integration.stage == Stage.BUILD,
        "forecast_now": spec_selectors.forecast_if_merged_now(),
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
        return _pull_requests_page(request, integration, form=form, status=Invalid.status)
    try:
        pr_service.pull_request_record(
            actor=request.user,
            integration_id=integration.pk,
            kind=PullRequest.Kind.CODE,
            **form.cleaned_data,
        )
    except ApplicationError as error:
        status = at_fields(form, error)
        return _pull_requests_page(request, integration, form=form, status=status)
    messages.success(request, "Pull request recorded. Staff are notified and will review it.")
    return redirect("partner_pull_requests", pk=integration.pk)


@integration_page
@require_POST
def partner_pull_request_edit(request, integration, pr_id: int):
    pr = spec_selectors.pull_request(integration=integration, pk=pr_id)
    form = PullRequestEditForm(request.POST, prefix=f"pr{pr.pk}")
    status = Invalid.status
    if form.is_valid():
        try:
            pr_service.pull_request_update(
                actor=request.user, pull_request_id=pr.pk, **form.cleaned_data
            )
        except ApplicationError as error:
            status = at_fields(form, error)
        else:
            messages.success(request, "Pull request details saved.")
            target = "partner_docs" if pr.kind == PullRequest.Kind.DOCS else "partner_pull_requests"
            return redirect(target, pk=integration.pk)
    return _pull_requests_page(request, integration, edit_forms={pr.pk: form}, status=status)


# --- Staff ---------------------------------------------------------------------------------------


def _staff_prs_page(request, integration, *, forms=None, deploy_forms=None, status=200):
    forms = forms or {}
    deploy_forms = deploy_forms or {}
    items = spec_selectors.with_forecasts(
        pull_requests=spec_selectors.pull_requests(integration=integration)
    )
    for item in items:
        pr = item["pull_request"]
        item["form"] = forms.get(pr.pk) or PullRequestStateForm(
            prefix=f"pr{pr.pk}", initial={"state": pr.state}
        )
        item["deploy_form"] = deploy_forms.get(pr.pk) or EmergencyDeployForm(
            prefix=f"deploy{pr.pk}"
        )
    return render(
        request,
        "catalog/spec/staff_pull_requests.html",
        {
            "integration": integration,
            "items": items,
            "time_zone": settings.PLATFORM_TIME_ZONE,
            "freezes": spec_selectors.upcoming_freezes(),
            "can_deploy": request.user.has_perm(permissions.RECORD_EMERGENCY_DEPLOY),
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
    pr = spec_selectors.pull_request_for_staff(pk=pr_id)
    integration = pr.integration
    form = PullRequestStateForm(request.POST, prefix=f"pr{pr.pk}")
    status = Invalid.status
    if form.is_valid():
        try:
            pr = pr_service.pull_request_set_state(
                actor=request.user, pull_request_id=pr.pk, **form.cleaned_data
            )
        except ApplicationError as error:
            status = at_fields(form, error)
        else:
            messages.success(request, f"Pull request marked {pr.get_state_display().lower()}.")
            return redirect(reverse("staff_pull_requests", args=[integration.pk]))
    return _staff_prs_page(request, integration, forms={pr.pk: form}, status=status)


@staff_page(permissions.RECORD_EMERGENCY_DEPLOY)
@require_POST
def staff_pull_request_deploy(request, pr_id: int):
    """Record an emergency deploy (outside the Wednesday train) with its reason."""
    pr = spec_selectors.pull_request_for_staff(pk=pr_id)
    integration = pr.integration
    form = EmergencyDeployForm(request.POST, prefix=f"deploy{pr.pk}")
    status = Invalid.status
    if form.is_valid():
        try:
            deploys.pull_request_emergency_deploy(
                actor=request.user, pull_request_id=pr.pk, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            status = at_fields(form, error)
        else:
            messages.success(request, "Emergency deploy recorded. The partner is told.")
            return redirect(reverse("staff_pull_requests", args=[integration.pk]))
    return _staff_prs_page(request, integration, deploy_forms={pr.pk: form}, status=status)
