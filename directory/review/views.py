"""The reviewers' pages: the queue, one credential with its decision forms,
one profile with suspension, and a profile search.

Every view is behind ``reviewer_required`` (staff + review permission + a
second factor in this login). A reviewer never sees the decision pages for
their own profile: those answer 403, and the services refuse too.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, DateTimeField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from directory import services
from directory.listing import reasons_not_listed
from directory.models import Concern, Credential, Profile, VerificationEvent, lock_profiles
from directory.permissions import reviewer_required
from directory.review.forms import (
    DecisionForm,
    NameDecisionForm,
    ProfileSearchForm,
    QueueFilterForm,
    ReasonForm,
    RecheckForm,
    RejectForm,
    ResolveConcernForm,
    VerifyForm,
    review_version,
)

QUEUE_PAGE_SIZE = 50
PROFILES_PAGE_SIZE = 50
Action = VerificationEvent.Action


# --- Lookups: one helper per object, 404 for unknown ids, 403 for one's own profile.


def _reviewable_credential(request: HttpRequest, pk: int, *, lock: bool = False) -> Credential:
    queryset = Credential.objects.select_related("profile__user")
    if lock:
        # The profile's row before the credential's, the order every writer takes (models.lock_profiles).
        profile_id = Credential.objects.filter(pk=pk).values_list("profile_id", flat=True).first()
        if profile_id is not None:
            lock_profiles([profile_id])
        queryset = queryset.select_for_update(of=("self",))
    credential = get_object_or_404(queryset, pk=pk)
    if credential.profile.user_id == request.user.pk:
        raise PermissionDenied("Reviewers cannot review their own profile.")
    return credential


def _reviewable_profile(request: HttpRequest, pk: int, *, lock: bool = False) -> Profile:
    queryset = Profile.objects.select_related("user")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    profile = get_object_or_404(queryset, pk=pk)
    if profile.user_id == request.user.pk:
        raise PermissionDenied("Reviewers cannot review their own profile.")
    return profile


def evidence_url(credential: Credential) -> str:
    """The authorised download view (it records the opening); evidence has no public address."""
    return reverse("credential_evidence", args=[credential.pk])


def waiting_since():
    """When a credential last came (back) into the queue: its latest
    "submitted" or "returned" event, else its creation."""
    latest_entry = (
        VerificationEvent.objects.filter(credential_id=OuterRef("pk"), action__in=[Action.SUBMITTED, Action.RETURNED])
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    return Coalesce(Subquery(latest_entry, output_field=DateTimeField()), "created_at")


# --- The queue


@never_cache
@require_GET
@reviewer_required
def review_queue(request: HttpRequest) -> HttpResponse:
    pending = Credential.objects.filter(status=Credential.Status.PENDING).exclude(profile__user=request.user)
    jurisdictions = sorted(
        {j.strip() for j in pending.exclude(jurisdiction="").values_list("jurisdiction", flat=True)}, key=str.lower
    )
    form = QueueFilterForm(request.GET or None, jurisdictions=jurisdictions)
    queue = pending.select_related("profile").annotate(waiting_since=waiting_since())
    concerns = Concern.objects.filter(resolved_at__isnull=True).exclude(profile__user=request.user)
    rechecks = services.rechecks_due().exclude(profile__user=request.user)
    names = Profile.objects.exclude(pending_display_name="").exclude(user=request.user).order_by("updated_at", "id")
    if form.is_valid():
        if q := form.cleaned_data["q"].strip():
            queue = queue.filter(profile__display_name__icontains=q)
            concerns = concerns.filter(profile__display_name__icontains=q)
            rechecks = rechecks.filter(profile__display_name__icontains=q)
            names = names.filter(Q(display_name__icontains=q) | Q(pending_display_name__icontains=q))
        if kind := form.cleaned_data["kind"]:
            queue = queue.filter(kind=kind)
        if jurisdiction := form.cleaned_data["jurisdiction"]:
            queue = queue.filter(jurisdiction__iexact=jurisdiction)
    queue = queue.order_by("waiting_since", "id")
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for credential in page.object_list:
        credential.waiting = timesince(credential.waiting_since, now, depth=1)
    concerns = list(concerns.select_related("profile").order_by("created_at", "id")[:QUEUE_PAGE_SIZE])
    for concern in concerns:
        concern.age = timesince(concern.created_at, now, depth=1)
    context = {
        "form": form,
        "page": page,
        "concerns": concerns,
        "rechecks": list(rechecks[:QUEUE_PAGE_SIZE]),
        "name_changes": list(names[:QUEUE_PAGE_SIZE]),
        "today": timezone.localdate(),
    }
    return render(request, "directory/review/queue.html", context)


# --- One credential and the decision on it


def _credential_page(
    request: HttpRequest,
    credential: Credential,
    *,
    verify_form=None,
    reject_form=None,
    recheck_form=None,
    status: int = 200,
) -> HttpResponse:
    profile = credential.profile
    same_number = Credential.objects.none()
    if credential.kind == Credential.Kind.LICENCE and credential.identifier:
        same_number = (
            Credential.objects.filter(
                kind=Credential.Kind.LICENCE,
                identifier__iexact=credential.identifier,
                jurisdiction__iexact=credential.jurisdiction,
            )
            .exclude(profile=profile)
            .exclude(status=Credential.Status.WITHDRAWN)
            .select_related("profile")
        )
    context = {
        "credential": credential,
        "profile": profile,
        "evidence_url": evidence_url(credential),
        "events": credential.events.select_related("actor"),
        "other_credentials": profile.credentials.exclude(pk=credential.pk).order_by("kind", "created_at"),
        "same_number": same_number,
        "reasons": reasons_not_listed(profile),
        "is_pending": credential.status == Credential.Status.PENDING,
        "verify_form": verify_form or VerifyForm(initial=verify_initial(credential)),
        "register_kinds": Credential.REGISTER_KINDS,
        "training_kinds": Credential.TRAINING_KINDS,
        "reject_form": reject_form or RejectForm(),
        # A change to a verified credential is shown beside the version in force.
        "revises": credential.revises,
        "compared_fields": compared_fields(credential),
        "can_recheck": credential.status == Credential.Status.VERIFIED and credential.kind in Credential.PRACTISE_KINDS,
        "recheck_form": recheck_form or RecheckForm(initial={"source": credential.source}),
        # Always what the page shows now, even when a form comes back with errors.
        "seen_version": review_version(credential),
    }
    return render(request, "directory/review/credential.html", context, status=status)


def verify_initial(credential: Credential) -> dict:
    """Start the form from the jurisdictions table's register and what the therapist typed."""
    entry = credential.jurisdiction_entry
    hands_on = {True: "yes", False: "no"}.get(credential.hands_on)
    return {
        "source": entry.register if entry and credential.kind in Credential.REGISTER_KINDS else "",
        "training_hours": credential.training_hours,
        "hands_on": hands_on,
    }


