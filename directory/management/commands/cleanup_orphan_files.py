"""List (and with --delete remove) stored files that no database row refers to.

Files can be left behind by a crash between the file write and the commit,
by an upload whose transaction rolled back, or by a temporary ``.upload-``
file of a process killed mid-write. Every FileField (and ImageField) of
every model is consulted, so a new upload field is covered without change.
Run it after a restore, or now and then; without ``--delete`` it only lists.
"""

import os
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import FileField

# A file younger than this may belong to an upload whose transaction has not committed yet.
MIN_AGE_SECONDS = 3600


def referenced_names() -> set[str]:
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, FileField):
                values = model._default_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
                names.update(value for value in values.iterator() if value)
    return names


def stored_files(root: Path):
    """(relative name, full path) of every file under ``root``."""
    for folder, _subfolders, files in os.walk(root):
        for file in files:
            path = Path(folder) / file
            yield path.relative_to(root).as_posix(), path


def orphans(*, now: float) -> list[Path]:
    referenced = referenced_names()
    found = []
    for root in (Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)):
        if not root.is_dir():
            continue
        for name, path in stored_files(root):
            if name not in referenced and now - path.stat().st_mtime >= MIN_AGE_SECONDS:
                found.append(path)
    return sorted(found)


class Command(BaseCommand):
    help = "List stored files no database row refers to; --delete removes them."

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="Remove the files listed.")

    def handle(self, *args, delete: bool = False, **options):
        found = orphans(now=time.time())
        for path in found:
            if delete:
                path.unlink(missing_ok=True)
            self.stdout.write(f"{'Deleted' if delete else 'Orphan'}: {path}")
        verb = "Deleted" if delete else "Found"
        self.stdout.write(f"{verb} {len(found)} file(s) that no record refers to.")
