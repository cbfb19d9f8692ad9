from django.urls import path

from boards import members
from boards.views import (
    challenges,
    experiments,
    metrics,
    obstacles,
    reading,
    storyboards,
    targets,
    teams,
)

app_name = "boards"

urlpatterns = [
    # A team's own pages: new, settings, archive and restore, delete; every team for staff.
    path("teams/", teams.teams_all, name="teams_all"),
    path("teams/new", teams.team_new, name="team_new"),
    path("teams/new/address", teams.team_slug, name="team_slug"),
    path("teams/<slug:slug>/settings", teams.team_settings, name="team_settings"),
    path("teams/<slug:slug>/archive", teams.team_archive, name="team_archive"),
    path("teams/<slug:slug>/restore", teams.team_restore, name="team_restore"),
    path("teams/<slug:slug>/delete", teams.team_delete, name="team_delete"),
    # The team and its members.
    path("teams/<slug:slug>/", reading.team, name="team"),
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
    path("boards/<int:pk>/", reading.storyboard, name="storyboard"),
    path("boards/<int:pk>/poll", reading.poll, name="poll"),
    path("boards/<int:pk>/activity/", reading.activity, name="activity"),
    path("boards/<int:pk>/targets/new", targets.target_new, name="target_new"),
    path("boards/<int:pk>/targets/<int:target_pk>/", reading.target_history, name="target"),
    path("boards/<int:pk>/targets/<int:target_pk>/edit", targets.target_edit, name="target_edit"),
    path(
        "boards/<int:pk>/targets/<int:target_pk>/close", targets.target_close, name="target_close"
    ),
    path("boards/<int:pk>/metrics/<int:metric_pk>/edit", targets.metric_edit, name="metric_edit"),
    path("boards/<int:pk>/actual/new", targets.actual_new, name="actual_new"),
    path("boards/<int:pk>/measurements/new", targets.measurement_new, name="measurement_new"),
    # Metrics added and retired; what a member takes back (issue 11). Before the obstacle
    # actions: ".../obstacles/<pk>/delete" would otherwise read as an action named "delete".
    path("boards/<int:pk>/metrics/new", metrics.metric_new, name="metric_new"),
    path(
        "boards/<int:pk>/metrics/<int:metric_pk>/retire",
        metrics.metric_retire,
        name="metric_retire",
    ),
    path(
        "boards/<int:pk>/measurements/<int:measurement_pk>/delete",
        metrics.measurement_delete,
        name="measurement_delete",
    ),
    path(
        "boards/<int:pk>/actual/<int:actual_pk>/delete",
        targets.actual_delete,
        name="actual_delete",
    ),
    path(
        "boards/<int:pk>/targets/<int:target_pk>/delete",
        targets.target_delete,
        name="target_delete",
    ),
    path(
        "boards/<int:pk>/obstacles/<int:obstacle_pk>/delete",
        obstacles.obstacle_remove,
        name="obstacle_delete",
    ),
    path(
        "boards/<int:pk>/experiments/<int:experiment_pk>/delete",
        experiments.experiment_remove,
        name="experiment_delete",
    ),
    # End of issue 11's metrics block.
    path("boards/<int:pk>/obstacles/new", obstacles.obstacle_new, name="obstacle_new"),
    path(
        "boards/<int:pk>/obstacles/<int:obstacle_pk>/edit",
        obstacles.obstacle_edit,
        name="obstacle_edit",
    ),
    path(
        "boards/<int:pk>/obstacles/<int:obstacle_pk>/<slug:action>",
        obstacles.obstacle_action,
        name="obstacle_action",
    ),
    path("boards/<int:pk>/experiments/new", experiments.experiment_new, name="experiment_new"),
    path(
        "boards/<int:pk>/experiments/<int:experiment_pk>/edit",
        experiments.experiment_edit,
        name="experiment_edit",
    ),
    path(
        "boards/<int:pk>/experiments/<int:experiment_pk>/result",
        experiments.experiment_result,
        name="experiment_result",
    ),
]

# Setting up the team's work: challenges, and storyboards as a whole.
urlpatterns += [
    path("help/challenges", challenges.challenge_help, name="challenge_help"),
    path("teams/<slug:slug>/challenges/new", challenges.challenge_new, name="challenge_new"),
    path(
        "teams/<slug:slug>/challenges/<int:challenge_pk>/edit",
        challenges.challenge_edit,
        name="challenge_edit",
    ),
    path(
        "teams/<slug:slug>/challenges/<int:challenge_pk>/retire",
        challenges.challenge_retire,
        name="challenge_retire",
    ),
    path(
        "teams/<slug:slug>/challenges/<int:challenge_pk>/restore",
        challenges.challenge_restore,
        name="challenge_restore",
    ),
    path("teams/<slug:slug>/storyboards/new", storyboards.storyboard_new, name="storyboard_new"),
    path("boards/<int:pk>/edit", storyboards.storyboard_edit, name="storyboard_edit"),
    path(
        "boards/<int:pk>/hand-over", storyboards.storyboard_hand_over, name="storyboard_hand_over"
    ),
    path("boards/<int:pk>/archive", storyboards.storyboard_archive, name="storyboard_archive"),
    path("boards/<int:pk>/restore", storyboards.storyboard_restore, name="storyboard_restore"),
    path("boards/<int:pk>/delete", storyboards.storyboard_delete, name="storyboard_delete"),
]
