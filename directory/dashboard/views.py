"""The therapist's own pages: the dashboard, the profile, practice locations
and credentials, and submitting the profile for review.

Every page is private (``never_cache``) and needs a signed-in user with a
verified email address. Objects reached by id go through the ``_own_*``
helpers, which answer 404 for anything that is not the user's own.
"""

import logging
from dataclasses import dataclass
from datetime import date

from allauth.account.decorators import verified_email_required
from allauth.core.ratelimit import consume
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from directory import services
from directory.dashboard.forms import AccountDeleteForm, CredentialForm, LocationForm, ProfileForm
from directory.geo.offline import Place
from directory.listing import is_listed, reasons_not_listed
from directory.models import Credential, Location, Profile, VerificationEvent
from directory.storage import STORAGE_FAILED

EXPIRY_WARNING_DAYS = 30
MAX_LOCATIONS = 10
RECENT_EVENTS = 10
logger = logging.getLogger(__name__)

# Events the therapist sees on the dashboard; opening evidence is the reviewers' own audit trail.
DASHBOARD_EVENT_ACTIONS = [
    action for action in VerificationEvent.Action.values if action != VerificationEvent.Action.EVIDENCE_OPENED
]
# Event notes written for the therapist; other notes may be the reviewer's internal words.
EVENT_ACTIONS_WITH_PUBLIC_NOTES = {
    VerificationEvent.Action.REJECTED,
    VerificationEvent.Action.RETURNED,
    VerificationEvent.Action.SUSPENDED,
}


def therapist_page(view):
    """Signed in, email verified, never cached."""
    return never_cache(verified_email_required(view))


# One helper per object; each is scoped to the signed-in user.


def _own_profile(request: HttpRequest) -> Profile | None:
    return Profile.objects.filter(user=request.user).first()


def _own_profile_or_404(request: HttpRequest) -> Profile:
    return get_object_or_404(Profile, user=request.user)


def _own_location(request: HttpRequest, pk: int) -> Location:
    return get_object_or_404(Location.objects.select_related("profile"), pk=pk, profile__user=request.user)


def _own_credential(request: HttpRequest, pk: int) -> Credential:
    return get_object_or_404(Credential.objects.select_related("profile"), pk=pk, profile__user=request.user)


def _upload_allowed(request: HttpRequest) -> bool:
    """Uploads count against the per-user limit; a form without a file does not."""
    if not any(uploaded.size for uploaded in request.FILES.values()):
        return True
    return consume(request, action="upload", user=request.user)


def _too_many_uploads(request: HttpRequest) -> HttpResponse:
    return render(request, "429.html", status=429)


# The dashboard.

REASON_FIXES = {
    "not_submitted": ("#submit", "Submit for review"),
    "missing_display_name": ("profile_edit", "Edit your profile"),
    "missing_headline": ("profile_edit", "Edit your profile"),
    "missing_bio": ("profile_edit", "Edit your profile"),
    "missing_years_oncology": ("profile_edit", "Edit your profile"),
    "missing_services": ("profile_edit", "Edit your profile"),
    "missing_session_places": ("profile_edit", "Edit your profile"),
    "no_location": ("location_add", "Add a location"),
    "no_practise_credential": ("credential_add", "Add a licence", "licence"),
    "no_oncology_credential": ("credential_add", "Add oncology training", "oncology_training"),
}


@dataclass(frozen=True)
class Step:
    message: str
    url: str
    action: str


# A missing verified credential may already be on its way: then the step is
# to wait for the review, not to add another.
WAITING_KINDS = {
    "no_practise_credential": Credential.PRACTISE_KINDS,
    "no_oncology_credential": Credential.ONCOLOGY_KINDS,
}


def _steps(reasons, credentials=(), submitted: bool = True) -> list[Step]:
    pending_kinds = {c.kind for c in credentials if c.status == Credential.Status.PENDING}
    waiting = (
        "Yours is waiting for review: we will email you."
        if submitted
        else "Yours is saved and goes to our reviewers when you submit your profile."
    )
    steps = []
    for reason in reasons:
        fix = REASON_FIXES.get(reason.code)
        if pending_kinds.intersection(WAITING_KINDS.get(reason.code, ())):
            steps.append(Step(f"{reason.message} {waiting}", "", ""))
            continue
        if fix is None:
            steps.append(Step(reason.message, "", ""))
            continue
        target, action, *kind = fix
        url = target if target.startswith("#") else reverse(target)
        if kind:
            url += f"?kind={kind[0]}"
        steps.append(Step(reason.message, url, action))
    return steps


