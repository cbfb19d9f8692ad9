"""A storyboard as a whole: start one, change its heading, hand it over, archive, restore, delete.

Starting one is a page of the team, and leads straight onto the new board. The heading and the
people are edited in the board's head like any other section (htmx in place, a page without
JS, a stale version shown side by side). Archiving and deleting ask on a page of their own.
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import router
from django.db.models import Model
from django.db.models.deletion import Collector
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from boards import access
from boards.forms import submit
from boards.http import AuthenticatedHttpRequest, see_other
from boards.models import Storyboard
from boards.services import storyboards as services
from boards.storyboard_forms import HandOverForm, StoryboardEditForm, StoryboardNewForm
from boards.views.base import edit


@login_required
@require_http_methods(["GET", "POST"])
def storyboard_new(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A new board: from the team page, or from a challenge (``?challenge=`` chooses it)."""
    team = access.get_team_for_user(request.user, slug, write=True)
    initial = {"challenge": request.GET.get("challenge", "")}
    data = request.POST if request.method == "POST" else None
    form = StoryboardNewForm(data, team=team, initial=initial)
    context = {"team": team, "form": form, "has_challenge": team.challenges.current().exists()}
    if request.method == "GET":
        return render(request, "boards/storyboard_new.html", context)
    ok, sb = submit(
        form,
        lambda data: services.storyboard_create(
            team=team,
            challenge=data["challenge"],
            focus_process=data["focus_process"],
            learner=data["learner"],
            coach=data["coach"],
            by=request.user,
        ),
    )
    if not ok or sb is None:
        return render(request, "boards/storyboard_new.html", context, status=422)
    messages.success(request, f"Storyboard started for {sb.focus_process}.")
    return see_other(sb.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def storyboard_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The board's heading: its focus process and the challenge it works toward."""
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    return edit(
        request,
        sb=sb,
        obj=sb,
        form_class=StoryboardEditForm,
        form_kwargs={"team": sb.team},
        template="boards/forms/storyboard_edit.html",
        section="head",
        initial={"focus_process": sb.focus_process, "challenge": sb.challenge_id},
        save=lambda data: services.storyboard_update(
            storyboard=sb,
            version=data["version"],
            focus_process=data["focus_process"],
            challenge=data["challenge"],
            by=request.user,
        ),
        message="Storyboard heading saved.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def storyboard_hand_over(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Another learner or coach takes the board on; the activity log keeps who had it."""
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    return edit(
        request,
        sb=sb,
        obj=sb,
        form_class=HandOverForm,
        form_kwargs={"team": sb.team},
        template="boards/forms/storyboard_hand_over.html",
        section="head",
        initial={"learner": sb.learner_id, "coach": sb.coach_id},
        save=lambda data: services.storyboard_hand_over(
            storyboard=sb,
            version=data["version"],
            learner=data["learner"],
            coach=data["coach"],
            by=request.user,
        ),
        message="Storyboard handed over.",
    )


def _archived_list(sb: Storyboard) -> str:
    return f"{sb.team.get_absolute_url()}#archived"


@login_required
@require_http_methods(["GET", "POST"])
def storyboard_archive(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST archives and goes back to the team page."""
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    if request.method == "GET":
        return render(request, "boards/storyboard_archive.html", {"sb": sb})
    try:
        services.storyboard_archive(storyboard=sb, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return see_other(sb.get_absolute_url())
    messages.success(
        request,
        f"Archived the storyboard for {sb.focus_process}. It is listed under Archived "
        "storyboards below, where it can be read and restored.",
    )
    return see_other(_archived_list(sb))


@login_required
@require_POST
def storyboard_restore(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sb = access.get_storyboard_for_user(request.user, pk, write=True, archived=True)
    try:
        services.storyboard_restore(storyboard=sb, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return see_other(_archived_list(sb) if not sb.is_active else sb.get_absolute_url())
    messages.success(request, f"Restored the storyboard for {sb.focus_process}: in use again.")
    return see_other(sb.get_absolute_url())


# What deleting a board takes with it, as Django's collector finds it (the admin asks the same):
# the three a team counts by first, then everything else by its name.
HEADLINE = {
    "boards.targetcondition": ("target condition", "target conditions"),
    "boards.experiment": ("PDCA step", "PDCA steps"),
    "coaching.coachingcycle": ("coaching cycle", "coaching cycles"),
}
RENAMED = {"boards.activity": ("entry in the activity log", "entries in the activity log")}


def _deleted_with(obj: Model) -> tuple[list[str], list[str]]:
    """What deleting ``obj`` deletes: the headline counts (zeros too), then the rest."""
    collector = Collector(using=router.db_for_write(type(obj)))
    collector.collect([obj])
    counts: Counter[str] = Counter()
    for model, instances in collector.data.items():
        counts[model._meta.label_lower] += len(instances)
    for queryset in collector.fast_deletes:
        counts[queryset.model._meta.label_lower] += queryset.count()
    names = {m._meta.label_lower: m._meta for m in collector.data}
    names.update({q.model._meta.label_lower: q.model._meta for q in collector.fast_deletes})

    def said(label: str, words: tuple[str, str]) -> str:
        return f"{counts[label]} {words[0] if counts[label] == 1 else words[1]}"

    headline = [said(label, words) for label, words in HEADLINE.items()]
    rest = [
        said(label, RENAMED.get(label, (str(meta.verbose_name), str(meta.verbose_name_plural))))
        for label, meta in sorted(names.items())
        if label not in HEADLINE and label != obj._meta.label_lower and counts[label]
    ]
    return headline, rest


@login_required
@require_http_methods(["GET", "POST"])
def storyboard_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET says what deleting takes with it and asks to confirm; POST deletes."""
    sb = access.get_storyboard_for_user(request.user, pk, admin=True, archived=True)
    if request.method == "GET":
        headline, rest = _deleted_with(sb)
        context = {"sb": sb, "headline": headline, "rest": rest}
        return render(request, "boards/storyboard_delete.html", context)
    team = sb.team
    focus_process = sb.focus_process
    services.storyboard_delete(storyboard=sb, by=request.user)
    messages.success(request, f"Deleted the storyboard for {focus_process} and everything on it.")
    return see_other(team.get_absolute_url())
