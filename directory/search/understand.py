"""Words that name a filter: the free-text box read against the vocabularies.

"spanish lymphoedema" means the language Spanish and the service lymphedema
therapy. The page and the API read the words the same way (both go through
the FilterSet), show what was understood, and search only the words left over
as text. A word within a small edit distance of a vocabulary word is read as
that word ("lymphedma": lymphedema), and the page says so.

Everything here runs in Python over the vocabularies (a few hundred words)
and the synonym table (synonyms.toml, reviewed like the vocabularies), so
SQLite and PostgreSQL give the same reading.
"""

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

SYNONYMS_FILE = Path(__file__).with_name("synonyms.toml")
VOCABULARY_KEYS = ("service", "phase", "setting", "cancer_type", "language")
# The longest phrase looked for, in words ("complete decongestive therapy").
MAX_PHRASE_WORDS = 4
# Words read, as many as the text search reads (directory/search/words.py).
MAX_WORDS = 8
# Shorter words are never corrected: too many real words lie one letter apart.
MIN_CORRECTED_LENGTH = 5
# From this length, two slips (a swap counts as one) are still the same word.
TWO_SLIPS_LENGTH = 8
# Words people type with a search that are never read as a misspelt filter.
NEVER_CORRECTED = frozenset(
    {
        "cancer",
        "cancers",
        "massage",
        "massages",
        "therapist",
        "therapists",
        "therapy",
        "session",
        "sessions",
        "near",
        "where",
        "about",
        "treatment",
        "trained",
        "training",
        "certified",
    }
)
_WORD = re.compile(r"[^\W_]+")

# How a chip says what the search now shows: "Showing therapists who …".
_CHIP_VERBS = {
    "language": "speak {name}",
    "service": "offer {lower}",
    "cancer_type": "have experience with {lower}",
    "phase": "work with people in this phase: {lower}",
    "setting": "have worked in {lower}",
}


def fold(text: str) -> str:
    """Case-, accent- and punctuation-free words: "Español!" -> "espanol"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(plain))


@lru_cache(maxsize=1)
def synonym_table() -> dict[str, dict[str, tuple[str, ...]]]:
    """The reviewed synonyms: vocabulary -> entry slug -> words and phrases."""
    with SYNONYMS_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    unknown = set(data) - set(VOCABULARY_KEYS)
    if unknown:
        raise ValueError(f"{SYNONYMS_FILE.name} names vocabularies the search does not have: {sorted(unknown)}")
    return {key: {slug: tuple(words) for slug, words in data.get(key, {}).items()} for key in VOCABULARY_KEYS}


@dataclass(frozen=True)
class Term:
    """The vocabulary entry a folded word or phrase names."""

    key: str
    slug: str
    name: str


def term_table(entries: dict) -> dict[str, Term]:
    """Folded phrase -> entry, for the entries that exist: their names, then the synonyms.

    ``entries`` maps each vocabulary key to its entries (objects with ``slug``
    and ``name``), as the search loads them. A synonym of an entry an
    administrator removed is ignored.
    """
    signature = tuple((key, entry.slug, entry.name) for key in VOCABULARY_KEYS for entry in entries.get(key, ()))
    return _term_table(signature)


@lru_cache(maxsize=4)
def _term_table(signature: tuple[tuple[str, str, str], ...]) -> dict[str, Term]:
    terms: dict[str, Term] = {}
    names = {(key, slug): name for key, slug, name in signature}
    for key, slug, name in signature:
        terms.setdefault(fold(name), Term(key, slug, name))
    for key, synonyms in synonym_table().items():
        for slug, words in synonyms.items():
            if (key, slug) in names:
                for word in words:
                    terms.setdefault(fold(word), Term(key, slug, names[(key, slug)]))
    return terms


@dataclass(frozen=True)
class Understood:
    """Words of the text read as one vocabulary entry."""

    key: str  # the search parameter: "language"
    slug: str
    name: str  # the entry's name: "Spanish"
    typed: str  # the words as typed: "spanish"
    start: int  # the words' place among the typed words
    end: int
    corrected_to: str = ""  # the vocabulary word a misspelling was read as

    @property
    def sentence(self) -> str:
        """What the search shows because of these words: "therapists who speak Spanish"."""
        lower = self.name[:1].lower() + self.name[1:]
        return "therapists who " + _CHIP_VERBS[self.key].format(name=self.name, lower=lower)


@dataclass(frozen=True)
class Reading:
    """The text as the search reads it: entries understood, and the words left to search as text."""

    words: tuple[str, ...]
    understood: tuple[Understood, ...]

    @property
    def rest(self) -> str:
        """The words not understood, as text to search."""
        taken = {index for item in self.understood for index in range(item.start, item.end)}
        return " ".join(word for index, word in enumerate(self.words) if index not in taken)

    def without(self, item: Understood) -> str:
        """The words with one understood entry's words taken out: the text of its "remove" link."""
        return " ".join(word for index, word in enumerate(self.words) if not item.start <= index < item.end)

    def filters(self) -> list[tuple[str, str]]:
        """(parameter, slug) pairs the search adds, each once."""
        return list(dict.fromkeys((item.key, item.slug) for item in self.understood))


def read(text: str, entries: dict) -> Reading:
    """Read ``text`` against the vocabularies: the longest known phrase first, then a corrected word."""
    words = tuple(_WORD.findall(text or ""))[:MAX_WORDS]
    folded = [fold(word) for word in words]
    terms = term_table(entries)
    understood: list[Understood] = []
    index = 0
    while index < len(words):
        item = _phrase_at(words, folded, index, terms) or _corrected_at(words, folded, index, terms)
        if item is None:
            index += 1
            continue
        # An entry named twice ("mld manual lymph drainage") is one filter; both phrases leave the text.
        understood.append(item)
        index = item.end
    return Reading(words, tuple(understood))


def _phrase_at(words, folded, index: int, terms: dict[str, Term]) -> Understood | None:
    for length in range(min(MAX_PHRASE_WORDS, len(words) - index), 0, -1):
        term = terms.get(" ".join(folded[index : index + length]))
        if term is not None:
            typed = " ".join(words[index : index + length])
            return Understood(term.key, term.slug, term.name, typed, index, index + length)
    return None


def _corrected_at(words, folded, index: int, terms: dict[str, Term]) -> Understood | None:
    word = folded[index]
    target = correction(word, _single_words(tuple(terms)))
    if not target:
        return None
    term = terms[target]
    return Understood(term.key, term.slug, term.name, words[index], index, index + 1, corrected_to=target)


@lru_cache(maxsize=4)
def _single_words(phrases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(phrase for phrase in phrases if " " not in phrase))


def allowed_slips(word: str) -> int:
    """How many slips (insertions, deletions, changes, swaps) a word may have and still be corrected."""
    if len(word) < MIN_CORRECTED_LENGTH:
        return 0
    return 2 if len(word) >= TWO_SLIPS_LENGTH else 1


def correction(word: str, candidates: tuple[str, ...]) -> str:
    """The candidate ``word`` is a misspelling of, or "" (none near enough, or it is a word of its own).

    Only candidates with the same first letter count: people rarely mistype
    the first letter, and it keeps "breath" from becoming "breast" by chance.
    """
    slips = allowed_slips(word)
    if not slips or word in NEVER_CORRECTED or word.isdigit() or word in candidates:
        return ""
    same_start = [candidate for candidate in candidates if candidate[:1] == word[:1]]
    best = process.extractOne(word, same_start, scorer=OSA.distance, score_cutoff=slips)
    return best[0] if best else ""
