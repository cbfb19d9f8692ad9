from django.contrib import admin
from django.http import HttpRequest

from coaching.models import (
    CoachingCycle,
    CoachingPreferences,
    Reminder,
    SecondCoachObservation,
    Session,
    SessionSeries,
)


@admin.register(CoachingPreferences)
class CoachingPreferencesAdmin(admin.ModelAdmin):
    list_display = ["user", "reminder_minutes", "missed_notice"]
    exclude = ["calendar_token"]
    raw_id_fields = ["user"]


@admin.register(SessionSeries)
class SessionSeriesAdmin(admin.ModelAdmin):
    list_display = ["storyboard", "coach", "learner", "rrule", "start_date", "start_time"]
    list_filter = ["cancelled_at"]
    raw_id_fields = ["storyboard", "coach", "learner", "second_coach", "created_by"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["storyboard", "starts_at", "status"]
    list_filter = ["status"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["series", "storyboard"]


@admin.register(CoachingCycle)
class CoachingCycleAdmin(admin.ModelAdmin):
    list_display = ["storyboard", "coach", "learner", "started_at", "finished_at", "step"]
    raw_id_fields = [
        "storyboard",
        "session",
        "coach",
        "learner",
        "reflected_experiment",
        "obstacle",
        "next_experiment",
        "next_session",
    ]


@admin.register(SecondCoachObservation)
class SecondCoachObservationAdmin(admin.ModelAdmin):
    list_display = ["cycle", "observer", "updated_at"]
    raw_id_fields = ["cycle", "observer"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Read only: the rows are the record of what was sent; editing them could send twice."""

    list_display = [
        "recipient",
        "kind",
        "session",
        "due_at",
        "sent_at",
        "skipped_at",
        "skip_reason",
    ]
    list_filter = ["kind", "skip_reason"]
    date_hierarchy = "due_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Reminder | None = None) -> bool:
        return False
