import contextlib
import re
import uuid
import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone

from kata.logging import request_id_var

# Our pages need no inline script or style and nothing from another origin.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class IdentifiedHttpRequest(HttpRequest):
    """A request once RequestIdMiddleware has seen it (the 500 page quotes its id)."""

    id: str


class HealthCheckMiddleware:
    """Answer /healthz before host validation and the HTTPS redirect.

    A container's health check asks ``http://127.0.0.1:8000/healthz`` from inside: plain HTTP,
    with a Host that ALLOWED_HOSTS rightly leaves out. Everything else still goes through
    SecurityMiddleware and host validation; /healthz shows nothing that depends on the host.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            from kata.views import healthz  # the views import models: not at start-up

            return healthz(request)
        return self.get_response(request)


class RequestIdMiddleware:
    """Give each request an id (or keep a proxy's X-Request-ID) for its log lines and errors."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: IdentifiedHttpRequest) -> HttpResponseBase:
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.id
        return response


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class UserTimezoneMiddleware:
    """Show times in the signed-in user's own time zone; they are stored in UTC."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        timezone.deactivate()
        if user is not None and user.is_authenticated and user.time_zone:
            # A zone removed from the system's database since it was chosen falls back to UTC.
            with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
