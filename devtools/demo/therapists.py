"""Demo therapists in every state of the journey.

Every person, clinic, street and licence number here is invented. Listed
therapists sit at real ZIP-code or town-centre coordinates so that searches
near real places find them. Each therapist is made through the same service
functions the app uses, so their verification history is real too, and
evidence files are stored through the model field exactly like uploads.

Idempotent: a therapist whose account already has a profile is left alone.
"""

import io
from dataclasses import dataclass, field
from datetime import timedelta

import zipcodes
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from accounts.models import User
from devtools.demo.people_base import DEMO_PASSWORD, ensure_user
from devtools.demo.towns import FIRST_NAMES, PLACES, SCHOOLS, SURNAMES, TOWN_CENTRES
from directory import jurisdictions, services
from directory.listing import refresh_once
from directory.models import (
    CancerType,
    CareSetting,
    Credential,
    Language,
    Location,
    Phase,
    Profile,
    Service,
    VerificationEvent,
)

# A one-page PDF, the smallest a reader opens.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

K = Credential.Kind


@dataclass
class Cred:
    kind: str
    issuer: str
    jurisdiction: str = ""
    identifier: str = ""
    issued_days_ago: int = 900
    expires_in_days: int | None = None
    hours: int | None = None
    evidence: str = "pdf"  # "pdf", "png" or ""
    outcome: str = "verified"  # "verified", "pending" or "rejected"
    note: str = ""
    hands_on: bool | None = None
    # What the reviewer saw at the register (licences and registrations).
    disciplinary_action: bool = False
    recheck_overdue_days: int = 0  # > 0: the re-check date passed this many days ago


@dataclass
class Demo:
    email: str
    name: str
    headline: str
    bio: str
    state: str  # listed, draft, complete, submitted, suspended, returned
    zip_code: str = ""
    town: str = ""
    region: str = ""
    country: str = "US"
    address_line: str = ""
    show_street_address: bool = False
    travel_radius_miles: int | None = None
    gender: str = ""
    pronouns: str = ""
    languages: tuple = ("en",)
    years_practice: int | None = 10
    years_oncology: int | None = 5
    services: tuple = ("oncology-massage",)
    phases: tuple = ("active-treatment", "survivorship")
    settings: tuple = ("private-practice",)
    cancer_types: tuple = ("breast",)
    visits: tuple = ("practice",)
    fees: tuple = (90, 130, "USD")
    sliding_scale: bool = False
    free_sessions: bool = False
    accessible: bool = False
    accepting: bool = True
    credentials: list = field(default_factory=list)
    note: str = ""


def _licence(state: str, number: str, *, expires_in_days: int = 500, **kwargs) -> Cred:
    """A licence from the board the jurisdictions table names (the number is invented)."""
    board = jurisdictions.find(state).register
    return Cred(K.LICENCE, board, state, number, expires_in_days=expires_in_days, **kwargs)


def _cnhc(nation: str, number: str, **kwargs) -> Cred:
    return Cred(
        K.VOLUNTARY_REGISTER, "Complementary and Natural Healthcare Council (CNHC)", nation, number,
        expires_in_days=kwargs.pop("expires_in_days", 300), **kwargs,
    )  # fmt: skip


def _camtc(number: str, **kwargs) -> Cred:
    return Cred(
        K.VOLUNTARY_REGISTER, "California Massage Therapy Council (CAMTC)", "California", number,
        expires_in_days=kwargs.pop("expires_in_days", 600), **kwargs,
    )  # fmt: skip


def _training(issuer: str = "Willowbank Institute of Oncology Touch", hours: int = 32, **kwargs) -> Cred:
    return Cred(
        K.ONCOLOGY_TRAINING, issuer, hours=hours, evidence=kwargs.pop("evidence", "png"),
        hands_on=kwargs.pop("hands_on", True), **kwargs,
    )  # fmt: skip


def _clt(**kwargs) -> Cred:
    return Cred(K.CLT, "Thistledown Lymphatic Academy", hours=135, **kwargs)


