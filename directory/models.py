"""The directory's data: therapists' profiles, where they work, their
credentials and the append-only record of every review action."""

import secrets
import time
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from directory.geo.offline import public_coordinates
from directory.search.nearest import ProfileQuerySet
from directory.storage import private_storage

# The published standard for oncology training (S4OM's foundational criteria):
# at least this many hours, including supervised hands-on practice, or a CLT.
TRAINING_STANDARD_HOURS = 24
# A verified licence or registration stops counting this long after its re-check date.
RECHECK_GRACE = timedelta(days=30)


class Vocabulary(models.Model):
    """A short, administrator-edited list of words a profile picks from."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Service(Vocabulary):
    description = models.CharField(max_length=200, blank=True)


class Phase(Vocabulary):
    """A treatment phase: newly diagnosed, in active treatment, …"""


class CareSetting(Vocabulary):
    """Where the therapist has worked with people with cancer."""


class CancerType(Vocabulary):
    pass


class Language(Vocabulary):
    code = models.CharField(max_length=12, unique=True, help_text="A language tag such as en or es.")


def _random_name(prefix: str, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:5]
    return f"{prefix}/{secrets.token_hex(16)}{suffix}"


def photo_upload_to(instance, filename: str) -> str:
    return _random_name("photos", filename)


def evidence_upload_to(instance, filename: str) -> str:
    """A random name with the extension of the type the file's first bytes showed
    (uploads.check_evidence), never the one it was uploaded with."""
    from directory.uploads import EVIDENCE_EXTENSIONS

    extension = EVIDENCE_EXTENSIONS.get(instance.evidence_content_type, "")
    return f"evidence/{secrets.token_hex(16)}{extension}"


# Written by their own writers, never by Profile.save (see there).
DERIVED_PROFILE_FIELDS = frozenset({"listed_until", "last_verified_on", "search_text", "search_vector"})


class Profile(models.Model):
    class Gender(models.TextChoices):
        WOMAN = "woman", "Woman"
        MAN = "man", "Man"
        NON_BINARY = "non-binary", "Non-binary"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    slug = models.SlugField(max_length=80, unique=True)
    display_name = models.CharField(
        max_length=120, help_text="Your name as it appears on your licence or registration."
    )
    headline = models.CharField(max_length=160, blank=True)
    bio = models.TextField(blank=True, max_length=4000)
    photo = models.ImageField(upload_to=photo_upload_to, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    gender = models.CharField(
        max_length=20, choices=Gender.choices, blank=True, help_text="Optional. Used only as a search filter."
    )
    languages = models.ManyToManyField(Language, blank=True, related_name="profiles")
    years_practice = models.PositiveSmallIntegerField("years in massage practice", null=True, blank=True)
    years_oncology = models.PositiveSmallIntegerField("years working with people with cancer", null=True, blank=True)
    care_settings = models.ManyToManyField(CareSetting, blank=True, related_name="profiles")
    phases = models.ManyToManyField(Phase, blank=True, related_name="profiles")
    cancer_types = models.ManyToManyField(CancerType, blank=True, related_name="profiles")
    services = models.ManyToManyField(Service, blank=True, related_name="profiles")

    visits_practice = models.BooleanField("sessions at my practice", default=False)
    visits_home = models.BooleanField("home visits", default=False)
    visits_hospital = models.BooleanField("hospital or hospice visits", default=False)

    fee_min = models.PositiveIntegerField("lowest fee per session", null=True, blank=True)
    fee_max = models.PositiveIntegerField("highest fee per session", null=True, blank=True)
    fee_currency = models.CharField(max_length=3, default="USD")
    sliding_scale = models.BooleanField("sliding scale fees", default=False)
    free_sessions = models.BooleanField("some free sessions", default=False)
    accessible_premises = models.BooleanField("step-free, accessible premises", default=False)
    accepting_new_clients = models.BooleanField(default=True)

    class ReplyTime(models.TextChoices):
        DAY = "day", "within a day"
        TWO_DAYS = "two_days", "within two days"
        FEW_DAYS = "few_days", "within three to five days"
        WEEK = "week", "within a week"

    # Shown to patients before they send an enquiry, so they know when to expect an answer.
    usual_reply_time = models.CharField(max_length=10, choices=ReplyTime.choices, blank=True)
    accepting_confirmed_on = models.DateField(null=True, blank=True)

    website = models.URLField(blank=True)
    phone = models.CharField(max_length=40, blank=True)

    submitted_at = models.DateTimeField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.TextField(blank=True)
    # A new name waits here until a reviewer checks it against the licence; the
    # verified name stays on the page until then.
    pending_display_name = models.CharField(max_length=120, blank=True, editable=False)

    # The listing rule, stored for speed (see listing.refresh_listing): the last
    # day this profile is listed given its current data, compared with
    # today's date at query time, so expiry still delists with no job.
    listed_until = models.DateField(null=True, blank=True, editable=False)
    # The most recent verification of any of its credentials ("recently verified" sort).
    last_verified_on = models.DateField(null=True, blank=True, editable=False)

    # Denormalised text over name, headline, services and bio for free-text
    # search; written by the code that changes those (see search.py).
    search_text = models.TextField(blank=True, editable=False)
    # PostgreSQL's weighted full-text vector of the same parts (name A,
    # headline and services B, bio C); stays empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        ordering = ["display_name", "id"]
        indexes = [
            models.Index(fields=["listed_until"], name="profile_listed_until"),
            models.Index(fields=["last_verified_on", "id"], name="profile_last_verified"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(fee_min__isnull=True) | Q(fee_max__isnull=True) | Q(fee_min__lte=models.F("fee_max")),
                name="profile_fee_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(years_oncology__isnull=True)
                | Q(years_practice__isnull=True)
                | Q(years_oncology__lte=models.F("years_practice")),
                name="profile_oncology_years_within_practice_years",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        # What is derived from the profile is written by its own writers only (the stored
        # listing by listing.refresh_listing, the search text by search.words): saving an
        # instance loaded before they ran must not put their old values back.
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in DERIVED_PROFILE_FIELDS
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("therapist_detail", kwargs={"slug": self.slug})

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def session_places(self) -> list[str]:
        places = []
        if self.visits_practice:
            places.append("practice")
        if self.visits_home:
            places.append("home")
        if self.visits_hospital:
            places.append("hospital")
        return places


def lock_profiles(ids, using: str | None = None) -> None:
    """Lock profile rows, by id (a list or a subquery), until the transaction ends
    (PostgreSQL; SQLite has one writer at a time).

    A change to a location or credential refreshes its profile's stored
    listing, which writes the profile row and then its search rows
    (listing.refresh_listing). Taking the profile row first on every such
    change means two writers never wait on each other in opposite orders.
    """
    lock = Profile.objects.using(using).select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
    list(lock.values_list("pk", flat=True))


class ProfilePart(models.Model):
    """A row that belongs to one profile (a location, a credential): saved with its profile's row
    locked first, and deleted so; the services that delete many take the same lock."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using")):
            lock_profiles([self.profile_id], kwargs.get("using"))
            super().save(*args, **kwargs)

    def delete(self, using=None, keep_parents=False):
        with transaction.atomic(using=using):
            lock_profiles([self.profile_id], using)
            return super().delete(using=using, keep_parents=keep_parents)


