"""The team page (owners), its actions, joining through an invitation, and leaving."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from catalog import stages
from catalog.client import client_ip
from catalog.errors import ApplicationError, Invalid
from catalog.forms.team import InviteForm, JoinSignUpForm, RoleForm
from catalog.models import User
from catalog.selectors import team as team_reads
from catalog.services import team
from catalog.views.access import owner_page, partner_page
from catalog.views.refusals import as_message, at_fields, refusal_page

JOIN_TEMPLATE = "catalog/team/join_refused.html"


def _team_page(request, *, invite_form=None, status: int = 200):
    partner = request.user.partner
    return render(
        request,
        "catalog/team/team.html",
        {
            "partner": partner,
            "members": team_reads.team_members(partner_id=partner.pk),
            "invites": team_reads.open_invites(partner_id=partner.pk),
            "invite_form": invite_form or InviteForm(),
            "roles": User.PartnerRole.choices,
        },
        status=status,
    )


@owner_page
def team_page(request):
    return _team_page(request)


@require_POST
@owner_page
def team_invite(request):
    form = InviteForm(request.POST)
    status = Invalid.status
    if form.is_valid():
        try:
            invite = team.team_invite(
                actor=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ApplicationError as error:
            status = at_fields(form, error)
        else:
            messages.success(request, f"Invitation sent to {invite.email}.")
            return redirect("team")
    return _team_page(request, invite_form=form, status=status)


def _action(request, done: str, call):
    """One button: call the service, say what happened, back to the team page."""
    try:
        call()
    except ApplicationError as error:
        status = as_message(request, error)
        return _team_page(request, status=status)
    messages.success(request, done)
    return redirect("team")


@require_POST
@owner_page
def team_invite_resend(request, pk: int):
    return _action(
        request,
        "A new invitation link is on its way; the previous one no longer works.",
        lambda: team.team_invite_resend(actor=request.user, invite_id=pk),
    )


@require_POST
@owner_page
def team_invite_revoke(request, pk: int):
    return _action(
        request,
        "Invitation revoked: its link no longer works.",
        lambda: team.team_invite_revoke(actor=request.user, invite_id=pk),
    )


@require_POST
@owner_page
def team_role(request, pk: int):
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role: owner or member.")
        return _team_page(request, status=Invalid.status)
    return _action(
        request,
        "Role changed.",
        lambda: team.team_role_change(
            actor=request.user, user_id=pk, role=form.cleaned_data["role"]
        ),
    )


@require_POST
@owner_page
def team_remove(request, pk: int):
    return _action(
        request,
        "Removed from your team. Their sessions have ended.",
        lambda: team.team_member_remove(actor=request.user, user_id=pk),
    )


@require_POST
@owner_page
def team_transfer(request, pk: int):
    try:
        member = team.team_ownership_transfer(actor=request.user, user_id=pk)
    except ApplicationError as error:
        return _team_page(request, status=as_message(request, error))
    messages.success(request, f"{member.email} is now an owner; you are a member.")
    return redirect("partner_dashboard")


@require_POST
@partner_page
def team_leave(request):
    try:
        team.team_leave(actor=request.user)
    except ApplicationError as error:
        as_message(request, error)
        return redirect("partner_profile")
    logout(request)
    messages.info(request, "You left the company's team.")
    return redirect("login")


@sensitive_post_parameters("password", "password_confirm")
@never_cache
def team_join(request, token: str):
    """An invitation link: sign up through it, or log in and accept it."""
    try:
        invite = team.invite_for_token(token)
    except ApplicationError as error:
        return refusal_page(request, error, template=JOIN_TEMPLATE)
    user = request.user
    context = {"invite": invite, "role_label": team.ROLES[invite.role]}
    if user.is_authenticated:
        if request.method == "POST":
            try:
                team.team_invite_accept(token=token, user=user, ip_address=client_ip(request))
            except ApplicationError as error:
                return refusal_page(request, error, template=JOIN_TEMPLATE)
            messages.success(request, f"Welcome to {invite.partner.name}'s team.")
            return redirect("partner_dashboard")
        return render(request, "catalog/team/join.html", context)
    if User.objects.filter(email=invite.email).exists():
        return render(request, "catalog/team/join.html", {**context, "has_account": True})
    form = JoinSignUpForm(
        request.POST or None, agreements=stages.current_agreements(), invite_email=invite.email
    )
    status = 200
    if request.method == "POST":
        status = Invalid.status
        if form.is_valid():
            try:
                new_user = team.team_invite_sign_up(
                    token=token,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password"],
                    accepted_kinds=form.accepted_kinds,
                    ip_address=client_ip(request),
                )
            except ApplicationError as error:
                try:
                    status = at_fields(form, error)
                except ApplicationError as page_error:
                    return refusal_page(request, page_error, template=JOIN_TEMPLATE)
            else:
                login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Welcome to {invite.partner.name}'s team.")
                return redirect("partner_dashboard")
    return render(request, "catalog/team/join.html", {**context, "form": form}, status=status)