LISTED = [
    Demo(
        "ada.listed@demo.example",
        "Ada Quillfeather",
        "Gentle oncology massage by Penn Station",
        "I work with people in chemotherapy and radiotherapy, adapting pressure, position and length to the day.",
        "listed",
        zip_code="10001",
        gender="woman",
        pronouns="she/her",
        languages=("en", "es"),
        years_practice=14,
        years_oncology=9,
        services=("oncology-massage", "hand-and-foot-massage"),
        phases=("newly-diagnosed", "active-treatment", "after-surgery"),
        settings=("hospital", "private-practice"),
        cancer_types=("breast", "blood", "lung"),
        visits=("practice", "hospital"),
        fees=(95, 140, "USD"),
        sliding_scale=True,
        accessible=True,
        credentials=[
            _licence("New York", "DEMO-NY-0001"),
            _training(),
            Cred(K.INSURANCE, "Demo Mutual Insurers", "New York", "DEMO-INS-0001", expires_in_days=200),
        ],
    ),  # fmt: skip
    Demo(
        "bartholomew.reed@demo.example",
        "Bartholomew Reedwhistle",
        "Lymphatic drainage on the Upper West Side",
        "Certified lymphedema therapist. Calm, quiet sessions after surgery and during survivorship.",
        "listed",
        zip_code="10024",
        gender="man",
        pronouns="he/him",
        years_practice=20,
        years_oncology=12,
        services=("manual-lymphatic-drainage", "lymphedema-therapy"),
        phases=("after-surgery", "survivorship"),
        settings=("outpatient", "private-practice"),
        cancer_types=("breast", "gynaecological", "head-and-neck"),
        fees=(120, 180, "USD"),
        accessible=True,
        credentials=[_licence("New York", "DEMO-NY-0002"), _clt()],
    ),  # fmt: skip
    Demo(
        "clementine.vale@demo.example",
        "Clementine Okonkwo-Vale",
        "Home visits across Brooklyn",
        "I come to you with a portable table or work in your chair or bed. Comfort first, always.",
        "listed",
        zip_code="11215",
        gender="woman",
        languages=("en", "fr"),
        years_practice=8,
        years_oncology=6,
        services=("comfort-touch", "oncology-massage", "hand-and-foot-massage"),
        phases=("advanced-cancer", "end-of-life"),
        settings=("home-visits", "hospice"),
        cancer_types=("pancreatic", "lung", "brain"),
        visits=("home",),
        travel_radius_miles=8,
        fees=(70, 110, "USD"),
        sliding_scale=True,
        free_sessions=True,
        credentials=[_licence("New York", "DEMO-NY-0003"), _training(hours=48)],
    ),  # fmt: skip
    Demo(
        "dashiell.marsh@demo.example",
        "Dashiell Marsh-Tanaka",
        "Reflexology and seated massage in Brooklyn Heights",
        "Short, clothed sessions that fit between appointments. Many of my clients come straight from infusion.",
        "listed",
        zip_code="11201",
        gender="non-binary",
        pronouns="they/them",
        languages=("en", "asl"),
        years_practice=11,
        years_oncology=4,
        services=("reflexology", "seated-massage"),
        phases=("active-treatment",),
        settings=("outpatient",),
        cancer_types=("colorectal", "prostate"),
        fees=(60, 90, "USD"),
        accepting=False,
        credentials=[_licence("New York", "DEMO-NY-0004", expires_in_days=18), _training()],
        note="licence expiring within 30 days",
    ),  # fmt: skip
    Demo(
        "esperanza.lind@demo.example",
        "Esperanza Lindqvist",
        "Oncology massage in Forest Hills, en español también",
        "Sesiones suaves en español o inglés. I see adults and teenagers, in my studio or at home nearby.",
        "listed",
        zip_code="11375",
        gender="woman",
        languages=("es", "en"),
        years_practice=16,
        years_oncology=10,
        services=("oncology-massage", "scar-tissue-massage"),
        phases=("after-surgery", "survivorship"),
        settings=("private-practice", "home-visits"),
        cancer_types=("breast", "childhood", "skin"),
        visits=("practice", "home"),
        travel_radius_miles=5,
        fees=(80, 120, "USD"),
        sliding_scale=True,
        credentials=[_licence("New York", "DEMO-NY-0005"), _clt(issued_days_ago=400)],
    ),  # fmt: skip
    Demo(
        "fitzgerald.oyelaran@demo.example",
        "Fitzgerald Oyelaran",
        "Hospital and hospice visits in Queens",
        "I work alongside nursing teams at the bedside, with the lightest touch and a lot of listening.",
        "listed",
        zip_code="11101",
        gender="man",
        years_practice=22,
        years_oncology=15,
        services=("comfort-touch", "oncology-massage"),
        phases=("advanced-cancer", "end-of-life"),
        settings=("hospital", "hospice"),
        cancer_types=("blood", "lung", "bladder-kidney"),
        visits=("hospital", "home"),
        travel_radius_miles=12,
        fees=(0, 60, "USD"),
        free_sessions=True,
        credentials=[_licence("New York", "DEMO-NY-0006"), _training("Lanternlight Palliative Touch School", 60)],
    ),  # fmt: skip
    Demo(
        "gwendolyn.pryce@demo.example",
        "Gwendolyn Pryce-Abernathy",
        "Oncology massage in Back Bay",
        "Twenty years of massage, the last ten with people living with cancer and its after-effects.",
        "listed",
        zip_code="02116",
        gender="woman",
        years_practice=20,
        years_oncology=10,
        services=("oncology-massage", "manual-lymphatic-drainage"),
        phases=("survivorship", "after-surgery"),
        settings=("outpatient",),
        cancer_types=("breast", "prostate"),
        fees=(100, 150, "USD"),
        accessible=True,
        credentials=[_licence("Massachusetts", "DEMO-MA-0001"), _clt()],
    ),  # fmt: skip
    Demo(
        "horatio.kettle@demo.example",
        "Horatio Kettleborough",
        "Willowbank Gentle Touch Studio, Lincoln Park",
        "A ground-floor studio with step-free access and parking. Gentle massage in any phase of treatment.",
        "listed",
        zip_code="60614",
        address_line="41 Lantern Demo Lane",
        show_street_address=True,
        gender="man",
        languages=("en", "pl"),
        years_practice=9,
        years_oncology=7,
        services=("oncology-massage", "reflexology"),
        phases=("newly-diagnosed", "active-treatment", "survivorship"),
        settings=("private-practice",),
        cancer_types=("colorectal", "breast", "head-and-neck"),
        fees=(85, 110, "USD"),
        accessible=True,
        credentials=[_licence("Illinois", "DEMO-IL-0001"), _training()],
    ),  # fmt: skip
    Demo(
        "isadora.finch@demo.example",
        "Isadora Finchley-Moss",
        "Oncology massage in southeast Portland",
        "I see clients at a quiet practice near Hawthorne, and at home within a few miles.",
        "listed",
        zip_code="97214",
        gender="woman",
        pronouns="she/they",
        years_practice=7,
        years_oncology=5,
        services=("oncology-massage", "comfort-touch"),
        phases=("active-treatment", "advanced-cancer"),
        settings=("private-practice", "home-visits"),
        cancer_types=("brain", "lung"),
        visits=("practice", "home"),
        travel_radius_miles=6,
        fees=(75, 115, "USD"),
        sliding_scale=True,
        credentials=[_licence("Oregon", "DEMO-OR-0001"), _training()],
    ),  # fmt: skip
    Demo(
        "jasper.holloway@demo.example",
        "Jasper Holloway-Birch",
        "Lymphedema care on the Portland waterfront",
        "Lymphedema therapy and gentle massage for people recovering from surgery and radiotherapy.",
        "listed",
        zip_code="04101",
        gender="man",
        years_practice=12,
        years_oncology=8,
        services=("lymphedema-therapy", "manual-lymphatic-drainage"),
        phases=("after-surgery", "survivorship"),
        settings=("outpatient",),
        cancer_types=("breast", "head-and-neck", "gynaecological"),
        fees=(90, 120, "USD"),
        credentials=[_licence("Maine", "DEMO-ME-0001"), _clt()],
    ),  # fmt: skip
    Demo(
        "katarina.wren@demo.example",
        "Katarina Wrenfield",
        "Oncology massage in Fremont, Seattle",
        "Warm, unhurried sessions for people in and after treatment. I also teach carers simple hand massage.",
        "listed",
        zip_code="98103",
        gender="woman",
        languages=("en", "de"),
        years_practice=15,
        years_oncology=11,
        services=("oncology-massage", "hand-and-foot-massage"),
        phases=("active-treatment", "survivorship"),
        settings=("private-practice", "hospital"),
        cancer_types=("blood", "skin", "pancreatic"),
        fees=(95, 135, "USD"),
        accessible=True,
        credentials=[_licence("Washington", "DEMO-WA-0001"), _training(hours=40)],
    ),  # fmt: skip
    Demo(
        "lorenzo.castell@demo.example",
        "Lorenzo Castellanos-Reyes",
        "Massage for people with cancer in South Austin",
        "Bilingual sessions in English and Spanish; home visits across South Austin.",
        "listed",
        zip_code="78704",
        gender="man",
        languages=("en", "es"),
        years_practice=10,
        years_oncology=6,
        services=("oncology-massage",),
        phases=("newly-diagnosed", "active-treatment"),
        settings=("private-practice", "home-visits"),
        cancer_types=("colorectal", "prostate", "lung"),
        visits=("practice", "home"),
        travel_radius_miles=15,
        fees=(70, 100, "USD"),
        sliding_scale=True,
        credentials=[_licence("Texas", "DEMO-TX-0001"), _training()],
    ),  # fmt: skip
    Demo(
        "mabel.thornbury@demo.example",
        "Mabel Thornbury",
        "Home visits in the White River valley, Vermont",
        "Rural home visits by car. Massage is not licensed in Vermont; my professional-body membership is checked.",
        "listed",
        zip_code="05060",
        gender="woman",
        years_practice=18,
        years_oncology=9,
        services=("comfort-touch", "oncology-massage"),
        phases=("advanced-cancer", "end-of-life", "survivorship"),
        settings=("home-visits", "hospice"),
        cancer_types=("breast", "prostate", "bladder-kidney"),
        visits=("home",),
        travel_radius_miles=40,
        fees=(60, 90, "USD"),
        free_sessions=True,
        credentials=[
            Cred(K.MEMBERSHIP, "Green Hollow Demo Association of Bodywork Therapists", "Vermont", "DEMO-GHA-0042"),
            _training("Lanternlight Palliative Touch School", 60),
        ],
        note="unregulated state: professional-body membership",
    ),  # fmt: skip
    Demo(
        "nerys.blackwood@demo.example",
        "Nerys Blackwood-Hale",
        "Oncology massage in Leeds city centre",
        "I work in a hospice day unit and in my own treatment room near the station.",
        "listed",
        town="Leeds",
        region="England",
        country="GB",
        gender="woman",
        languages=("en", "cy"),
        years_practice=13,
        years_oncology=8,
        services=("oncology-massage", "reflexology"),
        phases=("active-treatment", "advanced-cancer"),
        settings=("hospice", "private-practice"),
        cancer_types=("breast", "lung", "colorectal"),
        fees=(40, 60, "GBP"),
        sliding_scale=True,
        credentials=[
            _cnhc("England", "DEMO-CNHC-0001"),
            _training("Yorkshire Demo College of Complementary Care", 30),
        ],
    ),  # fmt: skip
    Demo(
        "oswin.achterberg@demo.example",
        "Oswin Achterberg",
        "Manual lymphatic drainage in central London",
        "MLD and gentle massage after breast and head-and-neck cancer treatment.",
        "listed",
        town="London",
        region="England",
        country="GB",
        gender="man",
        languages=("en", "bsl"),
        years_practice=17,
        years_oncology=12,
        services=("manual-lymphatic-drainage", "lymphedema-therapy"),
        phases=("after-surgery", "survivorship"),
        settings=("outpatient", "private-practice"),
        cancer_types=("breast", "head-and-neck"),
        fees=(65, 90, "GBP"),
        accessible=True,
        credentials=[_cnhc("England", "DEMO-CNHC-0002"), _clt()],
    ),  # fmt: skip
    Demo(
        "priya.lighthouse@demo.example",
        "Priya Lighthouse-Mendes",
        "Registered massage therapy in midtown Toronto",
        "RMT with oncology training. Sessions in English, Portuguese or Hindi.",
        "listed",
        town="Toronto",
        region="ON",
        country="CA",
        gender="woman",
        languages=("en", "pt", "hi"),
        years_practice=9,
        years_oncology=5,
        services=("oncology-massage", "scar-tissue-massage"),
        phases=("after-surgery", "survivorship"),
        settings=("private-practice",),
        cancer_types=("breast", "skin"),
        fees=(90, 120, "CAD"),
        accepting=False,
        credentials=[_licence("Ontario", "DEMO-ON-0001"), _training()],
    ),  # fmt: skip
]