class Location(ProfilePart):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="locations")
    address_line = models.CharField("street address", max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField("state, county or province", max_length=100, blank=True)
    postcode = models.CharField("ZIP or postcode", max_length=20, blank=True)
    country = models.CharField(max_length=2, default="US", help_text="Two-letter country code, such as US or GB.")
    latitude = models.FloatField()
    longitude = models.FloatField()
    show_street_address = models.BooleanField(
        default=False, help_text="Show the street address to patients. Otherwise only the town and postcode show."
    )
    # The only point patients see and the only one a search measures from: the
    # exact point when the street address is shown, else rounded to about 1 km,
    # so that distances from many places cannot locate the practice any closer.
    published_latitude = models.FloatField(editable=False, default=0.0)
    published_longitude = models.FloatField(editable=False, default=0.0)
    travel_radius_miles = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For home visits: how far you travel from here, in miles."
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            # The plain search by place (ProfileQuerySet.near): a box of coordinates from the index.
            models.Index(fields=["published_latitude", "published_longitude", "profile"], name="location_point"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="location_coordinates_in_range",
            ),
        ]

    def __str__(self) -> str:
        return ", ".join(part for part in [self.city, self.region, self.postcode] if part)

    def save(self, *args, **kwargs):
        self.set_published_point()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"latitude", "longitude", "show_street_address"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "published_latitude", "published_longitude"}
        super().save(*args, **kwargs)

    def set_published_point(self) -> None:
        if self.show_street_address:
            self.published_latitude, self.published_longitude = self.latitude, self.longitude
        else:
            self.published_latitude, self.published_longitude = public_coordinates(self.latitude, self.longitude)


