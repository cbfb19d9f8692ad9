"""The site's URLs plus the benchmark's floor, used only in-process by ``manage.py bench``.

The floor is the cheapest page a signed-in user can get: the same middleware, session and user
lookup as every other page, then a two-byte response. Every other figure is a ratio to it.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from kata.urls import urlpatterns as site_urlpatterns


@login_required
@require_GET
def floor(request) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/floor", floor, name="bench_floor"), *site_urlpatterns]
