"""The pages patients use: the search, a therapist's profile, the enquiry form."""

import logging
from urllib.parse import urlencode

from allauth.core.ratelimit import consume
from django.conf import settings
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from directory.filters import MAX_RADIUS_MILES, PAGE_SIZE, PARAMETER_LABELS, TherapistFilter
from directory.forms_public import EnquiryForm
from directory.geo import public_coordinates
from directory.models import Enquiry, Location, Profile
from directory.queries import haversine_miles_expression
from guides.models import Guide

logger = logging.getLogger(__name__)

NEAREST_BEYOND_RADIUS = 3
# Multi-valued parameters read for the guide panel even when the form is invalid.
MAX_VALUES_PER_PARAMETER = 20


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


def nearest_beyond_radius(search: TherapistFilter) -> list[Profile]:
    """The nearest listed therapists matching everything but the distance, nearest first."""
    place = search.place
    nearest_locations = (
        Location.objects.filter(profile__in=search.without_place().values("pk"))
        .annotate(distance=haversine_miles_expression(place.latitude, place.longitude))
        .order_by("distance", "id")
        .values_list("profile_id", flat=True)[: NEAREST_BEYOND_RADIUS * 10]
    )
    profile_ids: list[int] = []
    for profile_id in nearest_locations:
        if profile_id not in profile_ids:
            profile_ids.append(profile_id)
        if len(profile_ids) == NEAREST_BEYOND_RADIUS:
            break
    if not profile_ids:
        return []
    return list(
        Profile.objects.listed()
        .filter(pk__in=profile_ids)
        .with_distance(place.latitude, place.longitude)
        .for_cards()
        .order_by("distance", "id")
    )


def _guide_slugs(params: QueryDict, name: str) -> list[str]:
    return [value[:80] for value in params.getlist(name)[:MAX_VALUES_PER_PARAMETER]]


@require_safe
def therapist_search(request: HttpRequest) -> HttpResponse:
    search = TherapistFilter(request.GET, queryset=Profile.objects.listed())
    form = search.form
    context = {"search": search, "form": form, "page_obj": None, "results": [], "count": 0}
    if search.is_valid():
        paginator = Paginator(search.qs.for_cards(), PAGE_SIZE)
        page_obj = paginator.get_page(request.GET.get("page"))
        context.update(page_obj=page_obj, results=page_obj.object_list, count=paginator.count)
        context["nearest"] = nearest_beyond_radius(search) if paginator.count == 0 and search.place else []
        context["active_filters"] = [
            (active, "?" + query_string(request.GET, drop=(active.parameter, active.value)))
            for active in search.active_filters()
        ]
        context["sort_order"] = search.sort_order()
        context["wider_query"] = query_string(request.GET, radius=str(MAX_RADIUS_MILES))
    else:
        context["did_you_mean"] = [
            (place.label, "?" + query_string(request.GET, near=place.label)) for place in search.place_choices
        ]
    context["place"] = search.place
    context["radius"] = form.cleaned_data.get("radius") if hasattr(form, "cleaned_data") else None
    context["page_query"] = query_string(request.GET)
    context["parameter_labels"] = PARAMETER_LABELS
    context["guides"] = Guide.objects.for_search(
        _guide_slugs(request.GET, "service"), _guide_slugs(request.GET, "phase")
    )
    return render(request, "directory/search/results.html", context)


def _listed_profile(slug: str) -> Profile:
    """A listed therapist by slug, or 404 for anyone else."""
    return get_object_or_404(Profile.objects.listed(), slug=slug)


def public_location(location: Location) -> dict:
    """A location as patients may see it: the street and exact position only if the therapist opted in."""
    if location.show_street_address:
        latitude, longitude = location.latitude, location.longitude
    else:
        latitude, longitude = public_coordinates(location.latitude, location.longitude)
    return {
        "address_line": location.address_line if location.show_street_address else "",
        "city": location.city,
        "region": location.region,
        "postcode": location.postcode,
        "country": location.country,
        "latitude": latitude,
        "longitude": longitude,
        "travel_radius_miles": location.travel_radius_miles,
    }


@require_safe
def therapist_detail(request: HttpRequest, slug: str) -> HttpResponse:
    profile = get_object_or_404(
        Profile.objects.listed()
        .for_cards()
        .prefetch_related("phases", "care_settings", "cancer_types")
        .with_last_verified(),
        slug=slug,
    )
    guides = Guide.objects.for_search(
        [service.slug for service in profile.services.all()], [phase.slug for phase in profile.phases.all()]
    )
    return render(
        request,
        "directory/profile/detail.html",
        {
            "profile": profile,
            "locations": [public_location(location) for location in profile.locations.all()],
            "guides": guides,
            "form": EnquiryForm(),
            "retention_days": settings.ENQUIRY_RETENTION_DAYS,
        },
    )


def notify_therapist(request: HttpRequest, enquiry: Enquiry) -> None:
    """Tell the therapist an enquiry is waiting. The email carries no patient name or message.

    The enquiry is already saved: a mail failure is logged (without any
    patient data) and never reaches the patient.
    """
    body = render_to_string(
        "directory/enquiries/notification_email.txt",
        {
            "profile": enquiry.profile,
            "inbox_url": request.build_absolute_uri(reverse("enquiry_list")),
            "site_name": settings.SITE_NAME,
        },
    )
    try:
        send_mail(
            f"New enquiry on {settings.SITE_NAME}",
            body,
            None,
            [enquiry.profile.user.email],
        )
    except Exception as error:  # any mail failure must leave the saved enquiry alone
        logger.warning("Enquiry %s saved; its notification email failed (%s).", enquiry.pk, type(error).__name__)
        return
    Enquiry.objects.filter(pk=enquiry.pk).update(notified_at=timezone.now())


@never_cache
@require_http_methods(["GET", "POST"])
def therapist_enquiry(request: HttpRequest, slug: str) -> HttpResponse:
    profile = _listed_profile(slug)
    form = EnquiryForm(request.POST or None)
    if request.method == "POST":
        if form.is_spam():
            # Answer a robot as if it succeeded, so it learns nothing; keep nothing.
            return redirect("enquiry_sent", slug=profile.slug)
        if form.is_valid():
            if not consume(request, action="enquiry", key=form.sender_key()):
                return render(request, "429.html", status=429)
            enquiry = form.save(commit=False)
            enquiry.profile = profile
            enquiry.save()
            notify_therapist(request, enquiry)
            return redirect("enquiry_sent", slug=profile.slug)
    return render(
        request,
        "directory/enquiries/form.html",
        {"profile": profile, "form": form, "retention_days": settings.ENQUIRY_RETENTION_DAYS},
    )


@require_safe
def enquiry_sent(request: HttpRequest, slug: str) -> HttpResponse:
    profile = _listed_profile(slug)
    return render(request, "directory/enquiries/sent.html", {"profile": profile})
