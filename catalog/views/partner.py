"""The partner's dashboard, company profile, integration registration and integration page."""

from django.contrib import messages
from django.shortcuts import redirect, render

from catalog import selectors, stages
from catalog.client import client_ip
from catalog.errors import ApplicationError, Invalid
from catalog.forms.partner import IntegrationForm, ProfileForm
from catalog.models import Integration
from catalog.selectors import ball as ball_reads
from catalog.selectors import metadata as metadata_reads
from catalog.selectors import spec as spec_selectors
from catalog.services import accounts
from catalog.services.integrations import integration_register
from catalog.views.access import integration_page, partner_page
from catalog.views.refusals import at_fields


def action_label(action: str) -> str:
    """``catalog.pull_request.state_changed`` → ``Pull request state changed``."""
    words = action.removeprefix("catalog.").replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def history_rows(entries) -> list:
    rows = list(entries)
    for entry in rows:
        entry.label = action_label(entry.action)
    return rows


def _row(row: ball_reads.Row) -> dict:
    integration = row.integration
    return {
        "integration": integration,
        "progress": stages.progress(integration),
        "checklist": list(row.checklist),
        "ball": row.ball,
        "next_stage": stages.NEXT.get(integration.stage),
        "missing_count": sum(1 for item in row.checklist if item.partner_to_act),
        "ready": row.ready,
    }


@partner_page
def dashboard(request):
    # Withdrawn and archived ones come in the same reads and are listed apart.
    integrations = selectors.integrations_for(user=request.user).order_by("name")
    every = ball_reads.rows_for(integrations)
    rows = [_row(row) for row in every if row.integration.is_active]
    return render(
        request,
        "catalog/partner/dashboard.html",
        {
            "rows": rows,
            "partner": request.user.partner,
            "withdrawn": [row.integration for row in every if not row.integration.is_active],
        },
    )


@partner_page
def profile(request):
    user = request.user
    partner = user.partner
    form_kwargs = {
        "partner": partner,
        "can_edit_company": user.is_partner_owner,
        "missing": accounts.missing_agreements(partner=partner),
    }
    if request.method == "POST":
        form = ProfileForm(request.POST, **form_kwargs)
        status = Invalid.status
        if form.is_valid():
            try:
                result = accounts.partner_profile_update(
                    actor=user,
                    name=form.cleaned_data["name"] if user.is_partner_owner else None,
                    website=form.cleaned_data["website"] if user.is_partner_owner else None,
                    accepted_kinds=form.accepted_kinds,
                    ip_address=client_ip(request),
                )
            except ApplicationError as error:
                status = at_fields(form, error)
            else:
                if result.changed_fields or result.accepted:
                    messages.success(request, "Company profile saved.")
                else:
                    messages.info(request, "Nothing changed.")
                return redirect("partner_profile")
        return render(
            request, "catalog/partner/profile.html", _profile_context(user, form), status=status
        )
    form = ProfileForm(**form_kwargs)
    return render(request, "catalog/partner/profile.html", _profile_context(user, form))


def _profile_context(user, form) -> dict:
    return {
        "form": form,
        "partner": user.partner,
        "acceptances": user.partner.acceptances.select_related("agreement", "user").order_by(
            "agreement__kind", "-accepted_at"
        ),
        "current": stages.current_agreements(),
    }


@partner_page
def integration_create(request):
    form = IntegrationForm(request.POST or None)
    if request.method == "POST":
        status = Invalid.status
        if form.is_valid():
            try:
                integration = integration_register(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    mode=form.cleaned_data["mode"],
                )
            except ApplicationError as error:
                status = at_fields(form, error)
            else:
                messages.success(
                    request,
                    f"{integration.name} is registered. Here is what comes next.",
                )
                return redirect("partner_integration", pk=integration.pk)
        return render(
            request, "catalog/partner/integration_form.html", {"form": form}, status=status
        )
    return render(request, "catalog/partner/integration_form.html", {"form": form})


@integration_page(partner_writes="This page only shows the integration.")
def integration_detail(request, integration):
    """The partner's view of one integration; staff with the view permission see it too."""
    context = _row(ball_reads.rows_for(Integration.objects.filter(pk=integration.pk))[0])
    context["history"] = history_rows(selectors.integration_history(integration=integration)[:100])
    context["spec_panel"] = spec_selectors.panel(integration=integration)
    context["metadata_panel"] = metadata_reads.panel(integration=integration)
    return render(request, "catalog/partner/integration.html", context)
