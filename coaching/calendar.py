"""A person's private iCalendar feed of their coaching sessions.

Each occurrence is its own event with the session's stable UID and its version as SEQUENCE, so
a calendar that polls the feed updates the entry when a session is moved and shows it cancelled
when it is cancelled, instead of adding a second one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import icalendar
from django.conf import settings
from django.urls import reverse

from boards.models import User
from coaching.models import SessionQuerySet
from coaching.selectors import sessions_taking_part

# Keep the last day's sessions in the feed, so today's stay visible after they start.
FEED_FROM = timedelta(days=1)
QUESTIONS = (
    "1. What is the target condition?\n"
    "2. What is the actual condition now? Then reflect on the last step taken.\n"
    "3. What obstacles are preventing you from reaching the target condition? Which one are "
    "you addressing now?\n"
    "4. What is your next step? What do you expect?\n"
    "5. When can we go and see what we have learned from taking that step?"
)


def sessions_for(user: User, *, now: datetime) -> SessionQuerySet:
    return (
        sessions_taking_part(user)
        .filter(starts_at__gte=now - FEED_FROM)
        .select_related(
            "series__coach", "series__learner", "series__second_coach", "storyboard__team"
        )
        .order_by("starts_at", "pk")
    )


def feed(user: User, *, now: datetime) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Kata//Coaching sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Kata coaching: {user.display_name}")
    # vDuration writes PT1H; a bare timedelta came out as "1:00:00" in icalendar 6.
    refresh = icalendar.vDuration(timedelta(hours=1))
    calendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    for session in sessions_for(user, now=now):
        series = session.series
        board = session.storyboard
        url = f"{settings.SITE_URL}{board.get_absolute_url()}"
        people = [f"Coach: {series.coach.display_name}", f"Learner: {series.learner.display_name}"]
        if series.second_coach:
            people.append(f"Second coach: {series.second_coach.display_name}")
        event = icalendar.Event()
        event.add("uid", session.uid)
        event.add("dtstamp", session.updated_at)
        event.add("last-modified", session.updated_at)
        event.add("sequence", session.version - 1)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("summary", f"Coaching: {board.focus_process} ({series.learner.display_name})")
        event.add("location", f"At the storyboard: {board.team.name}, {board.focus_process}")
        event.add("description", "\n".join([*people, "", QUESTIONS, "", url]))
        event.add("url", url)
        coaching_url = reverse("coaching:storyboard", args=[board.pk])
        event.add("x-kata-coaching-url", f"{settings.SITE_URL}{coaching_url}")
        event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
