"""The words a search row holds in ``terms`` (directory/search/rows.py), and how a
search tests them: one module, so that the writer of the rows and the search agree.

Beside its terms a row holds ``term_bits``, a Bloom filter of them: each term
sets one of 63 bits, chosen by a hash of the term. A row whose bit for a term
is not set cannot hold it, so the search tests that integer first and reads
the text only of the rows that may hold it. Any number of terms fits: a bit
may stand for many terms, and the text decides.
"""

import zlib

# A vocabulary relation's terms: its letter and the entry's id ("s3": service 3).
VOCABULARY_TERMS = {
    "services": "s",
    "phases": "p",
    "care_settings": "c",
    "cancer_types": "t",
    "languages": "l",
}
# A profile's search options (a field that is true) as terms.
OPTION_TERMS = {
    "visits_practice": "visit:practice",
    "visits_home": "visit:home",
    "visits_hospital": "visit:hospital",
    "accessible_premises": "accessible",
    "accepting_new_clients": "accepting",
    "sliding_scale": "sliding-scale",
}


def vocabulary_term(relation: str, pk: int) -> str:
    return f"{VOCABULARY_TERMS[relation]}{pk}"


def option_term(field: str) -> str:
    return OPTION_TERMS[field]


def gender_term(gender: str) -> str:
    return f"gender:{gender}"


def term_text(term: str) -> str:
    """What a row's terms contain when they hold ``term``: the term between spaces."""
    return f" {term} "


def terms_text(terms) -> str:
    return " " + " ".join(sorted(terms)) + " "


def term_bit(term: str) -> int:
    """The bit of ``term`` in a row's ``term_bits`` (one of bits 0 to 62: the integer stays positive)."""
    return 1 << (zlib.crc32(term.encode()) % 63)


def term_bits(terms) -> int:
    bits = 0
    for term in terms:
        bits |= term_bit(term)
    return bits