NOT_LISTED = [
    Demo(
        "draft.tamsin@demo.example",
        "Tamsin Draftwood",
        "",
        "",
        "draft",
        years_oncology=None,
        services=(),
        phases=(),
        settings=(),
        cancer_types=(),
        visits=(),
        note="draft, incomplete",
    ),
    Demo(
        "ulric.ready@demo.example",
        "Ulric Readymoor",
        "Oncology massage in Chelsea",
        "Ready to submit: profile, location and credentials all in place.",
        "complete",
        zip_code="10011",
        credentials=[_licence("New York", "DEMO-NY-0010", outcome="pending"), _training(outcome="pending")],
        note="complete, not submitted",
    ),  # fmt: skip
    Demo(
        "pending.verity@demo.example",
        "Verity Pendlebury",
        "Gentle massage in Harlem",
        "Submitted and waiting for our reviewers.",
        "submitted",
        zip_code="10027",
        credentials=[_licence("New York", "DEMO-NY-0011", outcome="pending"), _training(outcome="pending")],
        note="submitted, credentials pending",
    ),  # fmt: skip
    Demo(
        "wilhelmina.rowe@demo.example",
        "Wilhelmina Rowe-Nettleford",
        "Comfort touch in Jersey City",
        "My oncology certificate was sent back: the name on it did not match.",
        "submitted",
        zip_code="07302",
        credentials=[
            _licence("New Jersey", "DEMO-NJ-0001"),
            _training(
                outcome="rejected",
                note="The name on the certificate does not match your profile. Upload a "
                "certificate in your current name, or a document showing the change of name.",
            ),
        ],
        note="one rejected credential",
    ),  # fmt: skip
    Demo(
        "xavier.lapsed@demo.example",
        "Xavier Lapsewood",
        "Oncology massage in Hoboken",
        "My licence renewal is on its way.",
        "submitted",
        zip_code="07030",
        credentials=[_licence("New Jersey", "DEMO-NJ-0002", issued_days_ago=730, expires_in_days=-5), _training()],
        note="licence expired, delisted",
    ),  # fmt: skip
    Demo(
        "yolanda.paused@demo.example",
        "Yolanda Pausewell",
        "Oncology massage in Yonkers",
        "Profile suspended while a complaint is looked into.",
        "suspended",
        zip_code="10701",
        credentials=[_licence("New York", "DEMO-NY-0012"), _training()],
        note="suspended",
    ),  # fmt: skip
    Demo(
        "zebedee.changed@demo.example",
        "Zebedee Changeling",
        "Reflexology in Hackensack",
        "Corrected a typo in a verified licence number: the change waits for review, the verified licence stays.",
        "returned",
        zip_code="07601",
        services=("reflexology", "oncology-massage"),
        credentials=[_licence("New Jersey", "DEMO-NJ-0003"), _training()],
        note="verified licence corrected: a pending revision, still listed",
    ),  # fmt: skip
]

