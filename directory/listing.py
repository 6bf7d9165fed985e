"""The listing rule: who patients may see.

A profile is listed if and only if every condition below holds:

1. it was submitted for review;
2. it is complete (name, headline, bio, years with cancer, a service, where
   sessions take place);
3. it is not suspended;
4. it has a right to practise checked at a source: a verified licence or
   registration (where massage is regulated), or a verified registration on a
   voluntary register or professional-body membership (where it is not); a
   statement by the therapist never counts;
5. it has verified oncology training that meets the published standard: at
   least 24 hours with supervised hands-on practice, or a CLT;
6. it has at least one location (a practice, or the base of a home-visit area).

A credential counts through its "valid through" day: the earlier of its
expiry (``expires_on``, in the site's time zone) and, for a right to
practise, the last day of its re-check grace (``recheck_cutoff_on``, 30 days
after the re-check date).

Each condition is declared once, in ``RULE``: as a filter on profiles on a
given day, with the words a therapist sees when it fails. Everything else is
derived from that one declaration:

- ``listed_q(today)``: the rule as a database filter;
- ``refresh_listing``: the rule's outcome stored as the last day a profile is
  listed (``Profile.listed_until``), which ``Profile.objects.listed()``
  compares with today, and the search rows derived from it. It is the one
  writer of what a search reads: the services (directory/services.py) call
  it after every change to a profile, its links, locations or credentials;
  the admin saves through them;
- ``reasons_not_listed``: the failing conditions of one profile, in plain words;
- ``is_listed``, with or without one credential (``dashboard``: "removing this
  would take you off the directory").

Tests prove the stored outcome and the declared rule agree.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date

from django.db import router, transaction
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.db.models.lookups import IsNull
from django.utils import timezone

from directory.models import TRAINING_STANDARD_HOURS, Credential, Location, Profile, SearchEdition, Service
from directory.search.rows import write_search_rows


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


# --- Condition 2: the parts a complete profile has ------------------------------------


@dataclass(frozen=True)
class Part:
    """A part of a complete profile: a filter for profiles that have it, and what to say when it is missing."""

    code: str
    present: Callable[[], Q]
    message: str


PARTS = (
    Part("missing_display_name", lambda: ~Q(display_name=""), "Add your name as it appears on your licence."),
    Part("missing_headline", lambda: ~Q(headline=""), "Add a one-line headline."),
    Part("missing_bio", lambda: ~Q(bio=""), "Write a short description of your work (your bio)."),
    Part(
        "missing_years_oncology",
        lambda: Q(years_oncology__isnull=False),
        "Say how many years you have worked with people with cancer.",
    ),
    Part(
        "missing_services",
        lambda: Q(Exists(Service.profiles.through.objects.filter(profile_id=OuterRef("pk")))),
        "Choose at least one service you offer.",
    ),
    Part(
        "missing_session_places",
        lambda: Q(visits_practice=True) | Q(visits_home=True) | Q(visits_hospital=True),
        "Say where you see clients: at your practice, in their home, or in hospital or hospice.",
    ),
)


def _which_hold(profile, conditions: dict[str, Q]) -> dict[str, bool]:
    """For one saved profile, whether each named filter holds, in one query."""
    if profile.pk is None:
        return dict.fromkeys(conditions, False)
    columns = {name: ExpressionWrapper(q, output_field=BooleanField()) for name, q in conditions.items()}
    row = Profile.objects.filter(pk=profile.pk).values(**columns).first() or {}
    return {name: bool(row.get(name)) for name in conditions}


def missing_parts(profile) -> list[Reason]:
    """The parts a profile lacks before it can be submitted (and listed), from its saved row."""
    present = _which_hold(profile, {part.code: part.present() for part in PARTS})
    return [Reason(part.code, part.message) for part in PARTS if not present[part.code]]


def complete_q() -> Q:
    condition = Q()
    for part in PARTS:
        condition &= part.present()
    return condition


# --- Conditions on credentials ------------------------------------------------------------

# A credential without an expiry date (or re-check) counts as valid until this day.
FAR_FUTURE = date(9999, 12, 31)


def valid_through():
    """The last day a credential counts: the earlier of its expiry and the end of its re-check grace."""
    return Least(Coalesce("expires_on", Value(FAR_FUTURE)), Coalesce("recheck_cutoff_on", Value(FAR_FUTURE)))


def valid_on_q(today: date) -> Q:
    """Credentials not expired on ``today``: valid through their expiry day."""
    return Q(expires_on__isnull=True) | Q(expires_on__gte=today)


def recheck_current_q(today: date) -> Q:
    """Credentials not more than the grace period past their re-check date on ``today``."""
    return Q(recheck_cutoff_on__isnull=True) | Q(recheck_cutoff_on__gte=today)


def training_standard_q() -> Q:
    """Oncology training that meets the published standard, or a CLT."""
    return Q(kind=Credential.Kind.CLT) | Q(
        kind=Credential.Kind.ONCOLOGY_TRAINING, training_hours__gte=TRAINING_STANDARD_HOURS, hands_on=True
    )


@dataclass(frozen=True)
class Condition:
    """One condition of the listing rule.

    ``holds(today, without)``: the profiles it holds for on ``today`` (as if the
    credential with id ``without`` were gone). ``explain(profile, today)``: why
    it fails for a profile, in the therapist's words. A condition on
    credentials also has ``kinds`` and ``standard``: it holds while a verified
    credential of those kinds meeting the standard counts, so it also gives
    the last day it holds (``lasts``) for the stored listing.
    """

    code: str
    explain: Callable[..., list[Reason]]
    profile_q: Callable[[], Q] | None = None
    kinds: tuple[str, ...] = ()
    standard: Callable[[], Q] = field(default=Q)

    def credentials(self, without: int | None = None):
        """The profile's verified credentials that could meet the condition, as a subquery."""
        counted = Credential.objects.filter(
            self.standard(), profile_id=OuterRef("pk"), status=Credential.Status.VERIFIED, kind__in=self.kinds
        )
        return counted.exclude(pk=without) if without is not None else counted

    def holds(self, today: date, without: int | None = None) -> Q:
        if self.profile_q is not None:
            return self.profile_q()
        counting = self.credentials(without).filter(valid_on_q(today), recheck_current_q(today))
        return Q(Exists(counting))

    def lasts(self) -> Subquery | None:
        """The last day the condition holds as the data stand (NULL when it never does); None when it has no end."""
        if self.profile_q is not None:
            return None
        latest = self.credentials().annotate(until=valid_through()).order_by("-until").values("until")[:1]
        return Subquery(latest, output_field=DateField())


