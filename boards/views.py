from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from boards import access
from boards.board import load_board
from boards.http import HtmxHttpRequest
from boards.models import EDITING_ROLES, Membership, Storyboard, TargetCondition


@login_required
@require_GET
def team(request: HtmxHttpRequest, slug: str):
    team = access.get_team_for_user(request.user, slug)
    storyboards = (
        Storyboard.objects.filter(team=team)
        .select_related("challenge", "learner", "coach")
        .prefetch_related(
            Prefetch(
                "target_conditions",
                queryset=TargetCondition.objects.filter(status="active"),
                to_attr="active_targets",
            )
        )
        .annotate(
            experiment_count=Count("target_conditions__experiments"),
        )
    )
    members = Membership.objects.filter(team=team).select_related("user").order_by("role")
    context = {
        "team": team,
        "challenges": team.challenges.annotate(
            storyboard_count=Count("storyboards", filter=Q(storyboards__is_active=True))
        ),
        "storyboards": storyboards,
        "members": members,
        "role": access.role_in(request.user, team.pk),
    }
    return render(request, "boards/team.html", context)


@login_required
@require_GET
def storyboard(request: HtmxHttpRequest, pk: int):
    storyboard = access.get_storyboard_for_user(request.user, pk)
    can_edit = access.role_in(request.user, storyboard.team_id) in EDITING_ROLES
    board = load_board(storyboard, can_edit=can_edit)
    return render(request, "boards/storyboard.html", {"board": board, "sb": storyboard})
