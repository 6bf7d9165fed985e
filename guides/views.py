from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from config.db_routing import replica_reads
from directory.search.filterset import SEARCH_PARAMETER, clean_near, clean_radius, clean_search_string
from guides.models import Guide


@replica_reads
@require_safe
def guide_list(request: HttpRequest) -> HttpResponse:
    # The list shows no body, so the Markdown source is not fetched.
    guides = Guide.objects.defer("body", "key_points", "sources")
    return render(request, "guides/guide_list.html", {"guides": guides})


@replica_reads
@require_safe
def guide_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A guide. From the search, it keeps the patient's place (``near``, ``radius``) for its own
    search link and the search itself (``search``) for the way back; anything not valid is dropped."""
    guide = get_object_or_404(Guide, slug=slug)
    near = clean_near(request.GET.get("near"))
    radius = clean_radius(request.GET.get("radius")) if near else ""
    carried = clean_search_string(request.GET.get(SEARCH_PARAMETER, ""))
    pairs = (("near", near), ("radius", radius), (SEARCH_PARAMETER, carried))
    return render(
        request,
        "guides/guide_detail.html",
        {
            "guide": guide,
            "search_url": guide.search_url(near=near, radius=radius),
            "related_guides": guide.related_guides(),
            "carried_search": carried,
            "guide_query": urlencode([(key, value) for key, value in pairs if value]),
        },
    )