SERVICE_SETS = (
    ("oncology-massage", "hand-and-foot-massage"),
    ("manual-lymphatic-drainage", "lymphedema-therapy"),
    ("comfort-touch", "oncology-massage"),
    ("reflexology", "seated-massage"),
    ("oncology-massage", "scar-tissue-massage"),
)
PHASE_SETS = (
    ("newly-diagnosed", "active-treatment"),
    ("after-surgery", "survivorship"),
    ("advanced-cancer", "end-of-life"),
    ("active-treatment", "survivorship"),
)
CANCER_SETS = (("breast", "lung"), ("blood", "colorectal"), ("prostate", "bladder-kidney"), ("head-and-neck", "skin"))
CURRENCIES = {"US": "USD", "GB": "GBP", "CA": "CAD"}


def _right_to_practise(jurisdiction: str, n: int) -> Cred:
    """The path the jurisdictions table gives: a licence, CAMTC, or CNHC."""
    if jurisdiction == "California":
        return _camtc(f"DEMO-CAMTC-{100 + n:04d}")
    if jurisdiction in ("England", "Scotland", "Wales", "Northern Ireland"):
        return _cnhc(jurisdiction, f"DEMO-CNHC-{100 + n:04d}")
    code = jurisdictions.find(jurisdiction).code.split("-")[-1]
    return _licence(jurisdiction, f"DEMO-{code}-{100 + n:04d}", expires_in_days=200 + (n * 37) % 600)


