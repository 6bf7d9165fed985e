"""The therapist search: one FilterSet shared by the search page and the API.

Parameters and their meaning are in PRODUCT.md. Values of one multi-valued
parameter are alternatives (any of them); different parameters must all hold.
A value that is not valid makes the form invalid with a plain-language
message: the page shows the form again, the API answers 400.
"""

from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import F, Max, Q, Value
from django.http import QueryDict

from directory.geo import offline as geo
from directory.geo import spelling, units
from directory.models import CancerType, CareSetting, Language, Phase, Profile, SearchRow, Service
from directory.search import understand
from directory.search.cache import for_edition
from directory.search.nearest import ResultRow, RowTest, any_term, listed_on
from directory.search.terms import gender_term, option_term, vocabulary_term
from directory.search.words import apply_text_search

PAGE_SIZE = 20
# A search lists at most this many therapists (ten pages): nobody reads further,
# and counting or ordering every match of a broad search in a big directory
# would cost time that grows with the directory. The page says when there are more.
MAX_RESULTS = 200
# Words without a place are ranked among this many of the most recently
# verified therapists who match them, so that a common word costs the same in
# a directory of any size. A rarer word (a name) has fewer matches: all are ranked.
MAX_RANKED_MATCHES = 1000
DEFAULT_RADIUS_MILES = 25
MIN_RADIUS_MILES = 1
MAX_RADIUS_MILES = 250
RADIUS_CHOICES = (5, 10, 25, 50, 100, 250)

# The vocabularies change only through the admin; each process reads them once
# per search edition (directory/search/cache.py), so that a change shows at once.
VOCABULARY_MODELS = {
    "service": Service,
    "phase": Phase,
    "setting": CareSetting,
    "cancer_type": CancerType,
    "language": Language,
}
# The parameter's name in plain words, for messages and "remove" links.
PARAMETER_LABELS = {
    "near": "place",
    "radius": "distance",
    "q": "words",
    "service": "service",
    "phase": "treatment phase",
    "setting": "care setting",
    "cancer_type": "cancer type",
    "language": "language",
    "gender": "gender",
    "visit": "session place",
    "accessible": "accessible premises",
    "accepting": "accepting new clients",
    "sliding_scale": "sliding scale fees",
    "sort": "order",
}

VISIT_CHOICES = [
    ("practice", "At their practice"),
    ("home", "Home visits"),
    ("hospital", "Hospital or hospice visits"),
]
VISIT_FIELDS = {"practice": "visits_practice", "home": "visits_home", "hospital": "visits_hospital"}
SORT_CHOICES = [
    ("distance", "Nearest first"),
    ("experience", "Most oncology experience"),
    ("recent", "Most recently verified"),
]


class VocabularyEntry(NamedTuple):
    """One entry of a vocabulary as a result card or the API shows it (``code``: languages only)."""

    pk: int
    slug: str
    name: str
    code: str = ""


def _vocabulary_data() -> dict:
    """Every vocabulary's entries, in one query (a UNION), kept in the process for the edition."""

    def query() -> dict:
        parts = [
            model.objects.order_by()
            .annotate(vocabulary=Value(key), tag=F("code") if model is Language else Value(""))
            .values_list("slug", "name", "position", "pk", "vocabulary", "tag")
            for key, model in VOCABULARY_MODELS.items()
        ]
        rows = parts[0].union(*parts[1:], all=True).order_by("position", "name")
        entries: dict[str, list[VocabularyEntry]] = {key: [] for key in VOCABULARY_MODELS}
        for slug, name, _position, pk, key, code in rows:
            entries[key].append(VocabularyEntry(pk, slug, name, code))
        return {
            "entries": entries,
            "choices": {key: [(entry.slug, entry.name) for entry in listed] for key, listed in entries.items()},
            "ids": {key: {entry.slug: entry.pk for entry in listed} for key, listed in entries.items()},
        }

    return for_edition("search-vocabularies", query)


