"""The boards app's models, in three modules: ``teams`` (people, teams, roles, invitations),
``storyboards`` (a board and everything on it, with its activity log) and ``conditions`` (the
actual condition, and the metrics and measurements of a target condition).

Django finds an app's models in ``<app>.models``, and migrations name some of these functions
by that path (``boards.models.validate_time_zone``), so everything is importable from here.
"""

from boards.models.conditions import (
    ActualCondition,
    Figure,
    Measurement,
    Metric,
    MetricKind,
    MetricQuerySet,
    validate_figures,
)
from boards.models.storyboards import (
    Activity,
    ActivityQuerySet,
    AppendOnlyError,
    Challenge,
    ChallengeQuerySet,
    Experiment,
    ExperimentQuerySet,
    Obstacle,
    ObstacleQuerySet,
    ObstacleStatus,
    Storyboard,
    TargetCondition,
    TargetConditionQuerySet,
    TargetConditionStatus,
)
from boards.models.teams import (
    EDITING_ROLES,
    OPEN_INVITATION,
    Invitation,
    InvitationQuerySet,
    Membership,
    Role,
    Team,
    TeamQuerySet,
    User,
    hash_invitation_token,
    invitation_expiry,
    validate_time_zone,
)

__all__ = [
    "EDITING_ROLES",
    "OPEN_INVITATION",
    "Activity",
    "ActivityQuerySet",
    "ActualCondition",
    "AppendOnlyError",
    "Challenge",
    "ChallengeQuerySet",
    "Experiment",
    "ExperimentQuerySet",
    "Figure",
    "Invitation",
    "InvitationQuerySet",
    "Measurement",
    "Membership",
    "Metric",
    "MetricKind",
    "MetricQuerySet",
    "Obstacle",
    "ObstacleQuerySet",
    "ObstacleStatus",
    "Role",
    "Storyboard",
    "TargetCondition",
    "TargetConditionQuerySet",
    "TargetConditionStatus",
    "Team",
    "TeamQuerySet",
    "User",
    "hash_invitation_token",
    "invitation_expiry",
    "validate_figures",
    "validate_time_zone",
]
