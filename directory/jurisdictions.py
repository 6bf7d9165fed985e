"""Where massage is regulated, and where each public register is.

The table is a versioned data file (``directory/data/jurisdictions.csv``),
reviewed like code: reviewers see it beside each credential, the review
form enforces it (a registry look-up wherever a public register exists),
and patients get the look-up link on a profile.
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "jurisdictions.csv"


@dataclass(frozen=True)
class Jurisdiction:
    code: str  # "US-OR", "GB-ENG", "CA-ON", "IE"
    name: str
    country: str
    # "licence": massage is licensed or registered by law; "voluntary": only a
    # voluntary register (California's CAMTC); "none": not regulated.
    regulation: str
    register: str  # the board or register that keeps the public list, if any
    lookup_url: str

    @property
    def regulates(self) -> bool:
        return self.regulation == "licence"

    @property
    def has_register(self) -> bool:
        """A public register exists: a licence or a voluntary registration is looked up there."""
        return bool(self.register)

    @property
    def summary(self) -> str:
        """One line for reviewers and patients."""
        if self.regulation == "licence":
            return f"{self.name} licenses massage; its public register is kept by the {self.register}."
        if self.regulation == "voluntary":
            return f"{self.name} does not license massage; the {self.register} keeps a voluntary public register."
        return (
            f"{self.name} does not regulate massage. A voluntary registration or membership of a professional "
            "body that checks qualifications and insurance is needed."
        )


@cache
def all_jurisdictions() -> tuple[Jurisdiction, ...]:
    with DATA_FILE.open(newline="", encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return tuple(Jurisdiction(**{key: value.strip() for key, value in row.items()}) for row in rows)


@cache
def _by_key() -> dict[str, Jurisdiction]:
    keys = {}
    for jurisdiction in all_jurisdictions():
        keys[jurisdiction.code.lower()] = jurisdiction
        keys[jurisdiction.name.lower()] = jurisdiction
        if jurisdiction.country == "US":
            # Two-letter state codes as people write them: "NY".
            keys[jurisdiction.code.removeprefix("US-").lower()] = jurisdiction
    return keys


def find(text: str) -> Jurisdiction | None:
    """The table's entry for a name ("New York"), code ("US-NY") or state code ("NY"); None if unknown."""
    return _by_key().get(" ".join((text or "").split()).lower())


def names() -> list[str]:
    return sorted(j.name for j in all_jurisdictions())
