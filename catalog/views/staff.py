"""Staff pipeline board, integration page, promote and roll back."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog import permissions, selectors, stages
from catalog.errors import PAGE_KINDS, ApplicationError, Invalid
from catalog.forms.staff import BoardSearchForm, PromoteForm, RollBackForm
from catalog.models import Stage
from catalog.selectors import metadata as metadata_reads
from catalog.selectors import spec as spec_selectors
from catalog.services.integrations import integration_promote, integration_roll_back
from catalog.views.access import staff_page
from catalog.views.partner import history_rows
from catalog.views.refusals import at_fields


def _card(integration) -> dict:
    items = stages.checklist(integration)
    return {
        "integration": integration,
        "checklist": items,
        "ready": bool(items) and all(item.passed for item in items),
    }


@staff_page()
def board(request):
    form = BoardSearchForm(request.GET or None)
    search = form.cleaned_data["q"].strip() if form.is_valid() else ""
    columns = {value: [] for value in Stage.values}
    for integration in selectors.pipeline(search=search):
        columns[integration.stage].append(_card(integration))
    return render(
        request,
        "catalog/staff/board.html",
        {
            "form": form,
            "search": search,
            "columns": [
                {
                    "stage": value,
                    "label": Stage(value).label,
                    "cards": cards,
                    "ready_count": sum(1 for card in cards if card["ready"]),
                }
                for value, cards in columns.items()
            ],
            "total": sum(len(cards) for cards in columns.values()),
        },
    )


def _render_detail(request, pk: int, *, status: int = 200, **forms_and_errors):
    integration = selectors.integration_for(user=request.user, pk=pk)
    items = stages.checklist(integration)
    context = {
        "integration": integration,
        "progress": stages.progress(integration),
        "checklist": items,
        "ready": bool(items) and all(item.passed for item in items),
        "next_stage": stages.NEXT.get(integration.stage),
        "previous_stage": stages.PREVIOUS.get(integration.stage),
        "history": history_rows(selectors.integration_history(integration=integration)),
        "metadata_panel": metadata_reads.panel(integration=integration),
        "can_move": request.user.has_perm(permissions.PROMOTE_INTEGRATION),
        "promote_form": PromoteForm(initial={"expected_stage": integration.stage}),
        "roll_back_form": RollBackForm(initial={"expected_stage": integration.stage}),
        "refusal": None,
        "spec_panel": spec_selectors.panel(integration=integration),
    }
    context.update(forms_and_errors)
    return render(request, "catalog/staff/integration.html", context, status=status)


def _refusal_status(error: ApplicationError) -> int:
    """The page shows a refused move in its own panel (with the failing gate items)."""
    if isinstance(error, PAGE_KINDS):
        raise error
    return error.status


@staff_page()
def integration_detail(request, pk: int):
    return _render_detail(request, pk)


@staff_page(permissions.PROMOTE_INTEGRATION)
@require_POST
def promote(request, pk: int):
    selectors.integration_for(user=request.user, pk=pk)
    form = PromoteForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, pk, status=Invalid.status, promote_form=form)
    try:
        integration = integration_promote(
            integration_id=pk,
            actor=request.user,
            expected_stage=form.cleaned_data["expected_stage"],
            note=form.cleaned_data["note"],
        )
    except ApplicationError as error:
        return _render_detail(request, pk, status=_refusal_status(error), refusal=error)
    messages.success(
        request,
        f"{integration.name} moved to {integration.get_stage_display()}. "
        "The partner's users are notified.",
    )
    return redirect("staff_integration", pk=pk)


@staff_page(permissions.PROMOTE_INTEGRATION)
@require_POST
def roll_back(request, pk: int):
    selectors.integration_for(user=request.user, pk=pk)
    form = RollBackForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, pk, status=Invalid.status, roll_back_form=form)
    try:
        integration = integration_roll_back(
            integration_id=pk,
            actor=request.user,
            expected_stage=form.cleaned_data["expected_stage"],
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as error:
        if error.field == "reason":
            status = at_fields(form, error)
            return _render_detail(request, pk, status=status, roll_back_form=form)
        return _render_detail(request, pk, status=_refusal_status(error), refusal=error)
    messages.success(
        request,
        f"{integration.name} went back to {integration.get_stage_display()}. "
        "The partner's users are notified with your reason.",
    )
    return redirect("staff_integration", pk=pk)
