"""Reading a team and its boards: the team page, the board and its sections, the live poll,
the activity log and a past target condition."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_htmx.http import trigger_client_event

from boards import access, live
from boards.board import SECTIONS
from boards.http import AuthenticatedHttpRequest
from boards.models import Activity, Membership, Storyboard, TargetCondition
from boards.sections import render_sections
from boards.views.base import board_for, render_section

# The print (A3) page is the storyboard alone, without its history and activity log.
PRINT_LEAVES_OUT = {"history", "activity"}


@login_required
@require_GET
def team(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    team = access.get_team_for_user(request.user, slug)
    storyboards = (
        Storyboard.objects.filter(team=team, is_active=True)
        .select_related("challenge", "learner", "coach")
        .prefetch_related(
            Prefetch(
                "target_conditions",
                queryset=TargetCondition.objects.active(),
                to_attr="active_targets",
            )
        )
        .annotate(experiment_count=Count("target_conditions__experiments"))
    )
    members = Membership.objects.filter(team=team).select_related("user").order_by("role")
    challenges = team.challenges.annotate(
        storyboard_count=Count("storyboards", filter=Q(storyboards__is_active=True))
    )
    context = {
        "team": team,
        "challenges": challenges.current(),
        "storyboards": storyboards,
        "members": members,
        "role": access.role_in(request.user, team.pk),
        # Setting up the team's work (boardsetup): who may, and what is retired or archived.
        "may_edit": access.may_edit_team(request.user, team),
        "retired": team.challenges.retired().prefetch_related(
            Prefetch("storyboards", queryset=Storyboard.objects.order_by("focus_process"))
        ),
        "archived": Storyboard.objects.filter(team=team, is_active=False).select_related(
            "challenge", "learner"
        ),
    }
    return render(request, "boards/team.html", context)


@login_required
@require_GET
def storyboard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The board; with ``?section=name`` from htmx, only that section."""
    sb = access.get_storyboard_for_user(request.user, pk)
    mode = request.GET.get("mode", "")
    if mode not in ("", "wall", "print"):
        mode = ""
    board = board_for(request, sb, mode=mode)
    section = request.GET.get("section")
    if request.htmx and section:
        if section not in SECTIONS:
            raise Http404("No such section.")
        return render_section(request, board, section)
    names = SECTIONS if mode != "print" else [s for s in SECTIONS if s not in PRINT_LEAVES_OUT]
    context = {"board": board, "sb": sb, "sections": render_sections(request, board, names)}
    return render(request, "boards/storyboard.html", context)


# The newest changes a poll lists one by one (to highlight and announce); older ones are counted.
LISTED_CHANGES = 20


@login_required
@require_GET
def poll(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Live updates: 204 when the board has not changed since ``since``, else what changed.

    The unchanged case costs one query beyond the session, so a hundred open boards polling
    every few seconds stay cheap.
    """
    # Seen and visible in one query: the board's revision, if the user is in its team.
    member = Membership.objects.filter(team_id=OuterRef("team_id"), user=request.user)
    revision = next(
        iter(
            Storyboard.objects.filter(Exists(member), pk=pk)
            .order_by()
            .values_list("revision", flat=True)[:1]
        ),
        None,
    )
    if revision is None:
        raise Http404("No such storyboard.")
    try:
        since = int(request.GET.get("since", ""))
    except ValueError:
        since = revision
    if since >= revision:
        return HttpResponse(status=204)
    newest = list(
        Activity.objects.filter(storyboard_id=pk, revision__gt=since)
        .select_related("actor")
        .order_by("-revision")[:LISTED_CHANGES]
    )[::-1]
    changes = [
        {
            "revision": a.revision,
            "sections": live.sections_for([a.action]),
            "element": f"{a.object_type}-{a.object_id}",
            "summary": f"{a.actor.display_name if a.actor else 'Kata'}: {a.summary}",
        }
        for a in newest
    ]
    # A long backlog (a tab asleep for a day): the older changes as a count and their sections.
    older = Activity.objects.filter(storyboard_id=pk, revision__gt=since)
    if newest:
        older = older.filter(revision__lt=newest[0].revision)
    more = older.count() if len(newest) == LISTED_CHANGES else 0
    detail = {
        "revision": revision,
        "changes": changes,
        "more": more,
        "sections": live.sections_for(older.values_list("action", flat=True).distinct())
        if more
        else [],
    }
    # The details travel in the body: headers stay small whatever the backlog (proxies refuse
    # large ones, and gunicorn drops the response), and the event fires once they are in.
    context = {"sb_pk": pk, "revision": revision, "oob": True, "changes": json.dumps(detail)}
    response = render(request, "boards/_poller.html", context)
    return trigger_client_event(response, "kata:changed", {"revision": revision}, after="swap")


@login_required
@require_GET
def activity(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sb = access.get_storyboard_for_user(request.user, pk)
    page = Paginator(Activity.objects.filter(storyboard=sb).select_related("actor"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "boards/activity.html", {"sb": sb, "page": page})


@login_required
@require_GET
def target_history(request: AuthenticatedHttpRequest, pk: int, target_pk: int) -> HttpResponse:
    """A past target condition with its PDCA record, obstacles and run chart, read only."""
    target = access.get_target_condition_for_user(request.user, target_pk, storyboard=pk)
    sb = target.storyboard
    board = board_for(request, sb, target=target)
    return render(request, "boards/target_history.html", {"board": board, "sb": sb})