def generated_listed() -> list[Demo]:
    """Fifty more listed therapists across the big cities, rural towns, the UK and Canada."""
    demos, n = [], 0
    for jurisdiction, country, region, places, count in PLACES:
        for i in range(count):
            n += 1
            name = f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {SURNAMES[(n * 7) % len(SURNAMES)]}"
            place = places[i % len(places)]
            services_ = SERVICE_SETS[n % len(SERVICE_SETS)]
            home = n % 3 == 0
            oncology = _clt() if "lymphedema-therapy" in services_ else _training(SCHOOLS[n % 3], 24 + (n * 5) % 40)
            demos.append(
                Demo(
                    f"demo.{n:03d}@demo.example", name,
                    f"{'Home visits and ' if home else ''}{services_[0].replace('-', ' ')} for people with cancer",
                    "A fictional demo therapist. Sessions adapted to treatment, energy and comfort on the day.",
                    "listed",
                    zip_code=place if country == "US" else "", town="" if country == "US" else place,
                    region=region, country=country,
                    gender=("woman", "man", "non-binary", "")[n % 4],
                    languages=(("en",), ("en", "es"), ("en", "fr"))[n % 3],
                    years_practice=6 + n % 15, years_oncology=2 + n % 5,
                    services=services_, phases=PHASE_SETS[n % len(PHASE_SETS)],
                    settings=("home-visits", "private-practice") if home else ("private-practice", "outpatient"),
                    cancer_types=CANCER_SETS[n % len(CANCER_SETS)],
                    visits=("practice", "home") if home else ("practice",),
                    travel_radius_miles=10 + n % 20 if home else None,
                    fees=(50 + n % 40, 100 + n % 60, CURRENCIES[country]),
                    sliding_scale=n % 2 == 0, free_sessions=n % 7 == 0, accessible=n % 3 != 1,
                    credentials=[_right_to_practise(jurisdiction, n), oncology],
                )
            )  # fmt: skip
    return demos


