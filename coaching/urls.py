from django.urls import path

from coaching.views import cycles, pages, preferences, scheduling

app_name = "coaching"

board = "boards/<int:pk>/coaching"

urlpatterns = [
    path("today/", pages.today, name="today"),
    path("coaching/cycles/", pages.my_cycles, name="my_cycles"),
    path("settings/", preferences.preferences, name="settings"),
    path("settings/calendar/reset", preferences.calendar_reset, name="calendar_reset"),
    path("calendar/<slug:token>.ics", preferences.calendar_feed, name="calendar_feed"),
    path(f"{board}/", pages.storyboard, name="storyboard"),
    path(f"{board}/schedule", scheduling.schedule, name="schedule"),
    path(f"{board}/series/<int:series_pk>/edit", scheduling.series_edit, name="series_edit"),
    path(f"{board}/series/<int:series_pk>/cancel", scheduling.series_cancel, name="series_cancel"),
    path(f"{board}/sessions/<int:session_pk>/move", scheduling.session_move, name="session_move"),
    path(
        f"{board}/sessions/<int:session_pk>/cancel",
        scheduling.session_cancel,
        name="session_cancel",
    ),
    path(f"{board}/sessions/<int:session_pk>/start", cycles.session_start, name="session_start"),
    path(f"{board}/cycles/start", cycles.cycle_start, name="cycle_start"),
    path(f"{board}/cycles/<int:cycle_pk>/", cycles.cycle, name="cycle"),
    path(f"{board}/cycles/<int:cycle_pk>/observe", cycles.observe, name="observe"),
]
