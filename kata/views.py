from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from boards import access
from boards.http import AuthenticatedHttpRequest, HtmxHttpRequest
from boards.models import Membership, Storyboard, TargetCondition
from kata.celery import app as celery_app
from kata.dashboard.export import csv_lines
from kata.dashboard.page import Dashboard
from kata.practice import Practice


@login_required
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in user's teams, each with its storyboards and their current target."""
    active_targets = Prefetch(
        "target_conditions",
        queryset=TargetCondition.objects.active(),
        to_attr="active_targets",
    )
    storyboards = Prefetch(
        "team__storyboards",
        queryset=Storyboard.objects.filter(is_active=True)
        .select_related("challenge", "learner", "coach")
        .prefetch_related(active_targets),
    )
    memberships = (
        Membership.objects.filter(user=request.user, team__archived_at__isnull=True)
        .select_related("team")
        .prefetch_related(storyboards)
        .order_by("team__name")
    )
    archived = (
        Membership.objects.filter(user=request.user, team__archived_at__isnull=False)
        .select_related("team")
        .order_by("team__name")
    )
    context = {
        "memberships": memberships,
        "archived": archived,
        "may_create_team": access.may_create_team(request.user),
    }
    return render(request, "kata/home.html", context)


@login_required
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every active storyboard the user may see, filtered, sorted and paged by the query string."""
    board = Dashboard(request.user, request.GET)
    page = board.page(request.GET.get("page"))
    context = {"dashboard": board, "form": board.form, "page": page}
    return render(request, "kata/dashboard.html", context)


@login_required
@require_GET
def dashboard_export(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """The dashboard's filtered rows, all of them, as CSV streamed while they are read."""
    board = Dashboard(request.user, request.GET)
    zone = timezone.get_current_timezone()
    lines = csv_lines(board, site_url=settings.SITE_URL, zone=zone)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    filename = f"kata-dashboard-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def team_practice(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The team's practice over the last weeks: what was done, week by week, never who ranks."""
    team = access.get_team_for_user(request.user, slug)
    return render(request, "kata/practice.html", {"team": team, **Practice(team).charts()})


@require_GET
def healthz(request: HtmxHttpRequest) -> JsonResponse:
    """Report whether the database and the Celery broker answer; 503 if either does not."""
    checks = {"database": "ok", "broker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # kombu raises many transport-specific kinds
        checks["broker"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def server_error(request: HtmxHttpRequest) -> HttpResponse:
    """The 500 page, with the request id to quote when reporting it."""
    context = {"request_id": getattr(request, "id", "-")}
    try:
        return render(request, "500.html", context, status=500)
    except Exception:  # the error may lie in the templates themselves
        return HttpResponse(f"Server error. Reference: {context['request_id']}", status=500)