def _unlisted(email: str, name: str, headline: str, state: str, zip_code: str, credentials, note: str) -> Demo:
    return Demo(email, name, headline, "A fictional demo therapist who is not listed.", state,
                zip_code=zip_code, credentials=credentials, note=note)  # fmt: skip


# One therapist for each reason a profile is not listed that the standard adds.
STANDARD_NOT_LISTED = [
    _unlisted(
        "tobias.webinar@demo.example", "Tobias Webinarsby", "Oncology massage in Houston", "submitted", "77019",
        [_licence("Texas", "DEMO-TX-0090"), _training("Quickstart Online Demo Course", 12, hands_on=False)],
        "oncology training below the standard (12 hours, no hands-on practice): shown, does not list",
    ),
    _unlisted(
        "ottoline.overdue@demo.example", "Ottoline Overdue-Marsh", "Oncology massage in Chicago", "submitted",
        "60657", [_licence("Illinois", "DEMO-IL-0090", recheck_overdue_days=45), _training()],
        "licence more than 30 days past its re-check: paused",
    ),
    _unlisted(
        "kit.statement@demo.example", "Kit Saidso-Farrow", "Oncology massage in Wichita", "complete", "67202",
        [Cred(K.UNREGULATED, "Self-declared statement", "Kansas", evidence=""), _training()],
        "only a statement that Kansas does not regulate massage: never lists",
    ),
    _unlisted(
        "rowena.rejected@demo.example", "Rowena Refusedale", "Oncology massage in Philadelphia", "submitted",
        "19104", [
            _licence("Pennsylvania", "DEMO-PA-0090", outcome="rejected",
                     note="The register shows a different name for this number. Check the number and add it again."),
            _training(),
        ],
        "licence not accepted",
    ),
]  # fmt: skip