@never_cache
@require_GET
@reviewer_required
def review_credential(request: HttpRequest, pk: int) -> HttpResponse:
    return _credential_page(request, _reviewable_credential(request, pk))


# What reviewers compare between a verified credential and its waiting revision.
COMPARED_FIELDS = (
    "kind",
    "issuer",
    "identifier",
    "jurisdiction",
    "issued_on",
    "expires_on",
    "training_hours",
    "hands_on",
)


def compared_fields(credential: Credential) -> list[tuple]:
    """(label, the version in force, the change, whether it differs) for a revision; empty otherwise."""
    if not credential.revises_id:
        return []
    rows = []
    for name in COMPARED_FIELDS:
        old, new = getattr(credential.revises, name), getattr(credential, name)
        rows.append((Credential._meta.get_field(name).verbose_name, old, new, old != new))
    return rows


@never_cache
@require_POST
@reviewer_required
def recheck_credential(request: HttpRequest, pk: int) -> HttpResponse:
    form = RecheckForm(request.POST)
    with transaction.atomic():
        credential = _reviewable_credential(request, pk, lock=True)
        if form.is_valid():
            try:
                services.recheck_credential(credential=credential, reviewer=request.user, **form.cleaned_data)
            except ValidationError as error:
                credential.refresh_from_db()
                form.add_error(None, error.messages)
            else:
                messages.success(request, f"Re-check recorded: {credential} for {credential.profile}.")
                return redirect("review_queue")
    return _credential_page(request, credential, recheck_form=form, status=400)


CHANGED_SINCE_OPENED = (
    "The therapist changed this credential or their name after you opened it. "
    "Nothing was decided: look at it again below, then decide."
)


def _already_decided(credential: Credential) -> str:
    if credential.status == Credential.Status.WITHDRAWN:
        return "The therapist withdrew this credential, so there is nothing to decide."
    return f"This credential was already decided ({credential.get_status_display().lower()}). Nothing was changed."


def _decide(request: HttpRequest, pk: int, *, form: DecisionForm, decide, done: str, form_name: str) -> HttpResponse:
    """Verify or reject: under a row lock, only a pending credential, only as the reviewer saw it."""
    with transaction.atomic():
        credential = _reviewable_credential(request, pk, lock=True)
        if credential.status != Credential.Status.PENDING:
            form.is_valid()
            form.add_error(None, _already_decided(credential))
        elif form.is_valid() and form.changed_since_opened(credential):
            form.add_error(None, CHANGED_SINCE_OPENED)
        elif form.is_valid():
            try:
                decide(credential=credential, reviewer=request.user, **form.decision())
            except ValidationError as error:
                # DuplicateLicence among them: the typed values stay in the form.
                credential.refresh_from_db()
                form.add_error(None, error.messages)
            else:
                messages.success(request, done.format(credential=credential, profile=credential.profile))
                return redirect("review_queue")
    return _credential_page(request, credential, **{form_name: form})