@dataclass(frozen=True)
class CredentialState:
    credential: Credential
    label: str
    badge: str
    detail: str = ""
    renewable: bool = False

    @property
    def needs_document(self) -> bool:
        """A live credential without a document cannot be checked (older and demo rows may lack one)."""
        return self.credential.status != Credential.Status.WITHDRAWN and not self.credential.evidence


# A credential saved before the profile is submitted waits with it.
SAVED_UNTIL_SUBMITTED = "Saved — sent for review when you submit"


def credential_state(credential: Credential, today, profile_submitted: bool = True) -> CredentialState:
    """How a credential stands today, in the therapist's words."""
    Status = Credential.Status
    renewable = credential.kind in Credential.EXPIRING_KINDS
    if credential.status == Status.WITHDRAWN:
        return CredentialState(credential, "Withdrawn", "badge-info")
    if credential.is_expired(today):
        return CredentialState(
            credential,
            f"Expired on {credential.expires_on:%-d %B %Y}",
            "badge-bad",
            "It no longer counts toward your listing. Add the renewed one.",
            renewable,
        )
    if credential.status == Status.REJECTED:
        return CredentialState(credential, "Not accepted", "badge-bad", credential.note_to_therapist)
    expiring = credential.expires_within(EXPIRY_WARNING_DAYS, today)
    days_left = (credential.expires_on - today).days if expiring else None
    soon = ""
    if expiring:
        when = "today" if days_left == 0 else ("tomorrow" if days_left == 1 else f"in {days_left} days")
        soon = f"Expires {when}, on {credential.expires_on:%-d %B %Y}. Add the renewed one when you have it."
    if credential.status == Status.PENDING:
        label = "Waiting for review" if profile_submitted else SAVED_UNTIL_SUBMITTED
        return CredentialState(credential, label, "badge-info", soon, expiring and renewable)
    if expiring:
        return CredentialState(credential, "Expiring soon", "badge-warn", soon, renewable)
    return CredentialState(credential, f"Verified on {credential.verified_on:%-d %B %Y}", "badge-ok")


def _status_words(profile: Profile, reasons) -> tuple[str, str]:
    if profile.is_suspended:
        return "Suspended", "badge-bad"
    if not reasons:
        return "Listed: patients can find you", "badge-ok"
    if not profile.is_submitted:
        return "Draft: not submitted yet", "badge-info"
    return "Submitted, waiting for review", "badge-warn"


def _event_label(event: VerificationEvent, profile: Profile) -> str:
    """What an event says on the dashboard. A credential added to a draft was only saved:
    it reaches the reviewers with the profile."""
    if (
        event.action == VerificationEvent.Action.SUBMITTED
        and event.credential_id is not None
        and (not profile.is_submitted or event.created_at < profile.submitted_at)
    ):
        return "Saved"
    return event.get_action_display()


def _dashboard_context(request: HttpRequest, profile: Profile | None) -> dict:
    context = {"profile": profile}
    if profile is None:
        return context
    context["unread_enquiries"] = profile.enquiries.filter(read_at__isnull=True).count()
    today = timezone.localdate()
    reasons = reasons_not_listed(profile, today)
    all_credentials = list(profile.credentials.all())
    # A change to a verified credential is shown under the version it would replace.
    waiting = {c.revises_id: c for c in all_credentials if c.revises_id and c.status == Credential.Status.PENDING}
    refused = {c.revises_id: c for c in all_credentials if c.revises_id and c.status == Credential.Status.REJECTED}
    states = [
        credential_state(c, today, profile.is_submitted)
        for c in all_credentials
        if (not c.revises_id and c.status != Credential.Status.REPLACED)
        or (c.revises_id and c.status == Credential.Status.VERIFIED)
    ]
    for state in states:
        state.credential.waiting_revision = waiting.get(state.credential.pk)
        state.credential.refused_revision = refused.get(state.credential.pk)
    status, status_badge = _status_words(profile, reasons)
    events = list(
        profile.events.filter(action__in=DASHBOARD_EVENT_ACTIONS)
        .select_related("credential")
        .order_by("-created_at", "-id")[:RECENT_EVENTS]
    )
    for event in events:
        event.label = _event_label(event, profile)
    blockers = services.submission_blockers(profile) if not profile.is_submitted else []
    # What the submit checklist already asks for is not repeated in the "why not listed" list.
    blocker_codes = {blocker.code for blocker in blockers}
    context.update(
        listed=not reasons,
        reasons=_steps(
            [reason for reason in reasons if reason.code not in blocker_codes],
            profile.credentials.all(),
            profile.is_submitted,
        ),
        blockers=_steps(blockers),
        status=status,
        status_badge=status_badge,
        credentials=[s for s in states if s.credential.status != Credential.Status.WITHDRAWN],
        withdrawn=[s for s in states if s.credential.status == Credential.Status.WITHDRAWN],
        locations=list(profile.locations.all()),
        events=events,
        public_notes=EVENT_ACTIONS_WITH_PUBLIC_NOTES,
    )
    return context