# What a search reads from a search row's index entry: its point, listing day, terms and profile.
SEARCH_ROW_BOX = ["published_latitude", "published_longitude", "listed_until", "term_bits", "terms", "profile"]


class SearchRow(models.Model):
    """One location of a listed profile, as the search reads it: derived data.

    Everything a search with a place filters and sorts on, in one row per
    location: its published point, its home-visit reach, the last day its
    profile is listed, and ``terms``, the profile's vocabulary links and
    search options as words (directory/search/rows.py). Written only by
    listing.refresh_listing, with the stored listing it is derived from; a
    search reads a box of these rows from one index and opens no profile.
    """

    location = models.OneToOneField(
        Location, primary_key=True, on_delete=models.CASCADE, related_name="search_row", editable=False
    )
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="search_rows", editable=False)
    published_latitude = models.FloatField(editable=False)
    published_longitude = models.FloatField(editable=False)
    listed_until = models.DateField(editable=False)
    # The location's travel radius when its profile visits homes: a home-visit area.
    home_radius_miles = models.PositiveSmallIntegerField(null=True, editable=False)
    terms = models.TextField(editable=False)
    # A Bloom filter of the terms, tested before them (directory/search/terms.py).
    term_bits = models.BigIntegerField(editable=False)

    class Meta:
        indexes = [
            # A box of coordinates, with what the search tests, read from the index alone.
            models.Index(fields=SEARCH_ROW_BOX, name="search_row_box"),
            # Home-visit areas: a partial index, as most locations have none.
            models.Index(
                fields=[*SEARCH_ROW_BOX[:3], "home_radius_miles", *SEARCH_ROW_BOX[3:]],
                condition=Q(home_radius_miles__isnull=False),
                name="search_row_home_area",
            ),  # fmt: skip
            # The largest travel radius, read from the end of this index.
            models.Index(
                fields=["home_radius_miles"], condition=Q(home_radius_miles__isnull=False), name="search_row_reach"
            ),
        ]

    def __str__(self) -> str:
        return f"Search row of location {self.location_id}"