def largest_travel_radius() -> float:
    """The largest travel radius of any listed home-visit area, in miles (0 when there is none),
    read once per search edition: every change to the search rows raises the edition."""

    def query() -> float:
        found = SearchRow.objects.filter(home_radius_miles__isnull=False).aggregate(largest=Max("home_radius_miles"))
        return float(found["largest"] or 0)

    return for_edition("largest-travel-radius", query)


def load_vocabularies() -> dict[str, list[tuple[str, str]]]:
    """Every vocabulary as (slug, name) pairs."""
    return _vocabulary_data()["choices"]


def vocabulary_entries() -> dict[str, list[VocabularyEntry]]:
    """Every vocabulary's entries in their order (position, then name), by the search's key."""
    return _vocabulary_data()["entries"]


def relation_ids(relation: str, slugs) -> list[int]:
    """The ids of the entries of a profile's vocabulary ``relation`` ("services", …), by slug
    (the slugs the form accepted), from the vocabularies kept for the edition."""
    ids = _vocabulary_data()["ids"][VOCABULARY_PARAMETERS[relation]]
    return [ids[slug] for slug in slugs if slug in ids]


def vocabulary_choices(key: str):
    def choices() -> list[tuple[str, str]]:
        return load_vocabularies()[key]

    return choices


class TickBoxField(forms.Field):
    """A tick box parameter: ticked (on/true/1/yes), not ticked (absent, empty, false/0/no), or an error."""

    widget = forms.CheckboxInput
    TRUE = {"on", "true", "1", "yes"}
    FALSE = {"", "off", "false", "0", "no"}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value) -> bool:
        if isinstance(value, bool):
            return value
        if value is None:
            return False
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValidationError("Tick the box, or leave it empty.", code="invalid")


class _RawCheckbox(forms.CheckboxInput):
    """A checkbox that passes the submitted text on, so the field can reject nonsense."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class TickBoxFilter(django_filters.Filter):
    field_class = TickBoxField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _RawCheckbox)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        # Only a ticked box narrows the search; an empty one means "either".
        if value:
            return qs.filter(**{self.field_name: True})
        return qs


class FloatFilter(django_filters.Filter):
    field_class = forms.FloatField


@dataclass(frozen=True)
class ResultPage:
    page: Page  # of ResultRow: directory/search/cards.py loads what a page shows
    count: int  # at most MAX_RESULTS
    more: bool  # more than MAX_RESULTS therapists match


@dataclass(frozen=True)
class ActiveFilter:
    """One value the patient chose, with the address of the same search without it."""

    parameter: str
    value: str
    label: str


class TherapistSearchForm(forms.Form):
    """The FilterSet's form: finds the place typed in ``near``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.place: geo.Place | None = None
        self.place_choices: tuple[geo.Place, ...] = ()
        if "radius" in self.fields:
            self.fields["radius"].widget = forms.Select(choices=self.radius_choices())

    def clean_near(self) -> str:
        text = " ".join((self.cleaned_data.get("near") or "").split())
        if not text:
            return ""
        result = geo.geocode(text)
        if result.ambiguous:
            self.place_choices = tuple(result.places)
            raise ValidationError(result.message or "More than one place has that name. Which one did you mean?")
        if not result.found:
            self.place_choices = spelling.suggest_places(text)
            if len(self.place_choices) == 1:
                raise ValidationError(f"We could not find “{text}”. Did you mean {self.place_choices[0].label}?")
            if self.place_choices:
                raise ValidationError(f"We could not find “{text}”. Did you mean one of these places?")
            raise ValidationError(result.message or "We could not find that place. Try a US ZIP code such as 10001.")
        self.place = result.place
        # The distances in the searched place's unit; the values stay miles.
        self.fields["radius"].widget.choices = self.radius_choices(units.unit_for(self.place.country))
        return text

    def radius_choices(self, unit: units.Unit = "mi") -> list[tuple[str, str]]:
        """The distances offered: the only ones accepted (see _offered_radius)."""
        return [(str(miles), units.radius_text(miles, unit)) for miles in RADIUS_CHOICES]