@never_cache
@require_POST
@reviewer_required
def verify_credential(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request, pk, form=VerifyForm(request.POST), decide=services.verify_credential,
        done="Verified: {credential} for {profile}.", form_name="verify_form",
    )  # fmt: skip


@never_cache
@require_POST
@reviewer_required
def reject_credential(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request, pk, form=RejectForm(request.POST), decide=services.reject_credential,
        done="Not accepted: {credential} for {profile}. The therapist was told why.", form_name="reject_form",
    )  # fmt: skip


# --- Profiles: one profile, suspension, and a search


def _profile_page(
    request: HttpRequest,
    profile: Profile,
    *,
    reason_form=None,
    resolve_forms=None,
    name_form=None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    concerns = list(profile.concerns.select_related("resolved_by").order_by("-created_at", "-id"))
    for concern in concerns:
        concern.age = timesince(concern.created_at, now, depth=1)
        concern.form = (resolve_forms or {}).get(concern.pk) or ResolveConcernForm(prefix=f"concern-{concern.pk}")
    context = {
        "concerns": concerns,
        "name_form": name_form or NameDecisionForm(),
        "profile": profile,
        "credentials": profile.credentials.select_related("reviewed_by").order_by("kind", "created_at"),
        "locations": profile.locations.all(),
        "events": profile.events.select_related("actor", "credential"),
        "reasons": reasons_not_listed(profile),
        "reason_form": reason_form or ReasonForm(),
    }
    return render(request, "directory/review/profile.html", context, status=status)


@never_cache
@require_GET
@reviewer_required
def review_profile(request: HttpRequest, pk: int) -> HttpResponse:
    return _profile_page(request, _reviewable_profile(request, pk))


def _change_suspension(request: HttpRequest, pk: int, *, suspend: bool) -> HttpResponse:
    form = ReasonForm(request.POST)
    with transaction.atomic():
        profile = _reviewable_profile(request, pk, lock=True)
        if form.is_valid():
            change = services.suspend_profile if suspend else services.reinstate_profile
            try:
                change(profile=profile, reviewer=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                profile.refresh_from_db()
                form.add_error(None, error.messages)
            else:
                word = "suspended" if suspend else "reinstated"
                messages.success(request, f"{profile} is {word}. The therapist was emailed the reason.")
                return redirect("review_profile", pk=profile.pk)
    return _profile_page(request, profile, reason_form=form)


@never_cache
@require_POST
@reviewer_required
def suspend_profile(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_suspension(request, pk, suspend=True)


@never_cache
@require_POST
@reviewer_required
def reinstate_profile(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_suspension(request, pk, suspend=False)


@never_cache
@require_GET
@reviewer_required
def profile_list(request: HttpRequest) -> HttpResponse:
    form = ProfileSearchForm(request.GET or None)
    profiles = Profile.objects.select_related("user").annotate(
        pending_count=Count("credentials", filter=Q(credentials__status=Credential.Status.PENDING))
    )
    if form.is_valid() and (q := form.cleaned_data["q"].strip()):
        profiles = profiles.filter(Q(display_name__icontains=q) | Q(user__email__icontains=q) | Q(slug__icontains=q))
    profiles = profiles.order_by("display_name", "id")
    page = Paginator(profiles, PROFILES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "directory/review/profile_list.html", {"form": form, "page": page})


# --- Concerns and name changes


@never_cache
@require_POST
@reviewer_required
def resolve_concern(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_object_or_404(Concern, pk=pk)
    form = ResolveConcernForm(request.POST, prefix=f"concern-{concern.pk}")
    with transaction.atomic():
        profile = _reviewable_profile(request, concern.profile_id, lock=True)
        concern = Concern.objects.select_for_update().get(pk=pk)
        if form.is_valid():
            try:
                services.resolve_concern(concern=concern, reviewer=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, f"The concern about {profile} is resolved: {concern.get_outcome_display()}.")
                return redirect("review_profile", pk=profile.pk)
    profile.refresh_from_db()
    return _profile_page(request, profile, resolve_forms={concern.pk: form}, status=400)


@never_cache
@require_POST
@reviewer_required
def decide_name(request: HttpRequest, pk: int) -> HttpResponse:
    form = NameDecisionForm(request.POST)
    with transaction.atomic():
        profile = _reviewable_profile(request, pk, lock=True)
        if form.is_valid():
            try:
                services.decide_name_change(profile=profile, reviewer=request.user, **form.cleaned_data)
            except ValidationError as error:
                profile.refresh_from_db()
                form.add_error(None, error.messages)
            else:
                messages.success(request, f"Name change decided for {profile}.")
                return redirect("review_profile", pk=profile.pk)
    return _profile_page(request, profile, name_form=form, status=400)
