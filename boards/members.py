"""A team's people: the members page, roles, removal and leaving, invitations, and the export.

Team administrators write here; other members read the page (403 on writes), outsiders get
404. The invitation link itself needs no sign-in. Writes answer htmx with the updated panel and
a plain form post with a redirect (303), so everything works without JavaScript.
"""

from __future__ import annotations

import logging
from smtplib import SMTPException
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from boards import access, exchange, people_forms
from boards.forms import submit
from boards.http import AuthenticatedHttpRequest, HtmxHttpRequest, see_other
from boards.models import Invitation, Membership, Role, Storyboard, Team, User
from boards.services import invitations, teams

logger = logging.getLogger(__name__)


# The order members are listed in: who runs the team, who coaches, who learns, who reads.
ROLE_RANK = [Role.ADMIN, Role.COACH, Role.MEMBER, Role.MANAGER, Role.VIEWER]
ROLE_ORDER = Case(
    *[When(role=role, then=Value(index)) for index, role in enumerate(ROLE_RANK)],
    default=Value(len(ROLE_RANK)),
    output_field=IntegerField(),
)


def _members_context(request: AuthenticatedHttpRequest, team: Team, **extra: Any) -> dict[str, Any]:
    """Everything the members page shows: the same few queries however large the team."""
    members = list(
        Membership.objects.filter(team=team)
        .select_related("user")
        .order_by(ROLE_ORDER, "user__first_name", "user__last_name", "user__username")
    )
    mine = next((m for m in members if m.user_id == request.user.pk), None)
    is_admin = access.is_admin(request.user, team)
    pending = []
    if is_admin:
        pending = list(
            Invitation.objects.filter(team=team, accepted_at__isnull=True, revoked_at__isnull=True)
            .select_related("invited_by")
            .order_by("email")
        )
    return {
        "team": team,
        "members": members,
        "mine": mine,
        "is_admin": is_admin,
        "admin_count": sum(1 for m in members if m.role == Role.ADMIN),
        "invitations": pending,
        "roles": Role.choices,
        "invite_form": extra.pop("invite_form", None) or people_forms.InviteForm(),
        **extra,
    }


def _members_url(team: Team) -> str:
    return reverse("boards:members", args=[team.slug])