THERAPISTS = LISTED + generated_listed() + NOT_LISTED + STANDARD_NOT_LISTED


def create_demo_therapists(reviewer: User) -> list[str]:
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
    ensure_user("therapist@demo.example")
    # Nothing here reads the stored listing: it is refreshed once, for everyone, at the end.
    with refresh_once():
        for demo in THERAPISTS:
            user = _ensure_user(demo.email, password_hash)
            if not Profile.objects.filter(user=user).exists():
                _create(demo, user, reviewer)
    _open_concern()
    return [
        f"ada.listed@demo.example / {DEMO_PASSWORD} (listed, New York)",
        f"pending.verity@demo.example / {DEMO_PASSWORD} (submitted, credentials waiting for review)",
        f"draft.tamsin@demo.example / {DEMO_PASSWORD} (draft profile, incomplete)",
        f"therapist@demo.example / {DEMO_PASSWORD} (signed up, no profile yet)",
        f"… and {len(THERAPISTS) - 3} more therapists at first.last@demo.example or demo.NNN@demo.example, "
        "same password",
    ]


def _open_concern() -> None:
    """One open concern for the review queue (a made-up report about a fictional listing)."""
    profile = Profile.objects.filter(user__email="dashiell.marsh@demo.example").first()
    if profile is None or profile.concerns.exists():
        return
    services.report_concern(
        profile=profile,
        reason="wrong_details",
        details="Demo report: the listing says they accept new clients, but their voicemail says the list is closed.",
    )


def _ensure_user(email: str, password_hash: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create(email=email, password=password_hash)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"primary": True, "verified": True})
    return user


def _create(demo: Demo, user: User, reviewer: User) -> Profile:
    profile = _profile(demo, user)
    if demo.state == "draft":
        return profile
    _location(demo, profile)
    credentials = [_credential(spec, profile, user) for spec in demo.credentials]
    if demo.state == "complete":
        return profile
    services.submit_for_review(profile=profile, actor=user)
    for spec, credential in zip(demo.credentials, credentials, strict=True):
        _decide(spec, credential, reviewer)
    if demo.state == "suspended":
        services.suspend_profile(
            profile=profile, reviewer=reviewer, reason="A complaint about this practice is being looked into."
        )
    if demo.state == "returned":
        licence = next(c for c in credentials if c.kind == K.LICENCE)
        licence.identifier = licence.identifier + "-B"
        services.save_credential(credential=licence, actor=user, changed_fields=["identifier"])
    return profile


