"""Staff inbox ("Needs you"), pipeline board, integration page, promote and roll back."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog import permissions, selectors, stages
from catalog.ball import WaitingOn
from catalog.errors import PAGE_KINDS, ApplicationError, Invalid
from catalog.forms.staff import BoardSearchForm, PromoteForm, RollBackForm
from catalog.models import Integration, Stage
from catalog.selectors import ball as ball_reads
from catalog.selectors import metadata as metadata_reads
from catalog.selectors import spec as spec_selectors
from catalog.services.integrations import (
    integration_graduate,
    integration_promote,
    integration_roll_back,
)
from catalog.views.access import staff_page
from catalog.views.partner import history_rows
from catalog.views.refusals import as_message, at_fields

COLUMN_LIMIT = 20  # cards per column on the full board; "show all" opens the column alone
PAGE_SIZE = 50  # cards per page of one column


def _filters(form) -> ball_reads.BoardFilters:
    if not form.is_valid():
        return ball_reads.BoardFilters()
    data = form.cleaned_data
    return ball_reads.BoardFilters(
        search=data["q"].strip(),
        waiting_on=data["waiting_on"],
        stage=data["stage"],
        partner_id=data["partner"],
        overdue=data["overdue"],
        stalled_days=data["stalled"],
    )


def _query(form, **changes) -> str:
    """The board's query string with ``changes`` (to link a column or a page)."""
    params = {k: v for k, v in (form.data.items() if form.is_bound else []) if v and k != "page"}
    params.update({k: v for k, v in changes.items() if v})
    return urlencode(params)


def _card(row: ball_reads.Row) -> dict:
    return {
        "integration": row.integration,
        "checklist": row.checklist,
        "ready": row.ready,
        "ball": row.ball,
    }


@staff_page()
def board(request):
    form = BoardSearchForm(request.GET or None, partners=ball_reads.partners_in_flight())
    filters = _filters(form)
    rows = ball_reads.board_rows(filters=filters)
    by_stage = {value: [] for value in Stage.values}
    for row in rows:
        by_stage[row.integration.stage].append(row)
    page = None
    if filters.stage:
        page = Paginator(by_stage[filters.stage], PAGE_SIZE).get_page(request.GET.get("page"))
    columns = []
    for value, stage_rows in by_stage.items():
        if filters.stage and value != filters.stage:
            continue
        shown = list(page.object_list) if page is not None else stage_rows[:COLUMN_LIMIT]
        columns.append(
            {
                "stage": value,
                "label": Stage(value).label,
                "cards": [_card(row) for row in shown],
                "count": len(stage_rows),
                "hidden": len(stage_rows) - len(shown) if page is None else 0,
                "show_all": _query(form, stage=value),
                "ready_count": sum(1 for row in stage_rows if row.ready),
            }
        )
    waiting = {key: 0 for key in WaitingOn.VALUES}
    for row in rows:
        if row.ball.waiting_on:
            waiting[row.ball.waiting_on] += 1
    return render(
        request,
        "catalog/staff/board.html",
        {
            "form": form,
            "filters": filters,
            "filtered": filters != ball_reads.BoardFilters(),
            "columns": columns,
            "page": page,
            "previous_query": _query(form, page=page.previous_page_number())
            if page is not None and page.has_previous()
            else "",
            "next_query": _query(form, page=page.next_page_number())
            if page is not None and page.has_next()
            else "",
            "total": len(rows),
            "waiting": [(key, WaitingOn.LABELS[key], n) for key, n in waiting.items()],
            "overdue_count": sum(1 for row in rows if row.ball.overdue),
        },
    )


@staff_page()
def inbox(request):
    """“Needs you”: every item waiting on staff, oldest first, with its due time."""
    entries = ball_reads.inbox()
    return render(
        request,
        "catalog/staff/inbox.html",
        {
            "entries": entries,
            "overdue_count": sum(1 for entry in entries if entry.item.overdue),
            "review_days": settings.STAFF_REVIEW_BUSINESS_DAYS,
            "time_zone": settings.PLATFORM_TIME_ZONE,
        },
    )


def _render_detail(request, pk: int, *, status: int = 200, **forms_and_errors):
    integration = selectors.integration_for(user=request.user, pk=pk)
    row = ball_reads.rows_for(Integration.objects.filter(pk=integration.pk))[0]
    items = list(row.checklist)
    context = {
        "ball": row.ball,
        "integration": integration,
        "progress": stages.progress(integration),
        "checklist": items,
        "ready": bool(items) and all(item.passed for item in items),
        "next_stage": stages.NEXT.get(integration.stage),
        "previous_stage": stages.PREVIOUS.get(integration.stage),
        "history": history_rows(selectors.integration_history(integration=integration)),
        "metadata_panel": metadata_reads.panel(integration=integration),
        "can_move": request.user.has_perm(permissions.PROMOTE_INTEGRATION),
        "can_graduate": request.user.has_perm(permissions.GRADUATE_LISTING),
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


@staff_page(permissions.GRADUATE_LISTING)
@require_POST
def graduate(request, pk: int):
    """Public beta → public (the catalog drops the "Beta" badge)."""
    selectors.integration_for(user=request.user, pk=pk)
    try:
        integration = integration_graduate(integration_id=pk, actor=request.user)
    except ApplicationError as error:
        return _render_detail(request, pk, status=as_message(request, error))
    messages.success(request, f"{integration.name} is listed as public; the Beta badge is gone.")
    return redirect("staff_integration", pk=pk)