def _choice_error(noun: str) -> dict[str, str]:
    return {"invalid_choice": f"We do not know the {noun} “%(value)s”. Choose from the list."}


def _vocabulary_filter(key: str, label: str, relation: str) -> django_filters.MultipleChoiceFilter:
    return django_filters.MultipleChoiceFilter(
        label=label,
        choices=vocabulary_choices(key),
        widget=forms.CheckboxSelectMultiple,
        method="filter_vocabulary",
        field_name=relation,
        error_messages=_choice_error(PARAMETER_LABELS[key]),
    )


def _offered_radius(miles: float) -> None:
    """Only the offered distances: any other radius, narrowed step by step from
    a few places, would tell where a therapist who hides the street address works."""
    if miles not in RADIUS_CHOICES:
        offered = ", ".join(str(choice) for choice in RADIUS_CHOICES[:-1])
        raise forms.ValidationError(f"Choose one of the distances offered: {offered} or {RADIUS_CHOICES[-1]} miles.")


class TherapistFilter(django_filters.FilterSet):
    near = django_filters.CharFilter(
        label="Town, city or ZIP code", method="filter_nothing", max_length=100, strip=True
    )
    radius = FloatFilter(
        label="Within (miles)",
        method="filter_nothing",
        min_value=MIN_RADIUS_MILES,
        max_value=MAX_RADIUS_MILES,
        validators=[_offered_radius],
        error_messages={
            "invalid": "Give the distance as a number of miles, such as 25.",
            "min_value": f"The distance must be at least {MIN_RADIUS_MILES} mile.",
            "max_value": f"The distance can be at most {MAX_RADIUS_MILES} miles.",
        },
    )
    q = django_filters.CharFilter(label="Name or words", method="filter_nothing", max_length=200, strip=True)
    service = _vocabulary_filter("service", "Services", "services")
    phase = _vocabulary_filter("phase", "Treatment phase", "phases")
    setting = _vocabulary_filter("setting", "Has worked in", "care_settings")
    cancer_type = _vocabulary_filter("cancer_type", "Experience with cancer types", "cancer_types")
    language = _vocabulary_filter("language", "Languages", "languages")
    gender = django_filters.ChoiceFilter(
        label="Therapist's gender",
        choices=Profile.Gender.choices,
        empty_label="Any",
        error_messages=_choice_error("gender"),
    )
    visit = django_filters.MultipleChoiceFilter(
        label="Where sessions take place",
        choices=VISIT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        method="filter_visit",
        error_messages=_choice_error("session place"),
    )
    accessible = TickBoxFilter(label="Step-free, accessible premises", field_name="accessible_premises")
    accepting = TickBoxFilter(label="Accepting new clients", field_name="accepting_new_clients")
    sliding_scale = TickBoxFilter(label="Sliding scale fees", field_name="sliding_scale")
    sort = django_filters.ChoiceFilter(
        label="Order",
        choices=SORT_CHOICES,
        empty_label="Best match",
        method="filter_nothing",
        required=False,
        error_messages=_choice_error("order"),
    )

    class Meta:
        model = Profile
        fields: list[str] = []
        form = TherapistSearchForm

    def __init__(self, data=None, *args, **kwargs):
        # The form is always bound (an empty search lists everyone), and the
        # radius has its default even when the parameter is absent or empty.
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.get("radius"):
            data["radius"] = str(DEFAULT_RADIUS_MILES)
        super().__init__(data, *args, **kwargs)

    # Parameters applied after the simple filters, in filter_queryset.
    def filter_nothing(self, queryset, name, value):
        return queryset

    @property
    def reading(self) -> understand.Reading:
        """The words typed, read against the vocabularies (directory/search/understand.py)."""
        if not hasattr(self, "_reading"):
            self.is_valid()
            text = self.form.cleaned_data.get("q") or "" if hasattr(self.form, "cleaned_data") else ""
            self._reading = understand.read(text, vocabulary_entries())
        return self._reading

    def words_wanted(self) -> dict[str, list[str]]:
        """The vocabulary entries the words name: relation -> slugs (entries of one vocabulary are alternatives)."""
        relations = {parameter: relation for relation, parameter in VOCABULARY_PARAMETERS.items()}
        wanted: dict[str, list[str]] = {}
        for key, slug in self.reading.filters():
            wanted.setdefault(relations[key], []).append(slug)
        return wanted

    def apply_words(self, queryset):
        """The words typed: those naming a vocabulary entry as its filter, the rest as text."""
        reading = self.reading
        for relation, slugs in self.words_wanted().items():
            queryset = queryset.linked_to(relation, relation_ids(relation, slugs))
        if reading.rest:
            queryset = apply_text_search(queryset, reading.rest)
        elif self.form.cleaned_data.get("q") and not reading.understood:
            queryset = apply_text_search(queryset, self.form.cleaned_data["q"])  # punctuation only: no match
        return queryset

    def filter_vocabulary(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.linked_to(name, relation_ids(name, value))

    def filter_visit(self, queryset, name, value):
        if not value:
            return queryset
        wanted = Q()
        for choice in value:
            wanted |= Q(**{VISIT_FIELDS[choice]: True})
        return queryset.filter(wanted)

    @property
    def place(self) -> "geo.Place | None":
        return self.form.place

    @property
    def place_choices(self) -> tuple:
        return self.form.place_choices

    def sort_order(self) -> str:
        """The order used: the one asked for, else distance with a place, relevance with words, else recent."""
        self.is_valid()  # validates once; cleaned_data holds the valid values
        data = self.form.cleaned_data
        asked = data.get("sort") or ""
        if asked == "distance" and self.place is None:
            asked = ""
        if asked:
            return asked
        if self.place is not None:
            return "distance"
        if self.reading.rest:
            return "relevance"
        return "recent"

    def filter_queryset(self, queryset):
        queryset = self.apply_words(super().filter_queryset(queryset))
        data = self.form.cleaned_data
        if self.place is not None:
            queryset = queryset.near(self.place.latitude, self.place.longitude, data["radius"])
        return self.order(queryset)

    def result_rows(self) -> list[ResultRow]:
        """The search's matches in order, at most MAX_RESULTS + 1 of them (the extra one says "more").

        Only ids (and distance, with a place): the page loads the profiles of one page of them.
        """
        limit = MAX_RESULTS + 1
        if self.place is not None and self.sort_order() == "distance":
            return self.nearest(self.form.cleaned_data["radius"], limit)
        queryset = self.qs
        if self.place is not None:
            rows = queryset.values_list("pk", "distance", "visits_your_area")[:limit]
            return [ResultRow(pk, distance, bool(covers)) for pk, distance, covers in rows]
        return [ResultRow(pk) for pk in queryset.values_list("pk", flat=True)[:limit]]

    def result_page(self, number, *, lenient: bool = True) -> "ResultPage":
        """One page of the results' rows (ids, and distances with a place).

        ``lenient``: a page number that is not a number or is past the end gives
        the nearest page (the HTML page); otherwise Paginator's errors are raised (the API).
        """
        rows = self.result_rows()
        paginator = Paginator(rows[:MAX_RESULTS], PAGE_SIZE)
        page = paginator.get_page(number) if lenient else paginator.page(number or 1)
        return ResultPage(page, paginator.count, len(rows) > MAX_RESULTS)

    def row_tests(self) -> tuple[RowTest, ...]:
        """The search's filters as tests on the search rows (directory/search/rows.py): listed
        today, and for each filter chosen, or vocabulary entry the words name, any of its terms.
        ``nearest()`` tests them on the rows it reads from the index. The search is of listed
        profiles (the views give it ``Profile.objects.listed()``)."""
        self.is_valid()
        data = self.form.cleaned_data
        tests = [listed_on()]
        chosen = [(relation, data.get(parameter)) for relation, parameter in VOCABULARY_PARAMETERS.items()]
        for relation, slugs in [*chosen, *self.words_wanted().items()]:
            if slugs:
                tests.append(any_term(vocabulary_term(relation, pk) for pk in relation_ids(relation, slugs)))
        if data.get("gender"):
            tests.append(any_term([gender_term(data["gender"])]))
        if data.get("visit"):
            tests.append(any_term(option_term(VISIT_FIELDS[choice]) for choice in data["visit"]))
        for parameter, field in TICK_BOX_FIELDS.items():
            if data.get(parameter):
                tests.append(any_term([option_term(field)]))
        return tuple(tests)

    def nearest(
        self, miles: float, limit: int, *, also: tuple[RowTest, ...] = (), beyond: float = -1.0
    ) -> list[ResultRow]:
        """The nearest ``limit`` matches of the search without its place (and of the row tests
        ``also``, a narrowing of it) within ``miles`` of the place, nearest first (further than
        ``beyond`` miles, when nothing nearer can match).

        When the row tests hold the whole search, the profiles' own conditions are
        neither built nor run: the rings read the search rows alone."""
        only_rows = self.rows_hold_everything()
        queryset = self.queryset if only_rows else self.without_place()
        place = self.place
        return queryset.nearest(
            place.latitude,
            place.longitude,
            miles,
            limit,
            tests=(*self.row_tests(), *also),
            beyond=beyond,
            only_rows=only_rows,
            home_reach=largest_travel_radius(),
        )

    def rows_hold_everything(self) -> bool:
        """Whether the row tests (``row_tests()``) are the whole search besides its place:
        true unless words are searched as text."""
        self.is_valid()
        data = self.form.cleaned_data
        return not self.reading.rest and not (data.get("q") and not self.reading.understood)

    def without_place(self):
        """The same search with no place or radius: for the nearest therapists beyond the radius."""
        return self.apply_words(super().filter_queryset(self.queryset.all()))

    def order(self, queryset):
        order = self.sort_order()
        if order == "distance":
            return queryset.order_by("distance", "id")
        if order == "experience":
            return queryset.order_by(F("years_oncology").desc(nulls_last=True), "id")
        if order == "relevance":
            most_recent_matches = queryset.order_by("-last_verified_on", "-id").values("pk")[:MAX_RANKED_MATCHES]
            return queryset.filter(pk__in=most_recent_matches).order_by("-rank", "id")
        # Listed profiles always have a verification date; the index on
        # (last_verified_on, id) serves this order read backwards.
        return queryset.order_by("-last_verified_on", "-id")

    def active_filters(self) -> list[ActiveFilter]:
        """What narrows this search, in words, each with the parameter value it comes from."""
        if not self.form.is_valid():
            return []
        data = self.form.cleaned_data
        active: list[ActiveFilter] = []
        rest = self.reading.rest
        if rest:
            active.append(ActiveFilter("q", data["q"], f"{human_label('q')}: “{rest}”"))
        vocabularies = load_vocabularies()
        for key in VOCABULARY_MODELS:
            names = dict(vocabularies[key])
            for slug in data.get(key) or []:
                active.append(ActiveFilter(key, slug, f"{human_label(key)}: {names.get(slug, slug)}"))
        if data.get("gender"):
            label = Profile.Gender(data["gender"]).label
            active.append(ActiveFilter("gender", data["gender"], f"{human_label('gender')}: {label}"))
        visits = dict(VISIT_CHOICES)
        for value in data.get("visit") or []:
            active.append(ActiveFilter("visit", value, f"{human_label('visit')}: {visits[value]}"))
        for key in ("accessible", "accepting", "sliding_scale"):
            if data.get(key):
                active.append(ActiveFilter(key, "", human_label(key)))
        return active

    def panel_should_open(self) -> bool:
        """Whether the folded filters start open: only on a page with errors, and only when a
        filter inside the fold has an error or a value (a wrong place alone keeps it folded)."""
        if not self.form.errors:
            return False
        if any(name in PANEL_PARAMETERS for name in self.form.errors):
            return True
        data = self.form.data
        for name in PANEL_PARAMETERS:
            values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
            if name != "sort" and any(str(value or "").strip() for value in values):
                return True
        return False


# The vocabulary parameter of each profile relation ("languages": "language"), from the filters above.
VOCABULARY_PARAMETERS = {
    each.field_name: name for name, each in TherapistFilter.base_filters.items() if each.method == "filter_vocabulary"
}
# The tick box parameters and the profile field each tests.
TICK_BOX_FIELDS = {
    name: each.field_name for name, each in TherapistFilter.base_filters.items() if isinstance(each, TickBoxFilter)
}
# Parameters shown inside the folded "More filters" panel (not the place, distance or words).
PANEL_PARAMETERS = tuple(name for name in TherapistFilter.base_filters if name not in ("near", "radius", "q"))
# The search carried from the results to a profile, an enquiry and a guide, as one
# parameter: only the search's own parameters, a few values each, and short.
SEARCH_PARAMETER = "search"
MAX_SEARCH_LENGTH = 1500
MAX_CARRIED_VALUES = 20
MAX_CARRIED_VALUE_LENGTH = 200
MAX_NEAR_LENGTH = 200


def human_label(parameter: str) -> str:
    """The parameter's name as a label: "Service", "Treatment phase", "Accessible premises"."""
    label = PARAMETER_LABELS[parameter]
    return label[:1].upper() + label[1:]


def clean_search_string(raw: str) -> str:
    """A search's query string made safe to carry and re-use.

    Keeps only parameters the search knows (and a numeric page), at most a few
    values each, each short; anything else is dropped. Too long altogether:
    nothing is carried.
    """
    if not raw or len(raw) > MAX_SEARCH_LENGTH * 3:
        return ""
    try:
        parsed = parse_qsl(raw, keep_blank_values=False, max_num_fields=200)
    except ValueError:  # too many fields
        return ""
    known = set(TherapistFilter.base_filters)
    counts: dict[str, int] = {}
    pairs: list[tuple[str, str]] = []
    for key, value in parsed:
        value = value.strip()
        if not value or len(value) > MAX_CARRIED_VALUE_LENGTH or not value.isprintable():
            continue
        if key == "page":
            if not value.isdigit() or len(value) > 6 or counts.get(key):
                continue
        elif key not in known:
            continue
        counts[key] = counts.get(key, 0) + 1
        if counts[key] > MAX_CARRIED_VALUES:
            continue
        pairs.append((key, value))
    carried = urlencode(pairs)
    return carried if len(carried) <= MAX_SEARCH_LENGTH else ""


def clean_near(raw: str | None) -> str:
    """A place name to carry to the search: whitespace tidied, at most 200 characters, else nothing."""
    text = " ".join((raw or "").split())
    return text if len(text) <= MAX_NEAR_LENGTH and text.isprintable() else ""


def clean_radius(raw: str | None) -> str:
    """One of the distances the search form offers ("25"), else nothing."""
    try:
        miles = float(raw or "")
    except ValueError:
        return ""
    return str(int(miles)) if miles in RADIUS_CHOICES else ""


def wider_radii(radius: float | None, nearest_miles: float | None, limit: int = 3) -> list[int]:
    """Offered distances that would find someone: larger than ``radius``, from the first one
    that reaches the nearest match (``nearest_miles``) on, at most ``limit``. None without a match."""
    if radius is None or nearest_miles is None:
        return []
    return [miles for miles in RADIUS_CHOICES if miles > radius and miles >= nearest_miles][:limit]
