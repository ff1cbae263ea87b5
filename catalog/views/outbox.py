"""The staff outbox page (filter, retry) and a user's email preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from catalog import permissions
from catalog.errors import PAGE_KINDS, ApplicationError, Invalid
from catalog.forms.outbox import NotificationPreferencesForm, OutboxFilterForm
from catalog.notifications import Kind
from catalog.selectors import outbox as outbox_selectors
from catalog.services import outbox as outbox_service
from catalog.views.access import staff_page
from catalog.views.refusals import at_fields

PAGE_SIZE = 50


def _outbox_page(request, *, refusal: ApplicationError | None = None, status: int = 200):
    form = OutboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    messages_qs = outbox_selectors.outbox_messages(
        status=filters.get("status") or "",
        integration_id=filters.get("integration"),
        search=filters.get("q") or "",
    )
    page = Paginator(messages_qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalog/outbox/staff_list.html",
        {
            "form": form,
            "page": page,
            "counts": outbox_selectors.outbox_counts(),
            "current_status": filters.get("status") or "",
            "query": query.urlencode(),
            "can_retry": request.user.has_perm(permissions.RETRY_OUTBOX),
            "refusal": refusal,
        },
        status=status,
    )


@staff_page(permissions.VIEW_OUTBOX)
def staff_outbox(request):
    return _outbox_page(request)


@require_POST
@staff_page(permissions.VIEW_OUTBOX)
def staff_outbox_retry(request, pk: int):
    try:
        message = outbox_service.outbox_retry(message_id=pk, actor=request.user)
    except ApplicationError as error:
        if isinstance(error, PAGE_KINDS):
            raise
        return _outbox_page(request, refusal=error, status=error.status)
    messages.success(request, f"The message to {message.recipient} is queued again.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "staff_outbox"
    return redirect(target)


@login_required
def email_preferences(request):
    user = request.user
    form = NotificationPreferencesForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                outbox_service.email_preferences_update(
                    actor=user, receive=form.cleaned_data["receive"]
                )
            except ApplicationError as error:
                at_fields(form, error)
            else:
                messages.success(request, "Your email choices are saved.")
                return redirect("partner_notifications")
        status = Invalid.status
    return render(
        request,
        "catalog/outbox/preferences.html",
        {"form": form, "has_choices": bool(Kind.optional_for(user))},
        status=status,
    )
