"""A team's challenges: add, edit, retire and restore them on the team page, and the help page
on what makes a good one.

The team page is a page, not a board: each form is a page of its own and every write answers
with a redirect (303) back to the team page, where the message says what happened.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from boards import access
from boards.forms import submit
from boards.http import AuthenticatedHttpRequest, see_other
from boards.models import Challenge, Team
from boards.services import storyboards as services
from boards.services.base import Conflict
from boards.storyboard_forms import ChallengeEditForm, ChallengeForm
from boards.views.base import conflict_details

FORM = "boards/challenge_form.html"


def _team_url(team: Team, anchor: str = "challenges") -> str:
    return f"{team.get_absolute_url()}#{anchor}"


def _page(
    request: AuthenticatedHttpRequest, team: Team, *, status: int = 200, **context: Any
) -> HttpResponse:
    return render(request, FORM, {"team": team, **context}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def challenge_new(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    team = access.get_team_for_user(request.user, slug, write=True)
    form = ChallengeForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {
        "form": form,
        "title": "Add a challenge",
        "submit": "Add the challenge",
    }
    if request.method == "GET":
        return _page(request, team, **context)
    ok, challenge = submit(
        form,
        lambda data: services.challenge_create(
            team=team,
            title=data["title"],
            horizon=data["horizon"],
            description=data["description"],
        ),
    )
    if not ok or challenge is None:
        return _page(request, team, status=422, **context)
    messages.success(request, f"Challenge added: {challenge}. Next, start a storyboard toward it.")
    return see_other(_team_url(team, f"challenge-{challenge.pk}"))


@login_required
@require_http_methods(["GET", "POST"])
def challenge_edit(request: AuthenticatedHttpRequest, slug: str, challenge_pk: int) -> HttpResponse:
    challenge = access.get_challenge_for_user(request.user, slug, challenge_pk, write=True)
    team = challenge.team
    if challenge.is_retired:
        messages.error(request, "A retired challenge stays as it was: restore it to change it.")
        return see_other(_team_url(team, "retired"))
    context: dict[str, Any] = {
        "challenge": challenge,
        "title": "Edit the challenge",
        "submit": "Save",
    }
    keep = challenge.horizon
    if request.method == "GET":
        initial = {
            "title": challenge.title,
            "horizon": challenge.horizon,
            "description": challenge.description,
            "version": challenge.version,
        }
        return _page(request, team, form=ChallengeEditForm(initial=initial, keep=keep), **context)
    form = ChallengeEditForm(request.POST, keep=keep)
    try:
        ok, _ = submit(
            form,
            lambda data: services.challenge_update(
                challenge=challenge,
                version=data["version"],
                title=data["title"],
                horizon=data["horizon"],
                description=data["description"],
                by=request.user,
            ),
        )
    except Conflict as conflict:
        current = cast(Challenge, conflict.current)
        data = request.POST.copy()
        data["version"] = str(current.version)
        retry = ChallengeEditForm(data, keep=keep)
        retry.is_valid()
        details = conflict_details(form, current)
        return _page(request, team, status=409, form=retry, conflict=details, **context)
    if not ok:
        return _page(request, team, status=422, form=form, **context)
    messages.success(request, f"Challenge saved: {challenge}.")
    return see_other(_team_url(team, f"challenge-{challenge.pk}"))


def _change(
    request: AuthenticatedHttpRequest, slug: str, challenge_pk: int, *, retire: bool
) -> HttpResponse:
    challenge = access.get_challenge_for_user(request.user, slug, challenge_pk, write=True)
    try:
        if retire:
            services.challenge_retire(challenge=challenge)
        else:
            services.challenge_restore(challenge=challenge)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return see_other(_team_url(challenge.team, f"challenge-{challenge.pk}"))
    if retire:
        message = (
            f"Retired “{challenge}”. It is listed under Retired challenges below, with its "
            "storyboards, and can be restored there."
        )
    else:
        message = f"Restored “{challenge}”: new storyboards can work toward it again."
    messages.success(request, message)
    return see_other(_team_url(challenge.team, f"challenge-{challenge.pk}"))


@login_required
@require_POST
def challenge_retire(
    request: AuthenticatedHttpRequest, slug: str, challenge_pk: int
) -> HttpResponse:
    return _change(request, slug, challenge_pk, retire=True)


@login_required
@require_POST
def challenge_restore(
    request: AuthenticatedHttpRequest, slug: str, challenge_pk: int
) -> HttpResponse:
    return _change(request, slug, challenge_pk, retire=False)


@login_required
@require_GET
def challenge_help(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What makes a good challenge: the words coaches use, for anyone setting one."""
    return render(request, "boards/challenge_help.html")
