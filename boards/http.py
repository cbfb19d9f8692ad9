from django.http import HttpRequest, HttpResponseRedirect
from django_htmx.middleware import HtmxDetails

from boards.models import User


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """The request of a view behind ``@login_required``: its user is signed in."""

    user: User


def see_other(url: str) -> HttpResponseRedirect:
    """After a POST, GET the page again (303), so reloading it never posts twice."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response
