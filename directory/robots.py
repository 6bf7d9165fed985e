"""What search engines may read: robots.txt, the sitemap, and pages kept out of their indexes.

Profiles and guides are meant to be found. Search results are not: their
addresses carry what a patient filtered on, and an index full of them would
tell the world what people looked for. Forms (an enquiry, a concern) have
nothing to index. Those pages say ``noindex`` twice: in the ``X-Robots-Tag``
header (the ``noindex`` decorator) and in a meta tag (the ``robots`` block of
templates/base.html, filled by templates/includes/noindex.html).
"""

from functools import wraps

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

# Private areas: nothing there is for a search engine, and they need a sign-in anyway.
DISALLOWED = ("/accounts/", "/dashboard/", "/review/", "/admin/", "/api/")


def noindex(view):
    """Keep the view's pages out of search engines' indexes (the page may still be read and followed)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapped


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), ""]
    lines.append(f"Sitemap: {settings.SITE_URL.rstrip('/')}{reverse('sitemap')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


class TherapistSitemap(Sitemap):
    """Listed therapists' profiles: the listing rule decides, as for every public page."""

    changefreq = "weekly"

    def items(self):
        from directory.models import Profile

        return Profile.objects.listed().only("slug", "updated_at").order_by("id")

    def lastmod(self, profile):
        return profile.updated_at


class GuideSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        from guides.models import Guide

        return Guide.objects.only("slug", "last_reviewed").order_by("position", "title")

    def lastmod(self, guide):
        return guide.last_reviewed


class PageSitemap(Sitemap):
    """The home page and the list of guides."""

    def items(self):
        return ["home", "guide_list"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"pages": PageSitemap, "therapists": TherapistSitemap, "guides": GuideSitemap}
