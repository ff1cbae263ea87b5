"""The API tokens page (owners): create a token (shown once), list, revoke.

Creating redirects to the page (post/redirect/get), so reloading never makes a second token; the
new token travels to that one page view in the session and is removed as it is shown.
"""

from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from catalog.errors import ApplicationError, Forbidden
from catalog.forms.api_tokens import ApiTokenForm
from catalog.selectors import api as api_selectors
from catalog.services import api_tokens as service
from catalog.views.access import partner_page
from catalog.views.refusals import at_fields

NEW_TOKEN_KEY = "new_api_token"


def owner_page(view):
    """A partner user who is an owner (members, staff: 403)."""

    @partner_page
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_partner_owner:
            raise Forbidden(service.OWNERS_ONLY)
        return view(request, *args, **kwargs)

    return wrapper


@owner_page
@require_http_methods(["GET", "POST"])
@never_cache
def api_tokens(request):
    form = ApiTokenForm()
    status = 200
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        status = 422
        if form.is_valid():
            try:
                token, raw = service.api_token_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    days=form.cleaned_data["days"],
                )
            except ApplicationError as error:
                status = at_fields(form, error)
            else:
                request.session[NEW_TOKEN_KEY] = {"id": token.pk, "token": raw}
                return redirect("partner_api_tokens")
    new_token = request.session.pop(NEW_TOKEN_KEY, None) if request.method == "GET" else None
    return render(
        request,
        "catalog/partner/api_tokens.html",
        {
            "form": form,
            "tokens": api_selectors.api_tokens(user=request.user)[:100],
            "new_token": new_token,
        },
        status=status,
    )


@owner_page
@require_POST
def api_token_revoke(request, token_id: int):
    token = service.api_token_revoke(actor=request.user, token_id=token_id)
    messages.success(request, f"The token “{token.name}” is revoked; requests with it now fail.")
    return redirect("partner_api_tokens")
