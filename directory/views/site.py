"""Site-wide pages: home, health check, error pages."""

import sys

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    from guides.models import Guide

    return render(request, "directory/home.html", {"guides": Guide.objects.order_by("position", "title")})


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Each component's state; 200 while the database answers, 503 when it does not.

    The site works without the cache (config/cache.py), so a cache outage is
    reported but does not fail the check. The database check has its own
    short deadline, so a hung database gives a quick 503.
    """
    from config.db import deadline

    components = {"database": "ok", "cache": "ok" if _cache_answers() else "unavailable"}
    try:
        with deadline(settings.DATABASE_HEALTH_CHECK_SECONDS), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        components["database"] = "unavailable"
        return JsonResponse({"status": "error", **components}, status=503)
    return JsonResponse({"status": "ok", **components})


def _cache_answers() -> bool:
    ping = getattr(cache, "ping", None)
    return ping() if ping is not None else True


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, or the 503 page when the database failed (down, hung, or too slow).

    Rendered without a request context: the failure may be in a context
    processor, and the signed-in user cannot be looked up without the database.
    """
    from django.template.loader import get_template

    if isinstance(sys.exc_info()[1], DatabaseError):
        response = HttpResponse(get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(get_template("500.html").render(), status=500)
