from django.urls import path

from coaching import views

app_name = "coaching"

board = "boards/<int:pk>/coaching"

urlpatterns = [
    path("today/", views.today, name="today"),
    path("coaching/cycles/", views.my_cycles, name="my_cycles"),
    path("settings/", views.preferences, name="settings"),
    path("settings/calendar/reset", views.calendar_reset, name="calendar_reset"),
    path("calendar/<slug:token>.ics", views.calendar_feed, name="calendar_feed"),
    path(f"{board}/", views.storyboard, name="storyboard"),
    path(f"{board}/schedule", views.schedule, name="schedule"),
    path(f"{board}/series/<int:series_pk>/edit", views.series_edit, name="series_edit"),
    path(f"{board}/series/<int:series_pk>/cancel", views.series_cancel, name="series_cancel"),
    path(f"{board}/sessions/<int:session_pk>/move", views.session_move, name="session_move"),
    path(f"{board}/sessions/<int:session_pk>/cancel", views.session_cancel, name="session_cancel"),
    path(f"{board}/sessions/<int:session_pk>/start", views.session_start, name="session_start"),
    path(f"{board}/cycles/start", views.cycle_start, name="cycle_start"),
    path(f"{board}/cycles/<int:cycle_pk>/", views.cycle, name="cycle"),
    path(f"{board}/cycles/<int:cycle_pk>/observe", views.observe, name="observe"),
]
