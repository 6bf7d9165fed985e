"""The pages patients use: the search, a therapist's profile, the enquiry form."""

import logging
import re
from urllib.parse import urlencode

from allauth.core.ratelimit import consume
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from config.db_routing import replica_reads
from directory import notifications, services
from directory.forms_public import ConcernForm, EnquiryForm
from directory.geo import maps, units
from directory.models import Location, Profile
from directory.robots import noindex
from directory.search import cache as page_cache
from directory.search import cards, understand
from directory.search.cards import load_card_parts
from directory.search.filterset import (
    MAX_RADIUS_MILES,
    MAX_RESULTS,
    PARAMETER_LABELS,
    SEARCH_PARAMETER,
    TherapistFilter,
    clean_near,
    clean_radius,
    clean_search_string,
    wider_radii,
)
from directory.search.nearest import any_term
from directory.search.terms import option_term
from guides.selection import guides_for_profile, guides_for_search, load_candidates

logger = logging.getLogger(__name__)

NEAREST_BEYOND_RADIUS = 3
# Beyond this, a therapist is no use as "nearby": the page says nobody matches nearby instead.
NEAREST_LIMIT_MILES = MAX_RADIUS_MILES
# Multi-valued parameters read for the guide panel even when the form is invalid.
MAX_VALUES_PER_PARAMETER = 20
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def query_string(params: QueryDict, *, drop: tuple[str, str] | None = None, **replace: str) -> str:
    """The search's query string without the page number, one value dropped, or some values replaced."""
    pairs = []
    for key, values in params.lists():
        if key == "page" or key in replace:
            continue
        for value in values:
            if drop is not None and key == drop[0] and (drop[1] == "" or value == drop[1]):
                continue
            pairs.append((key, value))
    pairs.extend(replace.items())
    return urlencode(pairs)


def nearest_beyond_radius(search: TherapistFilter, unit: units.Unit) -> list[cards.Result]:
    """The nearest listed therapists matching everything but the distance, nearest first.

    Only therapists who see people somewhere (a practice, hospital visits): one
    who only visits homes is of use only where their travel area reaches, and
    those already show among the results whatever the radius.
    """
    seen_somewhere = any_term([option_term("visits_practice"), option_term("visits_hospital")])
    # Called when nothing matched within the radius: the rings start at its edge.
    radius = search.form.cleaned_data["radius"]
    rows = search.nearest(NEAREST_LIMIT_MILES, NEAREST_BEYOND_RADIUS, also=(seen_somewhere,), beyond=radius)
    return cards.result_cards(rows, unit, measured_from=search.place)


def understood_chips(search: TherapistFilter, params: QueryDict) -> list[tuple[understand.Understood, str]]:
    """What the words were read as, each with the address of the same search without those words."""
    reading = search.reading
    return [(item, "?" + _with_words(params, reading.without(item))) for item in reading.understood]


def _with_words(params: QueryDict, words: str) -> str:
    """The search's query string with ``q`` replaced by ``words`` (dropped when empty)."""
    if words:
        return query_string(params, q=words)
    return query_string(params, drop=("q", ""))


def search_summary(search: TherapistFilter, unit: units.Unit) -> str:
    """The search in one line, for the folded form on a phone: "Near 10001 · 25 miles · 2 filters"."""
    data = search.form.cleaned_data
    parts = []
    if search.place is not None:
        parts.append(f"Near {search.place.label}")
        parts.append(units.radius_text(data["radius"], unit))
    filters = len([active for active in search.active_filters() if active.parameter != "q"])
    filters += len(search.reading.filters())
    if filters:
        parts.append(f"{filters} filter{'s' if filters != 1 else ''}")
    if search.reading.rest:
        parts.append(f"“{search.reading.rest}”")
    return " · ".join(parts) or "All therapists"


def carried_search(source: QueryDict) -> str:
    """The search a patient came from, cleaned (see filters.clean_search_string)."""
    return clean_search_string(source.get(SEARCH_PARAMETER, ""))


def guide_query(params: QueryDict, carried: str) -> str:
    """What a guide link carries: the place and distance (for the guide's own search link) and the search."""
    pairs = (
        ("near", clean_near(params.get("near"))),
        ("radius", clean_radius(params.get("radius"))),
        (SEARCH_PARAMETER, carried),
    )
    return urlencode([(key, value) for key, value in pairs if value])


def _guide_slugs(params: QueryDict, name: str) -> list[str]:
    """The values that could be slugs. Anything else matches no guide, and some
    characters (NUL) cannot even be sent to PostgreSQL."""
    values = params.getlist(name)[:MAX_VALUES_PER_PARAMETER]
    return [value for value in values if len(value) <= 80 and SLUG.fullmatch(value)]