class Credential(ProfilePart):
    class Kind(models.TextChoices):
        LICENCE = "licence", "Licence or registration to practise massage"
        VOLUNTARY_REGISTER = "voluntary_register", "Registration on a voluntary register (such as CNHC or CAMTC)"
        MEMBERSHIP = "membership", "Membership of a professional body that checks qualifications and insurance"
        UNREGULATED = "unregulated", "Statement: massage is not regulated where I practise (does not list on its own)"
        ONCOLOGY_TRAINING = "oncology_training", "Oncology massage training"
        CLT = "clt", "Lymphedema therapist certification (CLT)"
        MLD = "mld", "Manual lymphatic drainage certification"
        BOARD = "board", "Board certification"
        INSURANCE = "insurance", "Professional liability insurance"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Not accepted"
        WITHDRAWN = "withdrawn", "Withdrawn"
        # A verified version replaced by its verified revision; kept for the history.
        REPLACED = "replaced", "Replaced by a newer version"

    class Method(models.TextChoices):
        REGISTRY = "registry", "Registry look-up at the primary source"
        DOCUMENT = "document", "Document review"
        ISSUER = "issuer", "Confirmed with the issuer"

    # Kinds that give a right to practise checked at a source. A statement
    # (Kind.UNREGULATED) is not among them: it never lists anyone.
    PRACTISE_KINDS = (Kind.LICENCE, Kind.VOLUNTARY_REGISTER, Kind.MEMBERSHIP)
    # Kinds with a number on a public register (shown to patients, linked to the look-up).
    REGISTER_KINDS = (Kind.LICENCE, Kind.VOLUNTARY_REGISTER)
    # Kinds that show oncology-specific training.
    ONCOLOGY_KINDS = (Kind.ONCOLOGY_TRAINING, Kind.CLT)
    # Kinds whose expiry date is required.
    EXPIRING_KINDS = (Kind.LICENCE, Kind.INSURANCE)
    # Kinds where training hours apply.
    TRAINING_KINDS = (Kind.ONCOLOGY_TRAINING, Kind.CLT, Kind.MLD)
    # Changing any of these on a verified credential sends it back to review.
    SUBSTANCE_FIELDS = (
        "kind", "issuer", "identifier", "jurisdiction", "issued_on", "expires_on", "training_hours", "hands_on",
        "evidence",
    )  # fmt: skip

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    issuer = models.CharField(max_length=200, help_text="Who issued it: a state board, a school, an insurer.")
    identifier = models.CharField("licence or certificate number", max_length=80, blank=True)
    jurisdiction = models.CharField(
        max_length=100, blank=True, help_text="Where it applies, such as New York or England."
    )
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    training_hours = models.PositiveSmallIntegerField(null=True, blank=True)
    evidence = models.FileField(storage=private_storage, upload_to=evidence_upload_to, blank=True)
    evidence_content_type = models.CharField(max_length=40, blank=True, editable=False)
    hands_on = models.BooleanField("included supervised hands-on practice", null=True, blank=True)
    # A change to a verified credential waits here as a new row until a reviewer decides.
    revises = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="revisions", editable=False
    )

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    verified_on = models.DateField(null=True, blank=True)
    method = models.CharField(max_length=12, choices=Method.choices, blank=True)
    reference = models.CharField(max_length=300, blank=True, help_text="For example the registry entry consulted.")
    name_matches = models.BooleanField(default=False)
    # What the reviewer saw at the source (verification standard).
    source = models.CharField("register or source consulted", max_length=200, blank=True)
    register_status = models.CharField("status shown at the register", max_length=80, blank=True)
    disciplinary_action = models.BooleanField("the register shows a public disciplinary action", null=True)
    # Re-check: the next day it is due and the last day it still counts when overdue.
    recheck_due_on = models.DateField(null=True, blank=True)
    recheck_cutoff_on = models.DateField(null=True, blank=True, editable=False)
    note_to_therapist = models.TextField(blank=True)
    internal_note = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [("review_credentials", "Can review credentials and suspend profiles")]
        indexes = [
            models.Index(fields=["status", "created_at"], name="credential_status_created"),
            models.Index(fields=["profile", "status", "kind"], name="credential_profile_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(issued_on__isnull=True)
                | Q(expires_on__isnull=True)
                | Q(expires_on__gt=models.F("issued_on")),
                name="credential_expires_after_issue",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["licence", "insurance"]) | Q(expires_on__isnull=False),
                name="credential_licence_and_insurance_expire",
            ),
            models.CheckConstraint(
                condition=~Q(status="verified") | (Q(reviewed_by__isnull=False) & Q(verified_on__isnull=False)),
                name="credential_verified_has_reviewer",
            ),
            # A licence (jurisdiction + number) is verified for one profile
            # only (services.licence_verified_elsewhere); a renewal keeps its
            # number, so only an identical second verified row is refused here.
            models.UniqueConstraint(
                Lower("jurisdiction"),
                Lower("identifier"),
                "expires_on",
                condition=Q(kind="licence", status="verified"),
                name="credential_licence_term_verified_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.issuer}"

    def save(self, *args, **kwargs):
        # The last day an overdue re-check still counts, kept with the due date it follows from.
        self.recheck_cutoff_on = self.recheck_due_on + RECHECK_GRACE if self.recheck_due_on else None
        if "update_fields" in kwargs and kwargs["update_fields"] and "recheck_due_on" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "recheck_cutoff_on"}
        super().save(*args, **kwargs)

    @property
    def jurisdiction_entry(self):
        from directory import jurisdictions

        return jurisdictions.find(self.jurisdiction)

    @property
    def lookup_url(self) -> str:
        entry = self.jurisdiction_entry
        return entry.lookup_url if entry and self.kind in self.REGISTER_KINDS else ""

    @property
    def shows_number(self) -> bool:
        """Licence and registration numbers are public, so patients can look them up."""
        return bool(self.identifier) and self.kind in self.REGISTER_KINDS

    @property
    def register_short_name(self) -> str:
        """ "CNHC" for "Complementary and Natural Healthcare Council (CNHC)"; else the whole name."""
        name = self.source or self.issuer
        return name[name.rfind("(") + 1 : -1] if name.endswith(")") and "(" in name else name

    @property
    def checked_sentence(self) -> str:
        """How and when it was checked, in a patient's words: no more than the record holds."""
        if self.verified_on is None:
            return ""
        when = date_format(self.verified_on, settings.DATE_FORMAT)
        if self.method == self.Method.REGISTRY:
            source = self.source or self.issuer
            place = source if source.lower().startswith("the ") else f"the {source}"
            return f"Checked at {place} on {when}"
        if self.method == self.Method.ISSUER:
            return f"Confirmed with {self.issuer} on {when}"
        return f"Document checked by our reviewers on {when}"

    @property
    def meets_training_standard(self) -> bool:
        if self.kind == self.Kind.CLT:
            return True
        return (
            self.kind == self.Kind.ONCOLOGY_TRAINING
            and (self.training_hours or 0) >= TRAINING_STANDARD_HOURS
            and self.hands_on is True
        )

    def is_recheck_overdue(self, today=None) -> bool:
        """More than the grace period past its re-check date: it no longer counts for listing."""
        today = today or timezone.localdate()
        return self.recheck_cutoff_on is not None and self.recheck_cutoff_on < today

    def is_expired(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.expires_on is not None and self.expires_on < today

    def is_current(self, today=None) -> bool:
        """Verified and not expired: it counts toward listing."""
        return self.status == self.Status.VERIFIED and not self.is_expired(today)

    def expires_within(self, days: int, today=None) -> bool:
        today = today or timezone.localdate()
        if self.expires_on is None or self.is_expired(today):
            return False
        return (self.expires_on - today).days <= days


class VerificationEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("Verification events cannot be changed.")

    def delete(self):
        raise PermissionDenied("Verification events cannot be deleted.")

    def keep_without_person(self, *, profile_label: str, credential_label: str = "") -> int:
        """The one change events allow: when a therapist deletes their account,
        their events stay, detached from the profile and credential that go,
        named by a label, with the note (which can hold personal details) emptied."""
        fields = {"profile": None, "credential": None, "note": "", "profile_label": profile_label}
        if credential_label:
            fields["credential_label"] = credential_label
        return super().update(**fields)

    def forget_actor(self, user) -> int:
        """Events the deleted person took themselves (a submission) keep no link to them."""
        return models.QuerySet.update(self.filter(actor=user), actor=None)


class VerificationEvent(models.Model):
    """One review action, recorded once and never changed."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        RETURNED = "returned", "Returned to review after a change"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Not accepted"
        EXPIRED = "expired", "Expired"
        WITHDRAWN = "withdrawn", "Withdrawn"
        SUSPENDED = "suspended", "Profile suspended"
        REINSTATED = "reinstated", "Profile reinstated"
        EVIDENCE_OPENED = "evidence_opened", "Evidence opened"
        REVISION_SUBMITTED = "revision_submitted", "Change submitted for review"
        RECHECKED = "rechecked", "Re-checked at the source"
        ACTION_DECIDED = "action_decided", "Disciplinary action considered by an administrator"
        CONCERN_REPORTED = "concern_reported", "Concern reported"
        CONCERN_RESOLVED = "concern_resolved", "Concern resolved"

    # Empty only after the therapist deleted their account (keep_without_person);
    # PROTECT still stops any other deletion of a profile or credential with a history.
    profile = models.ForeignKey(Profile, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    profile_label = models.CharField(
        max_length=80, blank=True, editable=False, help_text="Names a deleted profile, e.g. “Deleted profile 12”."
    )
    credential_label = models.CharField(max_length=120, blank=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for actions the system took, such as expiry.",
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = VerificationEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["profile", "created_at"], name="event_profile_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(profile__isnull=False) | ~Q(profile_label=""), name="event_names_its_profile"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("Verification events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Verification events cannot be deleted.")


class CredentialReminder(models.Model):
    """A reminder already sent about a credential's expiry, so none goes twice."""

    class Kind(models.TextChoices):
        DAYS_30 = "30_days", "30 days before expiry"
        DAYS_7 = "7_days", "7 days before expiry"
        EXPIRED = "expired", "Expired"
        RECHECK = "recheck", "Re-check overdue: 14 days before the listing pauses"

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    expires_on = models.DateField(help_text="The expiry (or re-check) date the reminder was about.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["credential", "kind", "expires_on"], name="reminder_sent_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder for credential {self.credential_id}"


class Enquiry(models.Model):
    """A patient's message to one therapist. Health details: kept briefly, shown only after login."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="enquiries")
    name = models.CharField(max_length=120)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    message = models.TextField(max_length=3000)
    consent = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "enquiries"
        constraints = [
            models.CheckConstraint(condition=Q(consent=True), name="enquiry_requires_consent"),
        ]

    def __str__(self) -> str:
        return f"Enquiry for {self.profile} on {self.created_at:%Y-%m-%d}"


class SearchEditionManager(models.Manager):
    def advance(self) -> None:
        """Raise the edition number, in the caller's transaction."""
        if not self.filter(pk=SearchEdition.ROW).update(number=F("number") + 1):
            self.get_or_create(pk=SearchEdition.ROW, defaults={"number": 1})

    def beyond_any_used(self) -> int:
        """Start an edition numbered past any the database can have used, and return it.

        After a restore from a backup the edition goes back, and numbers already
        used (with pages and vocabularies cached under them) would come
        round again. The clock's seconds since 1970 stay ahead of the count of
        changes made since the last such jump, which is far fewer.
        """
        jump = int(time.time())
        if not self.filter(pk=SearchEdition.ROW).update(number=Greatest(F("number") + 1, Value(jump))):
            self.get_or_create(pk=SearchEdition.ROW, defaults={"number": jump})
        return self.get(pk=SearchEdition.ROW).number


class SearchEdition(models.Model):
    """One row whose number goes up with every change to what the search pages show.

    Cached search pages are filed under it (directory/search/cache.py): a change
    makes every cached page unreachable in the same transaction that makes it.
    """

    ROW = 1

    number = models.PositiveBigIntegerField(default=0)

    objects = SearchEditionManager()

    def __str__(self) -> str:
        return f"Search edition {self.number}"


class Concern(models.Model):
    """Someone's concern about a listing: saved first, shown to reviewers beside
    the profile, resolved with an outcome recorded as a verification event."""

    class Reason(models.TextChoices):
        NOT_QUALIFIED = "not_qualified", "They may not be qualified"
        UNSAFE = "unsafe", "Unsafe practice"
        WRONG_DETAILS = "wrong_details", "Wrong details on the listing"
        OTHER = "other", "Something else"

    class Outcome(models.TextChoices):
        NO_ACTION = "no_action", "No action needed"
        CORRECTED = "corrected", "Details corrected"
        SUSPENDED = "suspended", "Listing suspended"

    profile = models.ForeignKey(Profile, on_delete=models.PROTECT, related_name="concerns")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    details = models.TextField(max_length=3000)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    resolution_note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | (~Q(outcome="") & ~Q(resolution_note="")),
                name="concern_resolution_has_outcome_and_note",
            ),
        ]

    def __str__(self) -> str:
        return f"Concern about {self.profile} on {self.created_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
