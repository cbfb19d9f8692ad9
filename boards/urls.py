from django.urls import path

from boards import members, views

app_name = "boards"

urlpatterns = [
    path("teams/<slug:slug>/", views.team, name="team"),
    path("teams/<slug:slug>/members/", members.members, name="members"),
    path("teams/<slug:slug>/members/invite", members.invitation_new, name="invitation_new"),
    path(
        "teams/<slug:slug>/members/<int:membership_pk>/role",
        members.member_role,
        name="member_role",
    ),
    path(
        "teams/<slug:slug>/members/<int:membership_pk>/remove",
        members.member_remove,
        name="member_remove",
    ),
    path(
        "teams/<slug:slug>/invitations/<int:invitation_pk>/revoke",
        members.invitation_revoke,
        name="invitation_revoke",
    ),
    path("teams/<slug:slug>/leave", members.team_leave, name="team_leave"),
    path("teams/<slug:slug>/export.json", members.team_export, name="team_export"),
    path("invitations/<str:token>/", members.invitation, name="invitation"),
    path("boards/<int:pk>/", views.storyboard, name="storyboard"),
    path("boards/<int:pk>/poll", views.poll, name="poll"),
    path("boards/<int:pk>/activity/", views.activity, name="activity"),
    path("boards/<int:pk>/targets/new", views.target_new, name="target_new"),
    path("boards/<int:pk>/targets/<int:target_pk>/", views.target_history, name="target"),
    path("boards/<int:pk>/targets/<int:target_pk>/edit", views.target_edit, name="target_edit"),
    path("boards/<int:pk>/targets/<int:target_pk>/close", views.target_close, name="target_close"),
    path("boards/<int:pk>/metrics/<int:metric_pk>/edit", views.metric_edit, name="metric_edit"),
    path("boards/<int:pk>/actual/new", views.actual_new, name="actual_new"),
    path("boards/<int:pk>/measurements/new", views.measurement_new, name="measurement_new"),
    path("boards/<int:pk>/obstacles/new", views.obstacle_new, name="obstacle_new"),
    path(
        "boards/<int:pk>/obstacles/<int:obstacle_pk>/edit",
        views.obstacle_edit,
        name="obstacle_edit",
    ),
    path(
        "boards/<int:pk>/obstacles/<int:obstacle_pk>/<slug:action>",
        views.obstacle_action,
        name="obstacle_action",
    ),
    path("boards/<int:pk>/experiments/new", views.experiment_new, name="experiment_new"),
    path(
        "boards/<int:pk>/experiments/<int:experiment_pk>/edit",
        views.experiment_edit,
        name="experiment_edit",
    ),
    path(
        "boards/<int:pk>/experiments/<int:experiment_pk>/result",
        views.experiment_result,
        name="experiment_result",
    ),
]