@noindex
@replica_reads
@require_safe
def therapist_search(request: HttpRequest) -> HttpResponse:
    with page_cache.edition_for_request() as edition:
        key = page_cache.cache_key(request, "search", edition)
        page = page_cache.get(key)
        if page is None:
            page = search_page(request, edition)
            # A search with errors is not kept: the online geocoder may only be down for a moment.
            if not page["errors"]:
                page_cache.put(key, page)
    # The content is HTML the template engine wrote (escaping what people typed), kept as text.
    content = mark_safe(page["content"])  # noqa: S308
    response = render(request, "directory/search/results.html", {"title": page["title"], "content": content})
    return maps.allow_tiles(response)


def search_page(request: HttpRequest, edition: int) -> dict:
    """The search page's title and content (HTML, escaped by the template engine)."""
    search = TherapistFilter(request.GET, queryset=Profile.objects.listed())
    form = search.form
    context = {"search": search, "form": form, "page_obj": None, "results": [], "count": 0}
    # The search itself, carried to the profiles and guides it links to.
    carried = clean_search_string(request.GET.urlencode())
    context["profile_query"] = urlencode({SEARCH_PARAMETER: carried}) if carried else ""
    context["guide_query"] = guide_query(request.GET, carried)
    context["filters_open"] = search.panel_should_open()
    if search.is_valid():
        unit = units.unit_for(search.place.country) if search.place else "mi"
        results = search.result_page(request.GET.get("page"))
        context.update(
            unit=unit,
            radius_text=units.radius_text(form.cleaned_data["radius"], unit),
            understood=understood_chips(search, request.GET),
            search_summary=search_summary(search, unit),
            # Folded to one line on a phone once there is a search to show results for.
            form_folded=any(value.strip() for key, value in request.GET.items() if key != "page"),
            page_obj=results.page,
            results=cards.result_cards(results.page.object_list, unit),
            count=results.count,
            more_results=results.more,
            max_results=MAX_RESULTS,
        )
        nearest = nearest_beyond_radius(search, unit) if results.count == 0 and search.place else []
        context["nearest"] = nearest
        context["nearest_distance"] = nearest[0].distance_text if nearest else ""
        context["nearest_limit"] = units.radius_text(NEAREST_LIMIT_MILES, unit)
        context["active_filters"] = [
            (
                active,
                "?"
                + (
                    _with_words(request.GET, _understood_words(search))
                    if active.parameter == "q"
                    else query_string(request.GET, drop=(active.parameter, active.value))
                ),
            )
            for active in search.active_filters()
        ]
        # "More filters (2 chosen)": the filters inside the fold only, never the words.
        context["panel_filter_count"] = len([a for a in search.active_filters() if a.parameter != "q"])
        context["sort_order"] = search.sort_order()
        shown = context["results"] or nearest
        center = (search.place.latitude, search.place.longitude) if search.place else None
        areas = maps.results_areas([result.card for result in shown], query=context["profile_query"])
        context["map_data"] = maps.map_data("results-map", areas, center) if areas else None
        context["wider_searches"] = [
            (units.radius_text(miles, unit), "?" + query_string(request.GET, radius=str(miles)))
            for miles in wider_radii(form.cleaned_data.get("radius"), nearest[0].distance if nearest else None)
        ]
    else:
        context["did_you_mean"] = [
            (place.label, "?" + query_string(request.GET, near=place.label)) for place in search.place_choices
        ]
    context["place"] = search.place
    context["radius"] = form.cleaned_data.get("radius") if hasattr(form, "cleaned_data") else None
    context["page_query"] = query_string(request.GET)
    context["parameter_labels"] = PARAMETER_LABELS
    # Every results page has its guides, a search with errors or no results included.
    context["guides"] = guides_for_search(
        service_slugs=_guide_slugs(request.GET, "service"),
        phase_slugs=_guide_slugs(request.GET, "phase"),
        candidates=page_cache.for_edition("guide-candidates", load_candidates),
    )
    if form.errors:
        title = "Check your search"
    elif search.place:
        title = f"Therapists near {search.place.label}"
    else:
        title = "Find a therapist"
    content = str(render_to_string("directory/search/_content.html", context))
    return {"title": title, "content": content, "errors": bool(form.errors)}


def _understood_words(search: TherapistFilter) -> str:
    """The typed words that were read as filters: what stays when the other words are removed."""
    reading = search.reading
    return " ".join(item.typed for item in reading.understood)


def _listed_profile(slug: str) -> Profile:
    """A listed therapist by slug, or 404 for anyone else."""
    return get_object_or_404(Profile.objects.listed(), slug=slug)


