"""The search as JSON: the same FilterSet as the page, the fields PRODUCT.md lists and nothing else.

Never documents, notes, emails or enquiries: every value below is chosen by
name, and credentials are the verified, unexpired ones only.
"""

from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from config.db_routing import replica_reads
from directory.geo import units
from directory.models import Profile
from directory.search import cache as page_cache
from directory.search import cards
from directory.search.cards import load_card_parts
from directory.search.filterset import TherapistFilter
from directory.views.public import public_location, query_string


def _page_url(request: HttpRequest, number: int) -> str:
    query = query_string(request.GET, page=str(number))
    return request.build_absolute_uri(f"{request.path}?{query}")


def therapist_fields(profile: Profile) -> dict:
    """What the API says of a therapist in every search; the profile carries its card parts
    (directory/search/cards.py). Searches keep it per therapist, day and search edition (``cards.kept``)."""
    locations = []
    for location in profile.card_locations:
        public = public_location(location)
        locations.append(
            {key: public[key] for key in ("city", "region", "postcode", "country", "latitude", "longitude")}
        )
    return {
        "slug": profile.slug,
        "name": profile.display_name,
        "headline": profile.headline,
        "path": profile.get_absolute_url(),
        "services": [service.slug for service in profile.card_services],
        "session_places": profile.session_places,
        "accepting_new_clients": profile.accepting_new_clients,
        "languages": [language.code for language in profile.card_languages],
        "locations": locations,
        "verified_credentials": [public_credential(credential) for credential in profile.verified_credentials],
    }


def therapist_json(request: HttpRequest, fields: dict, *, distance: float | None = None, with_distance: bool) -> dict:
    """One therapist as the API gives it: ``therapist_fields`` with the address in full and, in a
    search by place, the distance."""
    result = {key: fields[key] for key in ("slug", "name", "headline")}
    result["url"] = request.build_absolute_uri(fields["path"])
    if with_distance:
        # Whole numbers, as the page shows them: measured to the published, rounded point.
        known = distance is not None
        result["distance_miles"] = units.whole_miles(distance) if known else None
        result["distance_km"] = units.whole_km(distance) if known else None
    result.update((key, value) for key, value in fields.items() if key not in result and key != "path")
    return result


def public_credential(credential) -> dict:
    """What was checked, how, where and when; numbers only for licences and registrations."""
    data = {
        "kind": credential.kind,
        "issuer": credential.issuer,
        "jurisdiction": credential.jurisdiction,
        "verified_on": credential.verified_on.isoformat() if credential.verified_on else None,
        "expires_on": credential.expires_on.isoformat() if credential.expires_on else None,
        "method": credential.method,
        "checked_on": credential.verified_on.isoformat() if credential.verified_on else None,
        "source": credential.source,
    }
    if credential.kind in credential.REGISTER_KINDS:
        data.update(identifier=credential.identifier, lookup_url=credential.lookup_url or None)
    if credential.kind in credential.TRAINING_KINDS:
        data.update(training_hours=credential.training_hours, hands_on=credential.hands_on)
    return data


def _error(status: int, detail: str, **extra) -> JsonResponse:
    return JsonResponse({"detail": detail, **extra}, status=status)


@replica_reads
@require_safe
def therapist_list(request: HttpRequest) -> JsonResponse:
    with page_cache.edition_for_request() as edition:
        return _therapist_list(request, edition)


def _therapist_list(request: HttpRequest, edition: int) -> JsonResponse:
    key = page_cache.cache_key(request, "api", edition)
    body = page_cache.get(key)
    if body is not None:
        return JsonResponse(body)
    search = TherapistFilter(request.GET, queryset=Profile.objects.listed())
    if not search.is_valid():
        errors = {field: [str(message) for message in messages] for field, messages in search.errors.items()}
        extra = {}
        if search.place_choices:
            extra["place_choices"] = [place.label for place in search.place_choices]
        return _error(400, "Some search parameters are not valid.", errors=errors, **extra)
    try:
        results = search.result_page(request.GET.get("page"), lenient=False)
    except PageNotAnInteger:
        return _error(400, "Some search parameters are not valid.", errors={"page": ["Give the page as a number."]})
    except EmptyPage:
        return _error(404, "There is no such page of results.")
    page = results.page
    with_distance = search.place is not None
    # Say which place a name was taken to mean, so a client can show it.
    searched = {"place": search.place.label} if with_distance else {}
    # What the words were read as (the same reading as the page), and the words searched as text.
    reading = search.reading
    if reading.words:
        searched["understood"] = [
            {"parameter": item.key, "value": item.slug, "words": item.typed, "corrected_to": item.corrected_to or None}
            for item in reading.understood
        ]
        searched["words"] = reading.rest
    rows = list(page.object_list)
    found = cards.kept("api", [row.pk for row in rows], therapist_fields)
    body = {
        **searched,
        "count": results.count,
        # The search lists at most MAX_RESULTS therapists; true when more match.
        "more": results.more,
        "next": _page_url(request, page.next_page_number()) if page.has_next() else None,
        "previous": _page_url(request, page.previous_page_number()) if page.has_previous() else None,
        "results": [
            therapist_json(request, found[row.pk], distance=row.distance, with_distance=with_distance)
            for row in rows
            if row.pk in found  # not listed any more since the search ran
        ],
    }
    page_cache.put(key, body)
    return JsonResponse(body)


@replica_reads
@require_safe
def therapist_detail(request: HttpRequest, slug: str) -> JsonResponse:
    profile = Profile.objects.listed().filter(slug=slug).first()
    if profile is None:
        return _error(404, "No listed therapist has that address.")
    load_card_parts([profile])
    return JsonResponse(therapist_json(request, therapist_fields(profile), with_distance=False))