def _current(profile, today: date, kinds) -> list:
    """The profile's verified, unexpired credentials of these kinds."""
    return [c for c in profile.credentials.all() if c.kind in kinds and c.is_current(today)]


def _why_no_right_to_practise(profile, today: date) -> list[Reason]:
    if _current(profile, today, Credential.PRACTISE_KINDS):
        return [RECHECK_OVERDUE]
    statements = [c for c in profile.credentials.all() if c.kind == Credential.Kind.UNREGULATED]
    if any(c.status != Credential.Status.WITHDRAWN for c in statements):
        return [STATEMENT_ONLY]
    return [NO_PRACTISE_CREDENTIAL]


def _why_no_oncology_training(profile, today: date) -> list[Reason]:
    if _current(profile, today, Credential.ONCOLOGY_KINDS):
        return [TRAINING_BELOW_STANDARD]
    return [NO_ONCOLOGY_CREDENTIAL]


NOT_SUBMITTED = Reason("not_submitted", "You have not submitted your profile for review yet.")
SUSPENDED = Reason("suspended", "Your profile is suspended. Our reviewers have written to you with the reason.")
RECHECK_OVERDUE = Reason(
    "recheck_overdue",
    "Your licence or registration is more than 30 days past its re-check. Our reviewers will check it "
    "again at the register; reply to their email if they asked you for anything.",
)
STATEMENT_ONLY = Reason(
    "statement_only",
    "A statement that massage is not regulated where you work does not list you on its own. Add a "
    "registration on a voluntary register (such as CNHC) or a membership of a professional body that "
    "checks qualifications and insurance.",
)
NO_PRACTISE_CREDENTIAL = Reason(
    "no_practise_credential",
    "You need a verified, unexpired licence or registration to practise massage (or, where "
    "massage is not regulated, a verified voluntary registration or professional-body membership).",
)
TRAINING_BELOW_STANDARD = Reason(
    "training_below_standard",
    "Your oncology training is shown on your profile but does not meet our standard on its own: at least "
    "24 hours including supervised hands-on practice, or a CLT.",
)
NO_ONCOLOGY_CREDENTIAL = Reason(
    "no_oncology_credential",
    "You need a verified oncology massage training or lymphedema therapist (CLT) credential.",
)
NO_LOCATION = Reason("no_location", "Add at least one practice location or home-visit area.")


