from django.http import HttpRequest, HttpResponseRedirect
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def see_other(url: str) -> HttpResponseRedirect:
    """After a POST, GET the page again (303), so reloading it never posts twice."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response
