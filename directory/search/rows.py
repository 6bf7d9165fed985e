"""The search rows: what a search with a place reads, one row per location of a listed profile.

A search filter such as "speaks Spanish" or "accepting new clients" would
otherwise open the profile of every location in the box around the place
(thousands in a dense city). Each row holds its location's published point,
the travel radius of a home-visit area, the last day its profile is listed
and ``terms``: the profile's vocabulary links and search options as words,
each between spaces (`` s3 s7 l2 accepting visit:home gender:woman ``). A
filter is then a test on the row that the index gives: any of a parameter's
terms, and every parameter. Vocabularies of any size fit.

``write_search_rows`` is the only writer, and listing.refresh_listing, which
the services call after every change to a profile, its links, locations or
credentials, is the only caller besides the bulk loads.
"""

from collections import defaultdict

from django.db.models import F, Value

from directory.models import Location, Profile, SearchRow
from directory.search.terms import OPTION_TERMS, VOCABULARY_TERMS, gender_term, term_bits, terms_text, vocabulary_term

# Profiles written per round of queries.
CHUNK = 2000


def vocabulary_links(ids: list[int], db: str | None = None):
    """(relation, profile id, entry id) for every vocabulary link of these profiles, in one query
    (on ``db``, else where the database router sends reads)."""
    parts = []
    for relation in VOCABULARY_TERMS:
        field = Profile._meta.get_field(relation)
        target = f"{field.m2m_reverse_field_name()}_id"
        links = field.remote_field.through.objects
        parts.append(
            (links.using(db) if db else links.all())
            .filter(profile_id__in=ids)
            .annotate(relation=Value(relation), entry=F(target))
            .values_list("relation", "profile_id", "entry")
        )
    return parts[0].union(*parts[1:], all=True)


def write_search_rows(profiles) -> int:
    """Replace the search rows of a queryset of profiles: one per location of each with a
    stored listing (``listed_until``; a search compares it with its day). Returns the rows written."""
    db = profiles.db
    SearchRow.objects.using(db).filter(profile__in=profiles.values("pk")).delete()
    fields = ("pk", "listed_until", "gender", *OPTION_TERMS)
    listed = list(profiles.filter(listed_until__isnull=False).order_by("pk").values_list(*fields))
    written = 0
    for start in range(0, len(listed), CHUNK):
        chunk = {row[0]: row for row in listed[start : start + CHUNK]}
        terms = defaultdict(list)
        for relation, profile_id, entry in vocabulary_links(list(chunk), db):
            terms[profile_id].append(vocabulary_term(relation, entry))
        for pk, _until, gender, *options in chunk.values():
            terms[pk].extend(term for term, on in zip(OPTION_TERMS.values(), options, strict=True) if on)
            if gender:
                terms[pk].append(gender_term(gender))
        rows = [
            SearchRow(
                location_id=location_id,
                profile_id=profile_id,
                published_latitude=latitude,
                published_longitude=longitude,
                listed_until=chunk[profile_id][1],
                home_radius_miles=radius if chunk[profile_id][fields.index("visits_home")] else None,
                terms=terms_text(terms[profile_id]),
                term_bits=term_bits(terms[profile_id]),
            )
            for location_id, profile_id, latitude, longitude, radius in Location.objects.using(db)
            .filter(profile_id__in=list(chunk))
            .values_list("pk", "profile_id", "published_latitude", "published_longitude", "travel_radius_miles")
        ]
        SearchRow.objects.using(db).bulk_create(rows, batch_size=500)
        written += len(rows)
    return written
