from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import render
from django.views.decorators.http import require_GET

from boards.http import HtmxHttpRequest
from boards.models import Membership, Storyboard, TargetCondition


@login_required
@require_GET
def home(request: HtmxHttpRequest):
    """The signed-in user's teams, each with its storyboards and their current target."""
    active_targets = Prefetch(
        "target_conditions",
        queryset=TargetCondition.objects.filter(status="active"),
        to_attr="active_targets",
    )
    storyboards = Prefetch(
        "team__storyboards",
        queryset=Storyboard.objects.filter(is_active=True)
        .select_related("challenge", "learner", "coach")
        .prefetch_related(active_targets),
    )
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("team")
        .prefetch_related(storyboards)
        .order_by("team__name")
    )
    return render(request, "kata/home.html", {"memberships": memberships})
