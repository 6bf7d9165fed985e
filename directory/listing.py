"""The listing rule: who patients may see.

A profile is listed if and only if every condition below holds, checked at
query time (nothing is stored that could go stale):

1. it was submitted for review and is complete;
2. it is not suspended;
3. it has a right to practise checked at a source: a verified, unexpired
   licence or registration (where massage is regulated), or a verified
   registration on a voluntary register or professional-body membership
   (where it is not); a statement by the therapist never counts;
4. that credential is not more than 30 days past its re-check date;
5. it has verified, unexpired oncology training that meets the published
   standard: at least 24 hours with supervised hands-on practice, or a CLT;
6. it has at least one location (a practice, or the base of a home-visit area).

A credential is valid through its ``expires_on`` day in the site's time zone.

``listed_q`` gives the rule as a database filter, ``reasons_not_listed``
gives it in plain words for one profile (used by the dashboard). For speed,
``refresh_listing`` stores the rule's outcome as the last day a profile is
listed (``Profile.listed_until``); signals run it whenever a profile, its
services, locations or credentials change, and ``Profile.objects.listed()``
compares it with today's date. Tests prove all three agree.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.db import transaction
from django.db.models import Case, DateField, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from directory.search.facets import FACETS, facet_values


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


MISSING_MESSAGES = {
    "display_name": "Add your name as it appears on your licence.",
    "headline": "Add a one-line headline.",
    "bio": "Write a short description of your work (your bio).",
    "years_oncology": "Say how many years you have worked with people with cancer.",
    "services": "Choose at least one service you offer.",
    "session_places": "Say where you see clients: at your practice, in their home, or in hospital or hospice.",
}


NO_LOCATION = Reason("no_location", "Add at least one practice location or home-visit area.")


def missing_parts(profile) -> list[Reason]:
    """The parts a profile must have before it can be submitted."""
    missing = []
    for field in ("display_name", "headline", "bio"):
        if not getattr(profile, field).strip():
            missing.append(Reason(f"missing_{field}", MISSING_MESSAGES[field]))
    if profile.years_oncology is None:
        missing.append(Reason("missing_years_oncology", MISSING_MESSAGES["years_oncology"]))
    if profile.pk is None or not profile.services.all():
        missing.append(Reason("missing_services", MISSING_MESSAGES["services"]))
    if not (profile.visits_practice or profile.visits_home or profile.visits_hospital):
        missing.append(Reason("missing_session_places", MISSING_MESSAGES["session_places"]))
    return missing


def complete_q(registry=apps) -> Q:
    Service = registry.get_model("directory", "Service")
    has_service = Exists(Service.profiles.through.objects.filter(profile_id=OuterRef("pk")))
    return (
        ~Q(display_name="")
        & ~Q(headline="")
        & ~Q(bio="")
        & Q(years_oncology__isnull=False)
        & (Q(visits_practice=True) | Q(visits_home=True) | Q(visits_hospital=True))
        & Q(has_service)
    )


def valid_on_q(today: date) -> Q:
    """Credentials not expired on ``today``: valid through their expiry day."""
    return Q(expires_on__isnull=True) | Q(expires_on__gte=today)


def current_credentials(today: date):
    """Verified credentials valid on ``today``, for use in a subquery."""
    Credential = apps.get_model("directory", "Credential")
    return Credential.objects.filter(profile_id=OuterRef("pk"), status=Credential.Status.VERIFIED).filter(
        valid_on_q(today)
    )


# A credential without an expiry date counts as valid until this day.
FAR_FUTURE = date(9999, 12, 31)
# The kinds the rule asks for (as Credential.PRACTISE_KINDS and ONCOLOGY_KINDS;
# plain strings so a migration's historical models can use them).
PRACTISE_KINDS = ("licence", "voluntary_register", "membership")
ONCOLOGY_KINDS = ("oncology_training", "clt")
VERIFIED = "verified"


# Condition 4: a right to practise stops counting 30 days after its re-check date
# (Credential.recheck_cutoff_on is that last day).
def recheck_current_q(today: date) -> Q:
    return Q(recheck_cutoff_on__isnull=True) | Q(recheck_cutoff_on__gte=today)


RECHECK_OVERDUE = Reason(
    "recheck_overdue",
    "Your licence or registration is more than 30 days past its re-check. Our reviewers will check it "
    "again at the register; reply to their email if they asked you for anything.",
)


# Condition 5: oncology training that meets the published standard.
def training_standard_q() -> Q:
    from directory.models import TRAINING_STANDARD_HOURS

    return Q(kind="clt") | Q(kind="oncology_training", training_hours__gte=TRAINING_STANDARD_HOURS, hands_on=True)


TRAINING_BELOW_STANDARD = Reason(
    "training_below_standard",
    "Your oncology training is shown on your profile but does not meet our standard on its own: at least "
    "24 hours including supervised hands-on practice, or a CLT.",
)
STATEMENT_ONLY = Reason(
    "statement_only",
    "A statement that massage is not regulated where you work does not list you on its own. Add a "
    "registration on a voluntary register (such as CNHC) or a membership of a professional body that "
    "checks qualifications and insurance.",
)


def _latest_expiry(Credential, kinds, condition: Q | None = None) -> Subquery:
    """The latest day any verified credential of these kinds counts through: its
    expiry or, for a right to practise, the last day of its re-check grace."""
    valid_through = (
        Credential.objects.filter(condition or Q(), profile_id=OuterRef("pk"), status=VERIFIED, kind__in=kinds)
        .annotate(
            valid_through=Least(
                Coalesce("expires_on", Value(FAR_FUTURE)), Coalesce("recheck_cutoff_on", Value(FAR_FUTURE))
            )
        )
        .order_by("-valid_through")
        .values("valid_through")[:1]
    )
    return Subquery(valid_through, output_field=DateField())


def _verified_q(Credential, kinds, condition: Q | None = None) -> Q:
    verified = Credential.objects.filter(condition or Q(), profile_id=OuterRef("pk"), status=VERIFIED, kind__in=kinds)
    return Q(Exists(verified))


def refresh_listing(profiles, registry=apps) -> int:
    """Store ``listed_until`` and ``last_verified_on`` for a queryset of profiles.

    ``listed_until`` is the last day ``listed_q`` holds given the stored data:
    the earlier of the latest-expiring verified licence (or statement) and the
    latest-expiring verified oncology credential, when every other condition
    holds; NULL otherwise. One UPDATE, for one profile or for a whole bulk load.
    """
    # The registry is the migration's own when a migration calls this.
    Credential = registry.get_model("directory", "Credential")
    Location = registry.get_model("directory", "Location")
    practise_kinds, oncology_kinds = PRACTISE_KINDS, ONCOLOGY_KINDS
    eligible = (
        Q(submitted_at__isnull=False)
        & complete_q(registry)
        & Q(suspended_at__isnull=True)
        & _verified_q(Credential, practise_kinds)
        & _verified_q(Credential, oncology_kinds, training_standard_q())
        & Q(Exists(Location.objects.filter(profile_id=OuterRef("pk"))))
    )
    last_verified = (
        Credential.objects.filter(profile_id=OuterRef("pk"), status=VERIFIED)
        .order_by("-verified_on")
        .values("verified_on")[:1]
    )
    # The profile rows, their locations' copies and the edition change together.
    with transaction.atomic(using=profiles.db):
        changed = profiles.update(
            listed_until=Case(
                When(
                    eligible,
                    then=Least(
                        _latest_expiry(Credential, practise_kinds),
                        _latest_expiry(Credential, oncology_kinds, training_standard_q()),
                    ),
                ),
                default=Value(None),
                output_field=DateField(),
            ),
            last_verified_on=Subquery(last_verified, output_field=DateField()),
            # The vocabulary links as bits for the search, in the same UPDATE (a migration's
            # older registry has no such fields; migrations 0009 and 0010 fill them).
            **(facet_values(registry.get_model("directory", "Profile")) if registry is apps else {}),
        )
        if registry is apps:
            copy_to_locations(profiles)
            # Cached search pages are filed under the edition (directory/search/cache.py). It is
            # raised after the profiles' rows are written: every writer locks profile rows
            # first and the one edition row last, so two writers cannot wait on each other.
            from directory.search.cache import next_edition

            next_edition()
    return changed


# The profiles changed inside refresh_once(), or None outside it.
_pending: ContextVar[set[int] | None] = ContextVar("listing_refresh_pending", default=None)


@contextmanager
def refresh_once() -> Iterator[None]:
    """Refresh the stored listing once, as the block ends, for every profile changed inside it.

    For loading many rows at once (the demo data): each save would otherwise
    refresh its profile again. Inside the block a changed profile's stored
    listing and filter bits are out of date, so nothing inside may read them.
    """
    if _pending.get() is not None:  # already inside one: the outer block refreshes
        yield
        return
    pending: set[int] = set()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    if pending:
        refresh_listing(apps.get_model("directory", "Profile").objects.filter(pk__in=pending))


def deferred(profile_ids: Iterable[int]) -> bool:
    """Inside refresh_once(): note these profiles for its end and say so; else False."""
    pending = _pending.get()
    if pending is None:
        return False
    pending.update(profile_ids)
    return True


def copy_to_locations(profiles) -> int:
    """Copy the profiles' ``listed_until`` and filter bits onto their locations, in one UPDATE.

    The search tests these copies on the location rows it reads from the
    coordinate index, and the profile rows again for the matches, so a copy
    can only ever narrow a search, never list anyone. refresh_listing calls
    this after writing the profile rows: every writer locks a profile before
    its locations.
    """
    Profile = apps.get_model("directory", "Profile")
    Location = apps.get_model("directory", "Location")
    own = Profile.objects.filter(pk=OuterRef("profile_id"))
    copies = {field: Subquery(own.values(field)[:1]) for field in ("listed_until", *FACETS.values())}
    return Location.objects.filter(profile_id__in=profiles.values("pk")).update(**copies)


def listed_q(today: date | None = None) -> Q:
    today = today or timezone.localdate()
    Credential = apps.get_model("directory", "Credential")
    Location = apps.get_model("directory", "Location")
    current = current_credentials(today)
    return (
        Q(submitted_at__isnull=False)
        & complete_q()
        & Q(suspended_at__isnull=True)
        & Q(Exists(current.filter(recheck_current_q(today), kind__in=Credential.PRACTISE_KINDS)))
        & Q(Exists(current.filter(training_standard_q())))
        & Q(Exists(Location.objects.filter(profile_id=OuterRef("pk"))))
    )


def reasons_not_listed(profile, today: date | None = None) -> list[Reason]:
    """Why patients cannot see this profile, in the therapist's words; empty when listed."""
    today = today or timezone.localdate()
    Credential = apps.get_model("directory", "Credential")
    reasons: list[Reason] = []
    if not profile.is_submitted:
        reasons.append(Reason("not_submitted", "You have not submitted your profile for review yet."))
    reasons.extend(missing_parts(profile))
    if profile.is_suspended:
        reasons.append(
            Reason("suspended", "Your profile is suspended. Our reviewers have written to you with the reason.")
        )
    credentials = [c for c in profile.credentials.all()]
    current = [c for c in credentials if c.is_current(today)]
    practise = [c for c in current if c.kind in Credential.PRACTISE_KINDS]
    if not any(not c.is_recheck_overdue(today) for c in practise):
        if practise:
            reasons.append(RECHECK_OVERDUE)
        elif any(c.kind == Credential.Kind.UNREGULATED for c in credentials if c.status != "withdrawn"):
            reasons.append(STATEMENT_ONLY)
        else:
            reasons.append(
                Reason(
                    "no_practise_credential",
                    "You need a verified, unexpired licence or registration to practise massage (or, where "
                    "massage is not regulated, a verified voluntary registration or professional-body membership).",
                )
            )
    oncology = [c for c in current if c.kind in Credential.ONCOLOGY_KINDS]
    if not any(c.meets_training_standard for c in oncology):
        if oncology:
            reasons.append(TRAINING_BELOW_STANDARD)
        else:
            reasons.append(
                Reason(
                    "no_oncology_credential",
                    "You need a verified oncology massage training or lymphedema therapist (CLT) credential.",
                )
            )
    if not profile.locations.all():
        reasons.append(NO_LOCATION)
    return reasons


def is_listed(profile, today: date | None = None) -> bool:
    return not reasons_not_listed(profile, today)
