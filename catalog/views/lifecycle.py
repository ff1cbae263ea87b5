"""Withdraw (partner owner), archive and restore (staff) an integration."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog import permissions, selectors
from catalog.errors import ApplicationError
from catalog.services import lifecycle
from catalog.views.access import integration_page, staff_page
from catalog.views.refusals import as_message


@require_POST
@integration_page(partner_writes="Staff archive integrations from the staff page.")
def withdraw(request, integration):
    try:
        lifecycle.integration_withdraw(
            integration_id=integration.pk,
            actor=request.user,
            note=request.POST.get("note", "")[:2000],
        )
    except ApplicationError as error:
        as_message(request, error)
        return redirect("partner_integration", pk=integration.pk)
    messages.success(
        request,
        f"{integration.name} is withdrawn: it is off your active list and the platform's "
        "board. Its history stays; ask the platform team if you want it back.",
    )
    return redirect("partner_dashboard")


def _staff_move(request, pk: int, call, done: str):
    try:
        integration = call(integration_id=pk, actor=request.user)
    except ApplicationError as error:
        as_message(request, error)
    else:
        messages.success(request, done.format(name=integration.name))
    return redirect("staff_integration", pk=pk)


@require_POST
@staff_page(permissions.ARCHIVE_INTEGRATION)
def archive(request, pk: int):
    return _staff_move(
        request, pk, lifecycle.integration_archive, "{name} is archived and off the board."
    )


@require_POST
@staff_page(permissions.RESTORE_INTEGRATION)
def restore(request, pk: int):
    return _staff_move(
        request, pk, lifecycle.integration_restore, "{name} is restored to the board."
    )


@staff_page()
def retired(request):
    return render(
        request,
        "catalog/staff/retired.html",
        {"integrations": selectors.retired_integrations(user=request.user)},
    )
