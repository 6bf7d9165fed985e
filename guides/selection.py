"""Which guides sit beside a search's results or a profile, in what order, and why.

Patients are meant to read the guides while they look at therapists, so every
results page shows every benefit guide and the safety guide, a plain search by
place included. The search only decides the order: the guides its services
and treatment phases point to come first (a service counts for more than a
phase, as it is what the patient asked a therapist to do), then the safety
guide, then the other benefit guides. Each comes with one line saying why it
is there.

The choice is a pure function of the guides' relations (``order_for_search``,
``order_for_profile``), tested without a database; ``guides_for_search`` and
``guides_for_profile`` read what it needs (``candidates``, two queries), or
take it from the caller, which may keep it (the search keeps it for its edition).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, Value

from guides.models import Guide

# A service says what the patient wants done; a phase only where they are in their care.
SERVICE_WEIGHT = 2
PHASE_WEIGHT = 1
QUESTIONS_SLUG = "questions-to-ask"


@dataclass(frozen=True)
class Candidate:
    """What the choice needs to know of one guide: its relations by slug (with their names)."""

    guide: Any
    slug: str
    position: int
    always_show: bool = False
    reason: str = ""
    services: Mapping[str, str] = field(default_factory=dict)
    phases: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_benefit_guide(self) -> bool:
        return bool(self.services or self.phases)


@dataclass(frozen=True)
class GuideChoice:
    """A guide as a panel shows it: the guide and the line saying why it is there."""

    guide: Any
    reason: str

    @property
    def title(self) -> str:
        return self.guide.title

    @property
    def slug(self) -> str:
        return self.guide.slug

    @property
    def summary(self) -> str:
        return self.guide.summary

    def get_absolute_url(self) -> str:
        return self.guide.get_absolute_url()


def order_for_search(
    candidates: Iterable[Candidate], *, service_slugs: Iterable[str], phase_slugs: Iterable[str]
) -> list[GuideChoice]:
    """The benefit guides and the safety guide for a search, best match first.

    Guides the search's services or phases point to come first, by how much
    they match, then by their own position; then the guides always shown (the
    safety guide); then the other benefit guides by position. Guides with no
    relation that are not always shown (how we verify, questions to ask)
    belong to other places and are left out.
    """
    chosen_services, chosen_phases = set(service_slugs), set(phase_slugs)
    matched: list[tuple[int, int, str, GuideChoice]] = []
    always: list[GuideChoice] = []
    others: list[GuideChoice] = []
    for candidate in sorted(candidates, key=lambda each: (each.position, each.slug)):
        services = [name for slug, name in candidate.services.items() if slug in chosen_services]
        phases = [name for slug, name in candidate.phases.items() if slug in chosen_phases]
        score = SERVICE_WEIGHT * len(services) + PHASE_WEIGHT * len(phases)
        if score:
            reason = f"Because your search includes {_and_list(services + phases)}."
            matched.append((-score, candidate.position, candidate.slug, GuideChoice(candidate.guide, reason)))
        elif candidate.always_show:
            always.append(GuideChoice(candidate.guide, candidate.reason))
        elif candidate.is_benefit_guide:
            others.append(GuideChoice(candidate.guide, candidate.reason))
    return [choice for *_, choice in sorted(matched, key=lambda row: row[:3])] + always + others


def order_for_profile(candidates: Iterable[Candidate], *, service_slugs: Iterable[str]) -> list[GuideChoice]:
    """The guides for a therapist's page: those about the services they offer, the safety
    guide, and the questions to ask them before booking.

    Phases are left out: most therapists serve many, so they would pick every guide.
    """
    offered = set(service_slugs)
    about_services: list[GuideChoice] = []
    practical: list[GuideChoice] = []
    questions: list[GuideChoice] = []
    for candidate in sorted(candidates, key=lambda each: (each.position, each.slug)):
        services = [name for slug, name in candidate.services.items() if slug in offered]
        if services:
            reason = f"This therapist offers {_and_list(services)}."
            about_services.append(GuideChoice(candidate.guide, reason))
        elif candidate.always_show:
            practical.append(GuideChoice(candidate.guide, candidate.reason))
        elif candidate.slug == QUESTIONS_SLUG:
            reason = candidate.reason or "What to ask this therapist before you book."
            questions.append(GuideChoice(candidate.guide, reason))
    return practical + questions + about_services


def guides_for_search(
    *, service_slugs: Iterable[str], phase_slugs: Iterable[str], candidates: list[Candidate] | None = None
) -> list[GuideChoice]:
    """The guides beside a search's results, from ``candidates`` or the database (two queries)."""
    candidates = load_candidates() if candidates is None else candidates
    return order_for_search(candidates, service_slugs=service_slugs, phase_slugs=phase_slugs)


def guides_for_profile(*, service_slugs: Iterable[str], candidates: list[Candidate] | None = None) -> list[GuideChoice]:
    """The guides beside a therapist's profile, from ``candidates`` or the database (two queries)."""
    candidates = load_candidates() if candidates is None else candidates
    return order_for_profile(candidates, service_slugs=service_slugs)


def load_candidates() -> list[Candidate]:
    """Every guide, without its text, with its services and phases (two queries)."""
    # 1 the guides, without their bodies; 2 every guide's services and phases, with names (one UNION).
    guides = list(Guide.objects.defer("body", "key_points", "sources"))
    kind = {"output_field": CharField()}
    services = Guide.services.through.objects.values_list(
        "guide_id", Value("service", **kind), "service__slug", "service__name"
    )
    phases = Guide.phases.through.objects.values_list("guide_id", Value("phase", **kind), "phase__slug", "phase__name")
    relations: dict[tuple[int, str], dict[str, str]] = {}
    for guide_id, relation, slug, name in services.union(phases, all=True).order_by():
        relations.setdefault((guide_id, relation), {})[slug] = name
    return [
        Candidate(
            guide=guide,
            slug=guide.slug,
            position=guide.position,
            always_show=guide.always_show,
            reason=guide.search_reason,
            services=relations.get((guide.pk, "service"), {}),
            phases=relations.get((guide.pk, "phase"), {}),
        )
        for guide in guides
    ]


def _and_list(names: list[str]) -> str:
    """ "A", "A and B", "A, B and C", in lower case as a sentence reads them (but "CLT" stays)."""
    words = [name if name[1:2].isupper() else name[:1].lower() + name[1:] for name in names]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