def _profile(demo: Demo, user: User) -> Profile:
    fee_min, fee_max, currency = demo.fees if demo.state != "draft" else (None, None, "USD")
    profile = Profile(
        user=user,
        slug=_slug(demo),
        display_name=demo.name,
        headline=demo.headline,
        bio=demo.bio,
        gender=demo.gender,
        pronouns=demo.pronouns,
        years_practice=demo.years_practice,
        years_oncology=demo.years_oncology,
        visits_practice="practice" in demo.visits,
        visits_home="home" in demo.visits,
        visits_hospital="hospital" in demo.visits,
        fee_min=fee_min,
        fee_max=fee_max,
        fee_currency=currency,
        sliding_scale=demo.sliding_scale,
        free_sessions=demo.free_sessions,
        accessible_premises=demo.accessible,
        accepting_new_clients=demo.accepting,
        accepting_confirmed_on=timezone.localdate(),
    )

    def save_vocabularies():
        profile.services.set(Service.objects.filter(slug__in=demo.services))
        profile.phases.set(Phase.objects.filter(slug__in=demo.phases))
        profile.care_settings.set(CareSetting.objects.filter(slug__in=demo.settings))
        profile.cancer_types.set(CancerType.objects.filter(slug__in=demo.cancer_types))
        profile.languages.set(Language.objects.filter(code__in=demo.languages))

    return services.save_profile(profile=profile, actor=user, save_m2m=save_vocabularies)


def _slug(demo: Demo) -> str:
    from django.utils.text import slugify

    base = slugify(demo.name)
    slug, n = base, 2
    while Profile.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _location(demo: Demo, profile: Profile) -> Location:
    if demo.zip_code:
        record = zipcodes.matching(demo.zip_code)[0]
        city, region, postcode = record["city"], record["state"], demo.zip_code
        latitude, longitude = float(record["lat"]), float(record["long"])
    else:
        city, region, postcode = demo.town, demo.region, ""
        latitude, longitude = TOWN_CENTRES[demo.town]
    location = Location(
        profile=profile,
        address_line=demo.address_line,
        city=city,
        region=region,
        postcode=postcode,
        country=demo.country,
        latitude=latitude,
        longitude=longitude,
        show_street_address=demo.show_street_address,
        travel_radius_miles=demo.travel_radius_miles,
    )
    return services.save_location(location=location)


def _credential(spec: Cred, profile: Profile, user: User) -> Credential:
    today = timezone.localdate()
    credential = Credential(
        profile=profile,
        kind=spec.kind,
        issuer=spec.issuer,
        identifier=spec.identifier,
        jurisdiction=spec.jurisdiction,
        issued_on=today - timedelta(days=spec.issued_days_ago),
        expires_on=today + timedelta(days=spec.expires_in_days) if spec.expires_in_days is not None else None,
        training_hours=spec.hours,
        hands_on=spec.hands_on,
    )
    if spec.evidence == "pdf":
        credential.evidence.save("evidence.pdf", ContentFile(DEMO_PDF), save=False)
        credential.evidence_content_type = "application/pdf"
    elif spec.evidence == "png":
        credential.evidence.save("evidence.png", ContentFile(_demo_png()), save=False)
        credential.evidence_content_type = "image/png"
    return services.save_credential(credential=credential, actor=user)


def _decide(spec: Cred, credential: Credential, reviewer: User) -> None:
    if spec.outcome == "verified":
        entry = jurisdictions.find(spec.jurisdiction) if spec.jurisdiction else None
        looked_up = spec.kind in Credential.REGISTER_KINDS and entry is not None and entry.has_register
        services.verify_credential(
            credential=credential,
            reviewer=reviewer,
            method=Credential.Method.REGISTRY if looked_up else Credential.Method.DOCUMENT,
            reference="Demo registry entry" if looked_up else "",
            name_matches=True,
            source=entry.register if looked_up else "",
            register_status="Active" if looked_up else "",
            disciplinary_action=False if looked_up else None,
            hands_on=spec.hands_on,
        )
        if spec.recheck_overdue_days:
            credential.recheck_due_on = timezone.localdate() - timedelta(days=spec.recheck_overdue_days)
            credential.save()
        if credential.is_expired():
            services.record_event(
                profile=credential.profile, credential=credential, action=VerificationEvent.Action.EXPIRED,
                note="Expired; the profile is no longer listed.",
            )  # fmt: skip
    elif spec.outcome == "rejected":
        services.reject_credential(credential=credential, reviewer=reviewer, note_to_therapist=spec.note)


def _demo_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (220, 236, 232)).save(buffer, format="PNG")
    return buffer.getvalue()
