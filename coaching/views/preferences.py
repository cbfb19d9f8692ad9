"""A person's coaching settings and their private calendar feed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from boards.forms import submit
from boards.http import AuthenticatedHttpRequest
from coaching import calendar, forms
from coaching.models import CoachingPreferences
from coaching.services import preferences as services


def _feed_url(request: HttpRequest, preferences: CoachingPreferences) -> str:
    return request.build_absolute_uri(
        reverse("coaching:calendar_feed", args=[preferences.calendar_token])
    )


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A person's time zone, reminder lead time and private calendar address."""
    user = request.user
    prefs = services.preferences_for(user)
    initial = {
        "time_zone": user.time_zone,
        "reminder_minutes": prefs.reminder_minutes,
        "missed_notice": prefs.missed_notice,
    }
    form = forms.PreferencesForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if form.is_bound:
        ok, _ = submit(form, lambda data: services.preferences_update(user=user, **data))
        if ok:
            messages.success(request, "Settings saved.")
            return redirect("coaching:settings")
    status = 422 if form.is_bound else 200
    context = {"form": form, "feed_url": _feed_url(request, prefs)}
    return render(request, "coaching/settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_reset(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "coaching/calendar_reset.html")
    services.calendar_token_reset(user=request.user)
    messages.success(
        request, "Your calendar has a new address. Subscribe to it again in your calendar app."
    )
    return redirect("coaching:settings")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private iCalendar feed: no sign-in, the secret address is the key."""
    prefs = CoachingPreferences.objects.filter(calendar_token=token).select_related("user").first()
    if prefs is None or not prefs.user.is_active:
        raise Http404("No such calendar.")
    body = calendar.feed(prefs.user, now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kata-coaching.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
