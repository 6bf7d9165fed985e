"""Hand-written builders for the test people: a listed therapist, a pending
one, a reviewer, an outsider. Each returns saved objects with sensible,
plainly fictional defaults; keyword arguments override them."""

import itertools
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from directory.listing import refresh_once
from directory.models import Credential, Location, Profile, Service
from directory.search.words import refresh_search_text
from directory.services import listing_changed

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


def make_user(email: str | None = None, *, verified: bool = True, password: str = PASSWORD, **fields) -> User:
    n = next(_counter)
    email = email or f"person{n}@example.test"
    user = User.objects.create_user(email=email, password=password, **fields)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    return user


def make_reviewer(email: str | None = None, **fields) -> User:
    user = make_user(email, is_staff=True, **fields)
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


def make_profile(user: User | None = None, *, services=("oncology-massage",), **fields) -> Profile:
    user = user or make_user()
    n = next(_counter)
    defaults = dict(
        slug=f"test-therapist-{n}",
        display_name=f"Test Therapist {n}",
        headline="Gentle oncology massage for people in treatment",
        bio="I adapt every session to your treatment and how you feel that day.",
        years_practice=10,
        years_oncology=5,
        visits_practice=True,
    )
    defaults.update(fields)
    profile = Profile.objects.create(user=user, **defaults)
    profile.services.set(Service.objects.filter(slug__in=services))
    refresh_search_text(profile)
    listing_changed(profile)
    return profile


def add_location(profile: Profile, **fields) -> Location:
    defaults = dict(city="New York", region="NY", postcode="10001", country="US", latitude=40.7484, longitude=-73.9967)
    defaults.update(fields)
    location = Location.objects.create(profile=profile, **defaults)
    listing_changed(profile)
    return location


def add_credential(
    profile: Profile,
    kind: str = Credential.Kind.LICENCE,
    *,
    status: str = Credential.Status.PENDING,
    reviewer: User | None = None,
    **fields,
) -> Credential:
    n = next(_counter)
    today = timezone.localdate()
    defaults = dict(
        issuer="Test State Board of Massage Therapy"
        if kind == Credential.Kind.LICENCE
        else "Test School of Oncology Massage",
        identifier=f"TEST-{n:06d}",
        jurisdiction="New York",
        issued_on=today - timedelta(days=700),
        expires_on=today + timedelta(days=365) if kind in Credential.EXPIRING_KINDS else None,
    )
    if kind in Credential.TRAINING_KINDS:
        defaults["training_hours"] = 32
        defaults["hands_on"] = True
    defaults.update(fields)
    credential = Credential(profile=profile, kind=kind, status=status, **defaults)
    if status == Credential.Status.VERIFIED:
        credential.reviewed_by = reviewer or make_reviewer()
        credential.reviewed_at = timezone.now()
        credential.verified_on = today
        credential.method = Credential.Method.REGISTRY
        credential.name_matches = True
        if kind in Credential.REGISTER_KINDS:
            credential.source = credential.source or "Test State Board of Massage Therapy"
            credential.register_status = credential.register_status or "Active"
            credential.disciplinary_action = False
    credential.save()
    listing_changed(profile)
    return credential


def make_listed_profile(
    user: User | None = None, *, reviewer: User | None = None, location: dict | None = None, **fields
) -> Profile:
    """A therapist patients can find: complete, submitted, verified, located."""
    reviewer = reviewer or make_reviewer()
    with refresh_once():  # its stored listing, once, when it is all there
        profile = make_profile(user, submitted_at=timezone.now(), **fields)
        add_location(profile, **(location or {}))
        add_credential(profile, Credential.Kind.LICENCE, status=Credential.Status.VERIFIED, reviewer=reviewer)
        add_credential(profile, Credential.Kind.ONCOLOGY_TRAINING, status=Credential.Status.VERIFIED, reviewer=reviewer)
    return profile


# What a reviewer records after looking a licence up at its register.
LOOKED_UP = dict(source="New York State Office of the Professions", register_status="Active", disciplinary_action=False)


def days_from_today(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def save_all(queryset, **fields) -> None:
    """Change rows the way the services do, one save() each, then store what the
    listing rule and the search derive from their profiles (services.listing_changed)."""
    changed = set()
    for obj in queryset.all():
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.save()
        changed.add(obj.pk if isinstance(obj, Profile) else obj.profile_id)
    listing_changed(*changed)


def changed(*profiles) -> None:
    """After a test changed profiles, their links, locations or credentials through the ORM,
    as a service does: store what the listing rule and the search derive from them."""
    listing_changed(*profiles)