def _load_profile_for_dashboard(request: HttpRequest) -> Profile | None:
    return Profile.objects.filter(user=request.user).prefetch_related("services", "locations", "credentials").first()


@therapist_page
def dashboard(request: HttpRequest) -> HttpResponse:
    profile = _load_profile_for_dashboard(request)
    return render(request, "directory/dashboard/index.html", _dashboard_context(request, profile))


@therapist_page
@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    profile = _own_profile_or_404(request)
    if profile.is_submitted:
        messages.info(request, "Your profile is already with our reviewers. Changes you make go to them too.")
        return redirect("dashboard")
    try:
        services.submit_for_review(profile=profile, actor=request.user)
    except services.SubmissionRefused as refused:
        profile = _load_profile_for_dashboard(request)
        context = _dashboard_context(request, profile)
        context["refusal"] = _steps(refused.reasons)
        return render(request, "directory/dashboard/index.html", context, status=400)
    messages.success(
        request,
        "Thank you. Your profile is submitted. Our reviewers check each credential and will email you "
        "about each decision.",
    )
    return redirect("dashboard")


# The profile.


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70].strip("-") or "therapist"
    slug, n = base, 2
    while Profile.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


@therapist_page
def profile_edit(request: HttpRequest) -> HttpResponse:
    profile = _own_profile(request)
    creating = profile is None
    if request.method == "POST":
        if not _upload_allowed(request):
            return _too_many_uploads(request)
        form = ProfileForm(request.POST, request.FILES, instance=profile)
        if form.is_valid():
            profile = form.save(commit=False)
            profile.accepting_confirmed_on = timezone.localdate()
            if creating:
                profile.user = request.user
                try:
                    _create_profile(request, form, profile)
                except OSError:
                    return _storage_failed(request, form, lambda: _profile_page(request, form, creating))
                messages.success(request, "Your profile is saved. Next, add where you practise.")
            else:
                try:
                    services.save_profile(
                        profile=profile, actor=request.user, changed_fields=form.changed_data, save_m2m=form.save_m2m
                    )
                except OSError:
                    return _storage_failed(request, form, lambda: _profile_page(request, form, creating))
                if profile.pending_display_name:
                    messages.info(
                        request,
                        "Your new name waits for our reviewers to check it against your licence. Your listing "
                        "keeps your verified name until then.",
                    )
                messages.success(request, "Your profile is saved.")
            return redirect("dashboard")
    else:
        form = ProfileForm(instance=profile)
    return _profile_page(request, form, creating)


def _profile_page(request: HttpRequest, form: ProfileForm, creating: bool) -> HttpResponse:
    return render(
        request,
        "directory/dashboard/profile_form.html",
        {"form": form, "creating": creating},
        status=400 if form.errors else 200,
    )


def _storage_failed(request: HttpRequest, form, page) -> HttpResponse:
    """The file store failed (disk full, read-only): the form again with what was typed, and 503.

    The save ran in one transaction, which rolled back, and the storage
    leaves no partial file (directory/storage.py): nothing was changed.
    """
    logger.error("A file could not be stored; the change was not saved.", exc_info=True)
    form.add_error(None, STORAGE_FAILED)
    response = page()
    response.status_code = 503
    response["Retry-After"] = "60"
    return response