# The rule: every condition, once, in the order a therapist reads the reasons.
RULE = (
    Condition("submitted", lambda profile, today: [NOT_SUBMITTED], profile_q=lambda: Q(submitted_at__isnull=False)),
    Condition("complete", lambda profile, today: missing_parts(profile), profile_q=complete_q),
    Condition("not_suspended", lambda profile, today: [SUSPENDED], profile_q=lambda: Q(suspended_at__isnull=True)),
    Condition("right_to_practise", _why_no_right_to_practise, kinds=Credential.PRACTISE_KINDS),
    Condition(
        "oncology_training",
        _why_no_oncology_training,
        kinds=Credential.ONCOLOGY_KINDS,
        standard=training_standard_q,
    ),
    Condition(
        "location",
        lambda profile, today: [NO_LOCATION],
        profile_q=lambda: Q(Exists(Location.objects.filter(profile_id=OuterRef("pk")))),
    ),
)


# --- What is derived from the rule ------------------------------------------------------


def listed_q(today: date | None = None, *, without: int | None = None) -> Q:
    """The rule as a filter on profiles: listed on ``today`` (as if credential ``without`` were gone)."""
    today = today or timezone.localdate()
    condition = Q()
    for each in RULE:
        condition &= each.holds(today, without)
    return condition


def reasons_not_listed(profile, today: date | None = None) -> list[Reason]:
    """Why patients cannot see this profile, in the therapist's words; empty when listed."""
    today = today or timezone.localdate()
    holding = _which_hold(profile, {each.code: each.holds(today) for each in RULE})
    reasons: list[Reason] = []
    for each in RULE:
        if not holding[each.code]:
            reasons.extend(each.explain(profile, today))
    return reasons


def is_listed(profile, today: date | None = None, *, without: int | None = None) -> bool:
    """Whether the rule lists the profile on ``today`` (as if credential ``without`` were gone)."""
    if profile.pk is None:
        return False
    return Profile.objects.filter(listed_q(today, without=without), pk=profile.pk).exists()


def refresh_listing(profiles) -> int:
    """Store what the listing rule and the search derive from a queryset of profiles.

    ``listed_until`` is the last day ``listed_q`` holds given the stored data:
    when every condition without an end holds, the earliest of the last days
    of the conditions on credentials; NULL otherwise. One UPDATE, for one
    profile or for a whole bulk load; then the profiles' search rows
    (directory/search/rows.py) and a new search edition, in the same transaction.
    Outside ``refresh_once()``; inside it, the profiles wait for its end.
    """
    if deferred(profiles):
        return 0
    # Everything below reads and writes the primary, even in a request that read a replica so far.
    profiles = profiles.using(router.db_for_write(Profile))
    eligible = Q()
    last_days = []
    for each in RULE:
        lasts = each.lasts()
        if lasts is None:
            eligible &= each.profile_q()
        else:
            eligible &= Q(IsNull(lasts, False))
            last_days.append(lasts)
    last_verified = (
        Credential.objects.filter(profile_id=OuterRef("pk"), status=Credential.Status.VERIFIED)
        .order_by("-verified_on")
        .values("verified_on")[:1]
    )
    # The profile rows, their search rows and the edition change together.
    with transaction.atomic(using=profiles.db):
        changed = profiles.update(
            listed_until=Case(
                When(eligible, then=Least(*last_days) if len(last_days) > 1 else last_days[0]),
                default=Value(None),
                output_field=DateField(),
            ),
            last_verified_on=Subquery(last_verified, output_field=DateField()),
        )
        write_search_rows(profiles)
        # Cached search pages are filed under the edition (directory/search/cache.py reads it). It is
        # raised after the profiles' rows are written: every writer locks profile rows
        # first and the one edition row last, so two writers cannot wait on each other.
        SearchEdition.objects.advance()
    return changed


# The profiles changed inside refresh_once(), or None outside it.
_pending: ContextVar[set[int] | None] = ContextVar("listing_refresh_pending", default=None)


@contextmanager
def refresh_once() -> Iterator[None]:
    """Refresh the stored listing once, as the block ends, for every profile changed inside it.

    For many changes at once (a profile built step by step, the demo data):
    each would otherwise refresh its profile again. Inside the block a changed
    profile's stored listing and search rows are out of date, so nothing inside
    may read them.
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
        refresh_listing(Profile.objects.filter(pk__in=pending))


def deferred(profiles) -> bool:
    """Inside refresh_once(): note these profiles (a queryset) for its end and say so; else False."""
    pending = _pending.get()
    if pending is None:
        return False
    pending.update(profiles.values_list("pk", flat=True))
    return True