def public_location(location: Location) -> dict:
    """A location as patients may see it: the street and exact position only if the therapist opted in."""
    return {
        "address_line": location.address_line if location.show_street_address else "",
        "city": location.city,
        "region": location.region,
        "postcode": location.postcode,
        "country": location.country,
        "latitude": location.published_latitude,
        "longitude": location.published_longitude,
        "travel_radius_miles": location.travel_radius_miles,
        # In the unit people use where the therapist works ("13 km" in Canada).
        "travel_radius_text": units.radius_text(location.travel_radius_miles, units.unit_for(location.country))
        if location.travel_radius_miles
        else "",
    }


@replica_reads
@require_safe
def therapist_detail(request: HttpRequest, slug: str) -> HttpResponse:
    profile = _listed_profile(slug)
    load_card_parts([profile])
    guides = guides_for_profile(service_slugs=[service.slug for service in profile.card_services])
    carried = carried_search(request.GET)
    response = render(
        request,
        "directory/profile/detail.html",
        {
            "profile": profile,
            "locations": [public_location(location) for location in profile.card_locations],
            "guides": guides,
            "form": EnquiryForm() if profile.accepting_new_clients else None,
            "retention_days": settings.ENQUIRY_RETENTION_DAYS,
            "carried_search": carried,
            "guide_query": guide_query(QueryDict(carried), carried),
            "map_data": maps.map_data("profile-map", maps.location_areas(profile, profile.card_locations), None),
        },
    )
    return maps.allow_tiles(response)


@noindex
@never_cache
@require_http_methods(["GET", "POST"])
def therapist_enquiry(request: HttpRequest, slug: str) -> HttpResponse:
    profile = _listed_profile(slug)
    # Not taking new clients: no form, and nothing sent is kept; the page says where to look instead.
    form = EnquiryForm(request.POST or None) if profile.accepting_new_clients else None
    # The search the patient came from: a hidden field, never anything they wrote in the form.
    carried = carried_search(request.POST if request.method == "POST" else request.GET)
    if request.method == "POST" and form is not None:
        if form.is_spam():
            # Answer a robot as if it succeeded, so it learns nothing; keep nothing.
            return _sent_redirect(profile, carried)
        if form.is_valid():
            if not consume(request, action="enquiry", key=form.sender_key()):
                return render(request, "429.html", status=429)
            enquiry = form.save(commit=False)
            enquiry.profile = profile
            # The enquiry and its notice's task row are saved together: the
            # worker emails the therapist, so a slow mail server never holds the patient.
            with transaction.atomic():
                enquiry.save()
                notifications.send_enquiry_notice(enquiry)
                if form.cleaned_data.get("send_copy"):
                    notifications.send_enquiry_receipt(enquiry)
            return _sent_redirect(profile, carried)
    return render(
        request,
        "directory/enquiries/form.html",
        {
            "profile": profile,
            "form": form,
            "retention_days": settings.ENQUIRY_RETENTION_DAYS,
            "carried_search": carried,
            "profile_query": urlencode({SEARCH_PARAMETER: carried}) if carried else "",
        },
    )


def _sent_redirect(profile: Profile, carried: str) -> HttpResponse:
    """To the thank-you page; its address carries the search's filters only, nothing the patient wrote."""
    url = reverse("enquiry_sent", kwargs={"slug": profile.slug})
    if carried:
        url += "?" + urlencode({SEARCH_PARAMETER: carried})
    return redirect(url)


@noindex
@require_safe
def enquiry_sent(request: HttpRequest, slug: str) -> HttpResponse:
    profile = _listed_profile(slug)
    carried = carried_search(request.GET)
    return render(
        request,
        "directory/enquiries/sent.html",
        {
            "profile": profile,
            "carried_search": carried,
            "profile_query": urlencode({SEARCH_PARAMETER: carried}) if carried else "",
        },
    )


# --- Concerns about a listing


@never_cache
@require_http_methods(["GET", "POST"])
def therapist_concern(request: HttpRequest, slug: str) -> HttpResponse:
    """Anyone may report a concern. It is saved before any email, rate-limited with the
    site's one limiter, and kept out of search engines."""
    profile = _listed_profile(slug)
    form = ConcernForm(request.POST or None)
    if request.method == "POST":
        if form.is_spam():
            return redirect("concern_sent", slug=profile.slug)
        if form.is_valid():
            if not consume(request, action="concern"):
                return render(request, "429.html", status=429)
            data = form.cleaned_data
            services.report_concern(
                profile=profile, reason=data["reason"], details=data["details"], email=data["email"]
            )
            return redirect("concern_sent", slug=profile.slug)
    response = render(
        request,
        "directory/profile/concern.html",
        {"profile": profile, "form": form},
        status=400 if form.errors else 200,
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def concern_sent(request: HttpRequest, slug: str) -> HttpResponse:
    profile = _listed_profile(slug)
    response = render(request, "directory/profile/concern_sent.html", {"profile": profile})
    response["X-Robots-Tag"] = "noindex"
    return response