def _create_profile(request: HttpRequest, form: ProfileForm, profile: Profile) -> None:
    """Save a new profile under a slug made from the name; the slug never changes afterwards."""
    for _attempt in range(5):
        profile.slug = _unique_slug(profile.display_name)
        try:
            with transaction.atomic():
                services.save_profile(
                    profile=profile, actor=request.user, changed_fields=form.changed_data, save_m2m=form.save_m2m
                )
            return
        except IntegrityError:
            if Profile.objects.filter(user=request.user).exists():
                return  # the same form sent twice: the first one made the profile
            # Someone took the same slug a moment ago; try the next free one.
            profile.pk = None
    raise IntegrityError("Could not find a free address for this profile.")


# Practice locations.


@therapist_page
def location_add(request: HttpRequest) -> HttpResponse:
    profile = _own_profile(request)
    if profile is None:
        messages.info(request, "Start your profile first; then add where you practise.")
        return redirect("profile_edit")
    if profile.locations.count() >= MAX_LOCATIONS:
        messages.error(request, f"A profile can have up to {MAX_LOCATIONS} locations. Remove one to add another.")
        return redirect("dashboard")
    return _location_page(request, profile, None)


@therapist_page
def location_edit(request: HttpRequest, pk: int) -> HttpResponse:
    location = _own_location(request, pk)
    return _location_page(request, location.profile, location)


@therapist_page
@require_POST
def location_remove(request: HttpRequest, pk: int) -> HttpResponse:
    location = _own_location(request, pk)
    services.remove_locations(Location.objects.filter(pk=location.pk))
    messages.success(request, f"The location {location} is removed.")
    return redirect("dashboard")


def _location_page(request: HttpRequest, profile: Profile, location: Location | None) -> HttpResponse:
    placement = None
    choices = []
    status = 200
    if request.method == "POST":
        form = LocationForm(request.POST, instance=location)
        if form.is_valid():
            if request.POST.get("action") == "save" and form.is_placed():
                saved = form.save(commit=False)
                saved.profile = profile
                saved.latitude = form.cleaned_data["latitude"]
                saved.longitude = form.cleaned_data["longitude"]
                services.save_location(location=saved)
                messages.success(request, f"The location {saved} is saved.")
                return redirect("dashboard")
            placement, choices = _place(form)
            if placement is not None:
                # A ZIP code alone is enough: the town comes from the place found.
                # The place found also settles the country ("Leeds, UK" typed with US left in the form).
                filled = {
                    "city": form.cleaned_data["city"] or placement.city,
                    "region": form.cleaned_data["region"] or placement.region,
                    "country": placement.country or form.cleaned_data["country"],
                }
                form = _rebind(
                    request, form, location,
                    latitude=repr(placement.latitude), longitude=repr(placement.longitude),
                    placed_for=LocationForm.fingerprint_of({**form.cleaned_data, **filled}), **filled,
                )  # fmt: skip
            elif choices:
                # Remember which address the choices belong to, so a pick only applies to it.
                picking = request.POST.get("action") == "pick"
                form = _rebind(
                    request, form, location, latitude="", longitude="", placed_for="choices:" + form.fingerprint()
                )
                if picking and not request.POST.get("place"):
                    form.add_error(None, "Choose one of the places listed, or change the address below.")
        if form.errors:
            status = 400
    else:
        form = LocationForm(instance=location)
        if location is not None:
            placement = _point(str(location), location.latitude, location.longitude)
    return render(
        request,
        "directory/dashboard/location_form.html",
        {"form": form, "location": location, "placement": placement, "choices": choices},
        status=status,
    )


