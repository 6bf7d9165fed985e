"""Load the guide files into the database, so that it matches them exactly.

Run on deploy, by `make run` and by seed_demo. Safe to run again: a guide
whose file did not change is not written, and a guide whose file was removed
is deleted.
"""

from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from directory.models import Phase, Service
from guides.loader import CONTENT_DIR, GuideFile, GuideFileError, read_guide_files
from guides.models import Guide


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def summary(self) -> str:
        return (
            f"Guides: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.deleted} deleted."
        )


class Command(BaseCommand):
    help = "Load the Markdown guides into the database (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", type=Path, default=CONTENT_DIR, help="Folder of guide files.")

    def handle(self, *args: object, path: Path, **options: object) -> None:
        try:
            guide_files = read_guide_files(path)
        except GuideFileError as error:
            raise CommandError(str(error)) from error
        # An empty folder is far more likely a wrong path than a wish to delete every guide.
        if not guide_files:
            raise CommandError(f"No guide files (*.md) in {path}.")
        services = {service.slug: service for service in Service.objects.all()}
        phases = {phase.slug: phase for phase in Phase.objects.all()}
        _check_vocabulary(guide_files, services, phases)
        # All or nothing: a half-loaded set would leave the search panel inconsistent.
        with transaction.atomic():
            counts = _sync(guide_files, services, phases)
        self.stdout.write(counts.summary())


def _check_vocabulary(guide_files: list[GuideFile], services: dict[str, Service], phases: dict[str, Phase]) -> None:
    for guide_file in guide_files:
        for slug in guide_file.services:
            if slug not in services:
                raise CommandError(f"{guide_file.path.name}: unknown service slug {slug!r}.")
        for slug in guide_file.phases:
            if slug not in phases:
                raise CommandError(f"{guide_file.path.name}: unknown phase slug {slug!r}.")


def _field_values(guide_file: GuideFile) -> dict[str, object]:
    return {
        "title": guide_file.title,
        "summary": guide_file.summary,
        "body": guide_file.body,
        "key_points": list(guide_file.key_points),
        "sources": [source.as_json() for source in guide_file.sources],
        "last_reviewed": guide_file.last_reviewed,
        "always_show": guide_file.always_show,
        "position": guide_file.position,
        "search_cta_label": guide_file.search_cta_label,
        "search_reason": guide_file.search_reason,
    }


def _sync(guide_files: list[GuideFile], services: dict[str, Service], phases: dict[str, Phase]) -> LoadCounts:
    counts = LoadCounts()
    existing = {guide.slug: guide for guide in Guide.objects.prefetch_related("services", "phases")}
    for guide_file in guide_files:
        guide = existing.get(guide_file.slug)
        values = _field_values(guide_file)
        if guide is None:
            guide = Guide.objects.create(slug=guide_file.slug, **values)
            guide.services.set([services[slug] for slug in guide_file.services])
            guide.phases.set([phases[slug] for slug in guide_file.phases])
            counts.created += 1
        elif _update(guide, guide_file, values, services, phases):
            counts.updated += 1
        else:
            counts.unchanged += 1
    file_slugs = {guide_file.slug for guide_file in guide_files}
    stale = [slug for slug in existing if slug not in file_slugs]
    if stale:
        Guide.objects.filter(slug__in=stale).delete()
    counts.deleted = len(stale)
    return counts


def _update(
    guide: Guide,
    guide_file: GuideFile,
    values: dict[str, object],
    services: dict[str, Service],
    phases: dict[str, Phase],
) -> bool:
    """Write only what differs from the file; True if anything did."""
    changed_fields = [name for name, value in values.items() if getattr(guide, name) != value]
    for name in changed_fields:
        setattr(guide, name, values[name])
    if changed_fields:
        guide.save(update_fields=changed_fields)
    services_changed = {service.slug for service in guide.services.all()} != set(guide_file.services)
    if services_changed:
        guide.services.set([services[slug] for slug in guide_file.services])
    phases_changed = {phase.slug for phase in guide.phases.all()} != set(guide_file.phases)
    if phases_changed:
        guide.phases.set([phases[slug] for slug in guide_file.phases])
    return bool(changed_fields) or services_changed or phases_changed
