from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from boards.models import (
    Activity,
    ActualCondition,
    Challenge,
    Experiment,
    Invitation,
    Measurement,
    Membership,
    Metric,
    Obstacle,
    Storyboard,
    TargetCondition,
    Team,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "time_zone", "is_staff"]
    fieldsets = [*(BaseUserAdmin.fieldsets or ()), ("Kata", {"fields": ["time_zone"]})]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role", "joined_at"]
    list_filter = ["role", "team"]
    search_fields = ["user__username", "user__email", "team__name"]
    list_select_related = ["user", "team"]


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "horizon"]
    list_filter = ["team"]
    search_fields = ["title", "description"]
    list_select_related = ["team"]


@admin.register(Storyboard)
class StoryboardAdmin(admin.ModelAdmin):
    list_display = ["focus_process", "team", "learner", "coach", "is_active", "changed_at"]
    list_filter = ["is_active", "team"]
    search_fields = ["focus_process", "learner__username", "coach__username"]
    list_select_related = ["team", "learner", "coach"]
    readonly_fields = ["revision", "changed_at", "version"]


class MetricInline(admin.TabularInline):
    model = Metric
    extra = 0


@admin.register(TargetCondition)
class TargetConditionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "storyboard", "status", "achieve_by", "closed_at"]
    list_filter = ["status", "storyboard__team"]
    search_fields = ["operating_pattern", "storyboard__focus_process"]
    list_select_related = ["storyboard"]
    date_hierarchy = "achieve_by"
    inlines = [MetricInline]


@admin.register(ActualCondition)
class ActualConditionAdmin(admin.ModelAdmin):
    list_display = ["storyboard", "observed_at", "recorded_by"]
    list_filter = ["storyboard__team"]
    search_fields = ["operating_pattern"]
    list_select_related = ["storyboard", "recorded_by"]


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "unit", "target_value", "higher_is_better", "target_condition"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["target_condition"]


@admin.register(Measurement)
class MeasurementAdmin(admin.ModelAdmin):
    list_display = ["metric", "value", "measured_at", "experiment"]
    list_filter = ["metric__kind"]
    date_hierarchy = "measured_at"
    list_select_related = ["metric", "experiment"]
    raw_id_fields = ["metric", "experiment"]


@admin.register(Obstacle)
class ObstacleAdmin(admin.ModelAdmin):
    list_display = ["description", "status", "position", "target_condition", "cleared_at"]
    list_filter = ["status"]
    search_fields = ["description"]
    list_select_related = ["target_condition"]


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "step",
        "target_condition",
        "planned_for",
        "result_recorded_at",
        "threshold_of_knowledge",
    ]
    list_filter = ["threshold_of_knowledge", "target_condition__storyboard__team"]
    search_fields = ["step", "expected", "happened", "learned"]
    date_hierarchy = "planned_for"
    list_select_related = ["target_condition"]
    raw_id_fields = ["target_condition", "obstacle"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["at", "storyboard", "actor", "action", "summary"]
    list_filter = ["action", "storyboard__team"]
    search_fields = ["summary"]
    list_select_related = ["storyboard", "actor"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Activity | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Activity | None = None) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read and revoke here; invitations are sent from the team's Members page (with the email)."""

    list_display = ["email", "team", "role", "state", "invited_by", "created_at", "expires_at"]
    list_filter = ["role", "team"]
    search_fields = ["email", "team__name"]
    list_select_related = ["team", "invited_by"]
    readonly_fields = [
        "team",
        "email",
        "role",
        "token_hash",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
