from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from guides.models import Guide


@require_safe
def guide_list(request: HttpRequest) -> HttpResponse:
    # The list shows no body, so the Markdown source is not fetched.
    guides = Guide.objects.defer("body", "key_points", "sources")
    return render(request, "guides/guide_list.html", {"guides": guides})


@require_safe
def guide_detail(request: HttpRequest, slug: str) -> HttpResponse:
    guide = get_object_or_404(Guide, slug=slug)
    return render(
        request,
        "guides/guide_detail.html",
        {"guide": guide, "search_url": guide.search_url(), "related_guides": guide.related_guides()},
    )
