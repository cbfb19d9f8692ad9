"""The boards app's models, in two modules: ``teams`` (people, teams, roles, invitations) and
``storyboards`` (a board and everything on it, with its activity log).

Django finds an app's models in ``<app>.models``, and migrations name some of these functions
by that path (``boards.models.validate_time_zone``), so everything is importable from here.
"""

from boards.models.storyboards import (
    Activity,
    ActivityQuerySet,
    ActualCondition,
    AppendOnlyError,
    Challenge,
    Experiment,
    ExperimentQuerySet,
    Figure,
    Measurement,
    Metric,
    MetricKind,
    MetricQuerySet,
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
    "User",
    "hash_invitation_token",
    "invitation_expiry",
    "validate_time_zone",
]