def _place(form: LocationForm) -> tuple[Place | None, list]:
    """Where the typed address is: manual coordinates, one geocoder match, or the match the
    therapist picked. Adds a form error, or returns the choices, when it cannot tell."""
    data = form.cleaned_data
    if form.has_manual_coordinates():
        manual = _point("The latitude and longitude you entered", data["manual_latitude"], data["manual_longitude"])
        return manual, []
    from directory.geo import offline as geo

    query = form.geocode_query()
    result = geo.geocode(query)
    field = "postcode" if query and query[:5].isdigit() else "city"
    places = result.places
    # Namesakes in other countries are no answer when the therapist said which country.
    in_country = tuple(place for place in places if place.country == data.get("country"))
    if len(places) > 1 and in_country:
        places = in_country
    if not places:
        form.add_error(
            field,
            result.message
            or f"We could not find “{query}”. Check the spelling, try the nearest larger town, or give a US ZIP "
            "code. You can also enter the latitude and longitude yourself under “Enter the map point yourself”.",
        )
        return None, []
    if len(places) == 1:
        return places[0], []
    # Several places share the name: use the therapist's pick, if it was made for this very address.
    picked = data.get("place", "")
    if data.get("placed_for") == "choices:" + form.fingerprint() and picked.isascii() and picked.isdigit():
        index = int(picked)
        if index < len(places):
            return places[index], []
    return None, list(enumerate(places))


def _point(label: str, latitude: float, longitude: float) -> Place:
    """A place that is only a point: an existing location, or coordinates typed by hand."""
    return Place(label=label, latitude=latitude, longitude=longitude, city="", region="", postcode="", country="")


def _rebind(request: HttpRequest, form: LocationForm, location, **updates) -> LocationForm:
    """The same typed values, with the hidden placement fields updated."""
    data = request.POST.copy()
    data.pop("place", None)
    data.pop("action", None)
    for name, value in updates.items():
        data[name] = value
    rebound = LocationForm(data, instance=location)
    rebound.is_valid()
    return rebound


# Credentials.


@therapist_page
def credential_add(request: HttpRequest) -> HttpResponse:
    profile = _own_profile(request)
    if profile is None:
        messages.info(request, "Start your profile first; then add your credentials.")
        return redirect("profile_edit")
    renewing = None
    if request.method == "POST":
        if not _upload_allowed(request):
            return _too_many_uploads(request)
        form = CredentialForm(request.POST, request.FILES)
        if form.is_valid():
            credential = form.save(commit=False)
            credential.profile = profile
            try:
                services.save_credential(credential=credential, actor=request.user, changed_fields=form.changed_data)
            except OSError:
                return _storage_failed(request, form, lambda: _credential_page(request, form, None, None))
            if profile.is_submitted:
                messages.success(request, "Your credential is saved. Our reviewers will check it.")
            else:
                messages.success(request, "Saved. It will go to our reviewers when you submit your profile.")
            return redirect("dashboard")
    else:
        initial = {}
        renew = request.GET.get("renew", "")
        if renew.isascii() and renew.isdigit():
            renewing = _own_credential(request, int(request.GET["renew"]))
            initial = {"kind": renewing.kind, "issuer": renewing.issuer, "jurisdiction": renewing.jurisdiction}
        elif request.GET.get("kind") in Credential.Kind.values:
            initial = {"kind": request.GET["kind"]}
        form = CredentialForm(initial=initial)
    return _credential_page(request, form, None, renewing)


@therapist_page
def credential_edit(request: HttpRequest, pk: int) -> HttpResponse:
    credential = _own_credential(request, pk)
    if credential.status == Credential.Status.WITHDRAWN:
        messages.info(request, "A withdrawn credential cannot be changed. Add a new one instead.")
        return redirect("dashboard")
    # A change already waiting for review is edited in place; the verified version stays as it is.
    credential = credential.revisions.filter(status=Credential.Status.PENDING).first() or credential
    was_reviewed = credential.status in (Credential.Status.VERIFIED, Credential.Status.REJECTED)
    if request.method == "POST":
        if not _upload_allowed(request):
            return _too_many_uploads(request)
        form = CredentialForm(request.POST, request.FILES, instance=credential)
        if form.is_valid():
            credential = form.save(commit=False)
            try:
                saved = services.save_credential(
                    credential=credential, actor=request.user, changed_fields=form.changed_data
                )
            except OSError:
                credential.refresh_from_db()
                return _storage_failed(request, form, lambda: _credential_page(request, form, credential, None))
            except PermissionDenied:
                messages.info(request, "A withdrawn credential cannot be changed. Add a new one instead.")
                return redirect("dashboard")
            if saved.revises_id:
                messages.info(
                    request,
                    "Your change waits for review. Patients keep seeing the verified version until our "
                    "reviewers check the change.",
                )
            elif was_reviewed and saved.status == Credential.Status.PENDING:
                messages.info(request, "You changed the substance of this credential, so it goes back to review.")
            messages.success(request, "Your credential is saved.")
            return redirect("dashboard")
    else:
        form = CredentialForm(instance=credential)
    return _credential_page(request, form, credential, None)