def _members_panel(
    request: AuthenticatedHttpRequest, team: Team, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = _members_context(request, team, **extra)
    if request.htmx:
        response = render(request, "boards/members.html#panel", context, status=status)
        return reswap(retarget(response, "#members-panel"), "outerHTML")
    return render(request, "boards/members.html", context, status=status)


def _members_done(
    request: AuthenticatedHttpRequest, team: Team, message: str, *, error: bool = False
) -> HttpResponse:
    """After a write: the panel with the outcome for htmx, else back to the page (303)."""
    if request.htmx:
        status = 422 if error else 200
        notice = {"text": message, "error": error}
        return _members_panel(request, team, status=status, notice=notice)
    (messages.error if error else messages.success)(request, message)
    return see_other(_members_url(team))


def _member(team: Team, membership_pk: int) -> Membership:
    membership = (
        Membership.objects.filter(pk=membership_pk, team=team).select_related("user").first()
    )
    if membership is None:
        raise Http404("No such member in this team.")
    return membership


@login_required
@require_GET
def members(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The team's members and roles; administrators also invite, change roles and remove."""
    team = access.get_team_for_user(request.user, slug)
    return _members_panel(request, team)


@login_required
@require_POST
def member_role(request: AuthenticatedHttpRequest, slug: str, membership_pk: int) -> HttpResponse:
    team = access.get_team_for_user(request.user, slug, admin=True)
    membership = _member(team, membership_pk)
    role = request.POST.get("role", "")
    try:
        teams.membership_change_role(membership=membership, role=role, by=request.user)
    except ValidationError as error:
        return _members_done(request, team, " ".join(error.messages), error=True)
    message = f"{membership.user} is now {membership.get_role_display().lower()}."
    return _members_done(request, team, message)


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: AuthenticatedHttpRequest, slug: str, membership_pk: int) -> HttpResponse:
    """GET asks for confirmation (a page, or a row in place for htmx); POST removes."""
    team = access.get_team_for_user(request.user, slug, admin=True)
    membership = _member(team, membership_pk)
    if request.method == "GET":
        boards = Storyboard.objects.filter(team=team, is_active=True).aggregate(
            learner=Count("pk", filter=Q(learner_id=membership.user_id)),
            coach=Count("pk", filter=Q(coach_id=membership.user_id)),
        )
        context = {"team": team, "membership": membership, "boards": boards}
        if request.htmx:
            return render(request, "boards/member_remove.html#confirm-row", context)
        return render(request, "boards/member_remove.html", context)
    try:
        teams.membership_remove(membership=membership, by=request.user)
    except ValidationError as error:
        return _members_done(request, team, " ".join(error.messages), error=True)
    if membership.user_id == request.user.pk:
        messages.success(request, f"You have left {team}.")
        if request.htmx:
            return HttpResponseClientRedirect(reverse("home"))
        return see_other(reverse("home"))
    return _members_done(request, team, f"{membership.user} was removed from {team}.")


@login_required
@require_http_methods(["GET", "POST"])
def team_leave(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Anyone may leave a team, unless they are its last administrator."""
    team = access.get_team_for_user(request.user, slug)
    membership = Membership.objects.filter(team=team, user=request.user).first()
    if membership is None:  # left a moment ago, in another tab
        return see_other(reverse("home"))
    if request.method == "GET":
        return render(request, "boards/team_leave.html", {"team": team, "membership": membership})
    try:
        teams.membership_remove(membership=membership, by=request.user)
    except ValidationError as error:
        context = {"team": team, "membership": membership, "error": " ".join(error.messages)}
        return render(request, "boards/team_leave.html", context, status=422)
    messages.success(request, f"You have left {team}.")
    return see_other(reverse("home"))


@login_required
@require_POST
def invitation_new(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    # ``write``: an archived team takes nobody new.
    team = access.get_team_for_user(request.user, slug, admin=True, write=True)
    form = people_forms.InviteForm(request.POST)
    try:
        ok, invitation = submit(
            form,
            lambda data: invitations.invitation_create(
                team=team, email=data["email"], role=data["role"], by=request.user
            ),
        )
    except (SMTPException, OSError):
        logger.exception("Could not send the invitation email")
        message = (
            f"The invitation to {form.cleaned_data['email']} is saved, but the email could "
            "not be sent. Revoke it and invite again once email works."
        )
        return _members_done(request, team, message, error=True)
    if not ok or invitation is None:
        return _members_panel(request, team, status=422, invite_form=form)
    message = (
        f"Invitation sent to {invitation.email} as {invitation.get_role_display()}. "
        f"The link works for {settings.KATA_INVITATION_DAYS} days."
    )
    return _members_done(request, team, message)


@login_required
@require_POST
def invitation_revoke(
    request: AuthenticatedHttpRequest, slug: str, invitation_pk: int
) -> HttpResponse:
    team = access.get_team_for_user(request.user, slug, admin=True)
    invitation = Invitation.objects.filter(pk=invitation_pk, team=team).first()
    if invitation is None:
        raise Http404("No such invitation.")
    try:
        invitations.invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as error:
        return _members_done(request, team, " ".join(error.messages), error=True)
    return _members_done(request, team, f"The invitation to {invitation.email} was revoked.")


@require_http_methods(["GET", "POST"])
def invitation(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The link from an invitation email: no sign-in needed to open it."""
    found = invitations.invitation_for_token(token)
    unavailable = "boards/invitation_unavailable.html"
    if found is None:
        return render(request, unavailable, {"reason": "unknown"}, status=404)
    if found.state != Invitation.State.PENDING:
        return render(
            request, unavailable, {"invitation": found, "reason": found.state}, status=410
        )
    user = request.user if isinstance(request.user, User) else None
    context: dict[str, Any] = {"invitation": found, "team": found.team}
    if user is not None:
        context["email_matches"] = (user.email or "").lower() == found.email
        if request.method == "GET":
            return render(request, "boards/invitation.html", context)
        if not context["email_matches"]:
            return render(request, "boards/invitation.html", context, status=403)
        try:
            invitations.invitation_accept(token=token, user=user)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
            return render(request, "boards/invitation.html", context, status=422)
        messages.success(request, f"Welcome to {found.team}.")
        return see_other(found.team.get_absolute_url())
    context["has_account"] = User.objects.filter(email__iexact=found.email).exists()
    form = people_forms.AcceptInvitationForm(request.POST if request.method == "POST" else None)
    context["form"] = form
    if request.method == "GET":
        return render(request, "boards/invitation.html", context)
    if context["has_account"]:  # they sign in first, then join as themselves
        return render(request, "boards/invitation.html", context, status=409)
    ok, membership = submit(form, lambda data: _accept_as_new_user(token, data))
    if not ok or membership is None:
        return render(request, "boards/invitation.html", context, status=422)
    login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, f"Welcome to {found.team}, {membership.user.first_name}.")
    return see_other(found.team.get_absolute_url())


def _accept_as_new_user(token: str, data: dict[str, Any]) -> Membership:
    try:
        return invitations.invitation_accept(
            token=token,
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            password=data["password1"],
        )
    except ValidationError as error:
        # The service names the password "password"; the form asks for it as "password1".
        if hasattr(error, "error_dict") and "password" in error.error_dict:
            error.error_dict["password1"] = error.error_dict.pop("password")
        raise


# Export ----------------------------------------------------------------------------------------


@login_required
@require_GET
def team_export(request: AuthenticatedHttpRequest, slug: str) -> FileResponse:
    """The team's full data as one JSON document, for its administrators only."""
    team = access.get_team_for_user(request.user, slug, admin=True)
    document = exchange.export_to_file(team)
    filename = f"kata-{team.slug}-{timezone.localdate():%Y-%m-%d}.json"
    response = FileResponse(
        document, content_type="application/json", as_attachment=True, filename=filename
    )
    response["Cache-Control"] = "no-store"
    return response
