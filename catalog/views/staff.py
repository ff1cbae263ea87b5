"""Staff pipeline board, integration page, promote and roll back."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog import selectors, stages
from catalog.forms.staff import BoardSearchForm, PromoteForm, RollBackForm
from catalog.models import Stage
from catalog.services.errors import ApplicationError
from catalog.services.integrations import integration_promote, integration_roll_back
from catalog.views.accounts import forbidden, staff_required
from catalog.views.partner import history_rows

PROMOTE_PERMISSION = "catalog.promote_integration"


def _card(integration) -> dict:
    items = stages.checklist(integration)
    return {
        "integration": integration,
        "checklist": items,
        "ready": bool(items) and all(item.passed for item in items),
    }


@staff_required()
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
        "can_move": request.user.has_perm(PROMOTE_PERMISSION),
        "promote_form": PromoteForm(initial={"expected_stage": integration.stage}),
        "roll_back_form": RollBackForm(initial={"expected_stage": integration.stage}),
        "refusal": None,
    }
    context.update(forms_and_errors)
    return render(request, "catalog/staff/integration.html", context, status=status)


@staff_required()
def integration_detail(request, pk: int):
    return _render_detail(request, pk)


@staff_required(PROMOTE_PERMISSION)
@require_POST
def promote(request, pk: int):
    selectors.integration_for(user=request.user, pk=pk)
    form = PromoteForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, pk, status=400, promote_form=form)
    try:
        integration = integration_promote(
            integration_id=pk,
            actor=request.user,
            expected_stage=form.cleaned_data["expected_stage"],
            note=form.cleaned_data["note"],
        )
    except ApplicationError as error:
        if error.status == 403:
            return forbidden(request, error.message)
        return _render_detail(request, pk, status=error.status, refusal=error)
    messages.success(
        request,
        f"{integration.name} moved to {integration.get_stage_display()}. "
        "The partner's users are notified.",
    )
    return redirect("staff_integration", pk=pk)


@staff_required(PROMOTE_PERMISSION)
@require_POST
def roll_back(request, pk: int):
    selectors.integration_for(user=request.user, pk=pk)
    form = RollBackForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, pk, status=400, roll_back_form=form)
    try:
        integration = integration_roll_back(
            integration_id=pk,
            actor=request.user,
            expected_stage=form.cleaned_data["expected_stage"],
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as error:
        if error.status == 403:
            return forbidden(request, error.message)
        if error.field == "reason":
            form.add_error("reason", error.message)
            return _render_detail(request, pk, status=400, roll_back_form=form)
        return _render_detail(request, pk, status=error.status, refusal=error)
    messages.success(
        request,
        f"{integration.name} went back to {integration.get_stage_display()}. "
        "The partner's users are notified with your reason.",
    )
    return redirect("staff_integration", pk=pk)