def _credential_page(request, form, credential, renewing) -> HttpResponse:
    return render(
        request,
        "directory/dashboard/credential_form.html",
        {
            "form": form,
            "credential": credential,
            "renewing": renewing,
            "document": _document_on_file(credential) if credential is not None else None,
        },
        status=400 if form.errors else 200,
    )


@dataclass(frozen=True)
class Document:
    kind: str
    uploaded_on: date


DOCUMENT_KINDS = {"application/pdf": "PDF", "image/jpeg": "JPEG image", "image/png": "PNG image"}


def _document_on_file(credential: Credential) -> Document | None:
    """The stored evidence document, described for its owner: its type and the day it was uploaded."""
    if not credential.evidence:
        return None
    try:
        uploaded = credential.evidence.storage.get_modified_time(credential.evidence.name)
    except (OSError, NotImplementedError):
        uploaded = credential.updated_at
    uploaded_on = uploaded.date() if timezone.is_naive(uploaded) else timezone.localdate(uploaded)
    return Document(DOCUMENT_KINDS.get(credential.evidence_content_type, "file"), uploaded_on)


# What the confirmation page calls each kind ("Remove your …?").
KIND_WORDS = {
    Credential.Kind.LICENCE: "licence or registration",
    Credential.Kind.UNREGULATED: "statement that massage is not regulated where you practise",
    Credential.Kind.ONCOLOGY_TRAINING: "oncology massage training",
    Credential.Kind.CLT: "lymphedema therapist certification (CLT)",
    Credential.Kind.MLD: "manual lymphatic drainage certification",
    Credential.Kind.BOARD: "board certification",
    Credential.Kind.INSURANCE: "professional liability insurance",
    Credential.Kind.OTHER: "credential",
}
# The credentials a listing needs one of, verified: (kinds, what the page calls them).
LISTING_GROUPS = (
    (Credential.PRACTISE_KINDS, "licence"),
    (Credential.ONCOLOGY_KINDS, "oncology training or CLT certification"),
)


@therapist_page
@require_safe
def credential_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks before a credential is withdrawn; the button posts to ``credential_withdraw``."""
    credential = _own_credential(request, pk)
    if credential.status == Credential.Status.WITHDRAWN:
        messages.info(request, "This credential is already removed from your profile.")
        return redirect("dashboard")
    today = timezone.localdate()
    group_kinds, group_words = next(
        ((kinds, words) for kinds, words in LISTING_GROUPS if credential.kind in kinds), ((), "")
    )
    if credential.kind == Credential.Kind.UNREGULATED:
        group_words = "licence or statement"
    # Removing it would take the profile off the directory (the listing rule, without this credential).
    only_one = bool(group_kinds) and (
        is_listed(credential.profile, today) and not is_listed(credential.profile, today, without=credential.pk)
    )
    return render(
        request,
        "directory/dashboard/credential_remove.html",
        {
            "credential": credential,
            "kind_words": KIND_WORDS.get(credential.kind, "credential"),
            "group_words": group_words,
            "only_one": only_one,
        },
    )


@therapist_page
@require_POST
def credential_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    credential = _own_credential(request, pk)
    services.withdraw_credential(credential=credential, actor=request.user)
    messages.success(request, f"“{credential}” is removed from your profile. Its review history is kept.")
    return redirect("dashboard")


@therapist_page
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete the account, after the password is typed again; the person is signed out.

    Staff accounts are closed by an administrator instead: their review decisions point at them."""
    if request.user.is_staff:
        raise PermissionDenied("Staff accounts are closed by an administrator.")
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not consume(request, action="reauthenticate", user=request.user):
            return render(request, "429.html", status=429)
        if form.is_valid():
            services.delete_account(user=request.user)
            logout(request)
            messages.success(request, "Your account, profile and documents are deleted.")
            return redirect("home")
    return render(
        request,
        "directory/dashboard/account_delete.html",
        {"form": form, "profile": _own_profile(request)},
        status=400 if form.errors else 200,
    )
