"""Each profile's vocabulary links (services, phases, …) also stored as bit sets, for the search.

A search filter such as "speaks Spanish" used to test the link table once per
candidate (an EXISTS per filter): in a dense city with narrow filters that is
thousands of index look-ups. With the links also stored on the profile row as
one integer per vocabulary (bit n set when the profile is linked to the entry
with id n), the filter is a bit test on a row the search reads anyway.

Like ``listed_until``, the bits are derived data: ``refresh_facets`` writes
them in one UPDATE, and listing.refresh_listing calls it, so every code path
that changes a profile's links (signals in directory/signals.py, the bulk
seeder) keeps them in step. Entries whose id does not fit in the bits (63 and
above) are left out of them; a filter on such an entry tests the link table.
"""

from django.apps import apps
from django.db.models import BigIntegerField, F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce

# Profile relation -> the field holding its bits.
FACETS = {
    "services": "service_bits",
    "phases": "phase_bits",
    "care_settings": "care_setting_bits",
    "cancer_types": "cancer_type_bits",
    "languages": "language_bits",
}
# Bits 0..62 of a signed 64-bit integer.
MAX_BIT = 62


def mask(ids) -> int | None:
    """The bits of these vocabulary ids, or None when one of them does not fit."""
    ids = list(ids)
    if any(not 0 <= pk <= MAX_BIT for pk in ids):
        return None
    total = 0
    for pk in ids:
        total |= 1 << pk
    return total


def _bits(Profile, relation: str) -> Subquery:
    field = Profile._meta.get_field(relation)
    through = field.remote_field.through
    target = f"{field.m2m_reverse_field_name()}_id"
    one = Cast(Value(1), BigIntegerField())
    # Each (profile, entry) link appears once, so the sum of the powers of two is their union.
    links = (
        through.objects.filter(profile_id=OuterRef("pk"), **{f"{target}__lte": MAX_BIT})
        .order_by()
        .values("profile_id")
        .annotate(bits=Sum(one.bitleftshift(Cast(F(target), IntegerField()))))
        .values("bits")
    )
    return Coalesce(Subquery(links, output_field=BigIntegerField()), Value(0), output_field=BigIntegerField())


def facet_values(Profile) -> dict:
    """The bits of every vocabulary as expressions for an UPDATE of profiles."""
    return {bits: _bits(Profile, relation) for relation, bits in FACETS.items()}


def refresh_facets(profiles, registry=apps) -> int:
    """Store the bits of every vocabulary for a queryset of profiles, in one UPDATE."""
    return profiles.update(**facet_values(registry.get_model("directory", "Profile")))
