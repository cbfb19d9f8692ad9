"""A team's own pages: a new team, its settings (name and address), archiving and restoring
it, deleting it, and the site staff's list of every team.

Who may create a team is ``KATA_TEAM_CREATORS`` (``access.may_create_team``); the rest is for
the team's administrators (other members 403, outsiders 404). Every write is a plain form post
answered with a redirect (303) and a message, so nothing needs JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boards import access
from boards.forms import submit
from boards.http import AuthenticatedHttpRequest, see_other
from boards.models import Challenge, Membership, Role, Storyboard, Team
from boards.services import teams
from boards.team_forms import NewTeamForm, TeamDeleteForm, TeamForm

STAFF_ONLY = "Only site staff see every team."
CREATORS_ONLY = (
    "Only site staff can create teams on this installation: ask one of them to create yours "
    "and make you its administrator."
)
TEAMS_PER_PAGE = 100
# A name is at most 120 characters; the address proposal reads no more than a few times that.
SUGGEST_NAME_MAX = 500


def _require_creator(request: AuthenticatedHttpRequest) -> None:
    if not access.may_create_team(request.user):
        raise PermissionDenied(CREATORS_ONLY)


@login_required
@require_http_methods(["GET", "POST"])
def team_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new team, its address shown (and editable) before it is saved; the creator runs it."""
    _require_creator(request)
    if request.method == "GET":
        return render(request, "boards/team_new.html", {"form": NewTeamForm()})
    form = NewTeamForm(request.POST)
    if form.is_valid() and not form.cleaned_data["slug"].strip():
        # Without JavaScript nobody has seen the address yet: propose it, to check and save.
        proposal = teams.unique_slug(form.cleaned_data["name"])
        data = request.POST.copy()
        data["slug"] = data["slug_auto"] = proposal
        context = {"form": NewTeamForm(data), "proposed": True}
        return render(request, "boards/team_new.html", context)
    ok, team = submit(
        form,
        lambda data: teams.team_create(name=data["name"], slug=data["slug"], by=request.user),
    )
    if not ok or team is None:
        return render(request, "boards/team_new.html", {"form": form}, status=422)
    messages.success(
        request,
        f"{team.name} is created and you are its team administrator. "
        "Next: invite the people who take part, and add the team's challenge.",
    )
    return see_other(team.get_absolute_url())


@login_required
@require_GET
def team_slug(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The address field of the new-team form, proposed from the name as it is typed (htmx).

    An address typed over the last proposal is kept as it is.
    """
    _require_creator(request)
    name = request.GET.get("name", "")[:SUGGEST_NAME_MAX]
    slug = request.GET.get("slug", "").strip()[:SUGGEST_NAME_MAX]
    auto = request.GET.get("slug_auto", "").strip()[:SUGGEST_NAME_MAX]
    if slug and slug != auto:
        initial = {"slug": slug, "slug_auto": auto}
    else:
        proposal = teams.unique_slug(name) if name.strip() else ""
        initial = {"slug": proposal, "slug_auto": proposal}
    form = NewTeamForm(initial=initial)
    return render(request, "boards/team_new.html#slug-field", {"form": form})


def _settings_url(team: Team) -> str:
    return reverse("boards:team_settings", args=[team.slug])


@login_required
@require_http_methods(["GET", "POST"])
def team_settings(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The team's name and address, and the ways to archive or delete it (administrators)."""
    writing = request.method == "POST"
    team = access.get_team_for_user(request.user, slug, admin=True, write=writing)
    if not writing:
        form = TeamForm(initial={"name": team.name, "slug": team.slug})
        return render(request, "boards/team_settings.html", {"team": team, "form": form})
    form = TeamForm(request.POST)
    ok, _ = submit(
        form,
        lambda data: teams.team_rename(
            team=team, name=data["name"], slug=data["slug"], by=request.user
        ),
    )
    if not ok:
        return render(
            request, "boards/team_settings.html", {"team": team, "form": form}, status=422
        )
    messages.success(request, f"Saved: the team is {team.name}, at /teams/{team.slug}/.")
    return see_other(_settings_url(team))


def _team_write(
    request: AuthenticatedHttpRequest, team: Team, change: Any, done: str, *, fail_url: str
) -> HttpResponse:
    """Run an archive or restore; its outcome as a message on the page it leads to."""
    try:
        change(team=team, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return see_other(fail_url)
    messages.success(request, done)
    return see_other(team.get_absolute_url())


@login_required
@require_POST
def team_archive(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    team = access.get_team_for_user(request.user, slug, admin=True)
    done = (
        f"{team.name} is archived: its storyboards are read-only and out of everyone's lists, "
        "and no coaching reminders go out. Restore it here whenever it is needed again."
    )
    return _team_write(request, team, teams.team_archive, done, fail_url=_settings_url(team))


@login_required
@require_POST
def team_restore(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    team = access.get_team_for_user(request.user, slug, admin=True)
    done = f"{team.name} is restored: its storyboards can be changed again."
    return _team_write(request, team, teams.team_restore, done, fail_url=team.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def team_delete(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """GET offers the export, says what goes and asks for the team's name; POST deletes."""
    team = access.get_team_for_user(request.user, slug, admin=True)
    form = TeamDeleteForm(request.POST if request.method == "POST" else None, team_name=team.name)
    context = {
        "team": team,
        "form": form,
        "counts": {
            "storyboards": Storyboard.objects.filter(team=team).count(),
            "challenges": Challenge.objects.filter(team=team).count(),
            "members": Membership.objects.filter(team=team).count(),
        },
    }
    if request.method == "GET":
        return render(request, "boards/team_delete.html", context)
    ok, _ = submit(
        form,
        lambda data: teams.team_delete(team=team, confirm=data["confirm"], by=request.user),
    )
    if not ok:
        return render(request, "boards/team_delete.html", context, status=422)
    messages.success(request, f"{team.name} and everything in it are deleted.")
    return see_other(reverse("home"))


def _count_per_team(model: type[Membership] | type[Storyboard], **where: Any) -> Coalesce:
    counted = (
        model._default_manager.filter(team=OuterRef("pk"), **where)
        .order_by()
        .values("team")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@login_required
@require_GET
def teams_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every team on the installation, for site staff: its size and who administers it.

    Not a way in: a staff member opens the page of a team they belong to, like anyone else.
    """
    if not request.user.is_staff:
        raise PermissionDenied(STAFF_ONLY)
    admins = Prefetch(
        "memberships",
        queryset=Membership.objects.filter(role=Role.ADMIN)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username"),
        to_attr="admins",
    )
    rows = (
        Team.objects.annotate(
            member_count=_count_per_team(Membership),
            board_count=_count_per_team(Storyboard, is_active=True),
        )
        .select_related("archived_by")
        .prefetch_related(admins)
        .order_by("name", "pk")
    )
    page = Paginator(rows, TEAMS_PER_PAGE).get_page(request.GET.get("page"))
    mine = set(Membership.objects.filter(user=request.user).values_list("team_id", flat=True))
    context = {"page": page, "mine": mine, "may_create": access.may_create_team(request.user)}
    return render(request, "boards/teams_all.html", context)
