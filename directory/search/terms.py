"""The words a search row holds in ``terms`` (directory/search/rows.py), and the
patterns a search tests them with: one module, so that the writer of the rows
and the search agree."""

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


def term_pattern(term: str) -> str:
    """The LIKE pattern of a row whose terms hold ``term`` (terms hold no wildcard)."""
    return f"% {term} %"


def terms_text(terms) -> str:
    return " " + " ".join(sorted(terms)) + " "
