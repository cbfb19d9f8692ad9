"""Plain-text email subjects carry names as typed: "R&D" arrives as R&D, never R&amp;D."""

from datetime import UTC, datetime

import time_machine
from django.core import mail

from boards.models import Role, Storyboard, Team
from boards.services.invitations import invitation_create
from coaching import reminders
from tests.coaching.conftest import MONDAY_0800, weekday_series

NAME = "R&D <Lab> \"Ops\" 'B'"


def test_an_invitation_subject_shows_the_team_name_as_typed(
    team: Team, team_admin, django_capture_on_commit_callbacks
):
    Team.objects.filter(pk=team.pk).update(name=NAME)
    team.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(team=team, email="new@example.com", role=Role.MEMBER, by=team_admin)
    assert mail.outbox[0].subject == f"Ada Lund invites you to join {NAME} on Kata"


def test_reminder_subjects_show_the_focus_process_as_typed(storyboard: Storyboard, coach, learner):
    Storyboard.objects.filter(pk=storyboard.pk).update(focus_process=NAME)
    storyboard.refresh_from_db()
    with time_machine.travel(MONDAY_0800, tick=False):
        weekday_series(storyboard, coach, learner, now=MONDAY_0800)
    # Tuesday 17 March, 09:20 in Berlin: the 09:30 session's reminders are due.
    with time_machine.travel(datetime(2026, 3, 17, 8, 20, tzinfo=UTC), tick=False):
        for pk in reminders.scan().dispatched:
            reminders.send(pk)
    subjects = {message.subject for message in mail.outbox}
    assert subjects, "no reminder was sent"
    assert all(NAME in subject and "&amp;" not in subject for subject in subjects), subjects
