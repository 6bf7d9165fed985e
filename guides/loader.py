"""Read and check guide files: Markdown with YAML front matter.

Parsing knows nothing of the database, so a broken file is reported before
anything is written. Checking slugs against the vocabularies is the
command's job, as it needs the database.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import frontmatter
import yaml

CONTENT_DIR = Path(__file__).resolve().parent / "content"

REQUIRED_KEYS = frozenset({"title", "slug", "summary", "key_points", "sources", "last_reviewed", "search_cta_label"})
OPTIONAL_KEYS = frozenset({"services", "phases", "always_show", "position", "search_reason"})


class GuideFileError(ValueError):
    """A guide file that cannot be loaded; the message names the file."""


@dataclass(frozen=True)
class Source:
    title: str
    url: str

    def as_json(self) -> dict[str, str]:
        return {"title": self.title, "url": self.url}


@dataclass(frozen=True)
class GuideFile:
    path: Path
    title: str
    slug: str
    summary: str
    body: str
    key_points: tuple[str, ...]
    sources: tuple[Source, ...]
    last_reviewed: datetime.date
    services: tuple[str, ...]
    phases: tuple[str, ...]
    always_show: bool
    position: int
    search_cta_label: str
    search_reason: str


def read_guide_files(directory: Path = CONTENT_DIR) -> list[GuideFile]:
    """Every *.md file in the directory, parsed and checked, in file-name order."""
    if not directory.is_dir():
        raise GuideFileError(f"{directory}: not a directory")
    return [parse_guide_file(path) for path in sorted(directory.glob("*.md"))]


def parse_guide_file(path: Path) -> GuideFile:
    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise GuideFileError(f"{path.name}: cannot read front matter ({error})") from error
    meta = post.metadata
    _check_keys(path, meta)
    slug = _text(path, meta, "slug")
    # One file per page, named after its address, so a reader of a URL finds the file.
    if slug != path.stem:
        raise GuideFileError(f"{path.name}: slug {slug!r} does not match the file name")
    body = post.content.strip()
    if not body:
        raise GuideFileError(f"{path.name}: the body is empty")
    services, phases = _text_list(path, meta, "services"), _text_list(path, meta, "phases")
    always_show = _boolean(path, meta.get("always_show", False))
    # A guide shown beside the results says there why it is worth reading.
    shown_beside_results = bool(services or phases or always_show)
    search_reason = _text(path, meta, "search_reason") if shown_beside_results or "search_reason" in meta else ""
    return GuideFile(
        path=path,
        title=_text(path, meta, "title"),
        slug=slug,
        summary=" ".join(_text(path, meta, "summary").split()),
        body=body,
        key_points=_text_list(path, meta, "key_points", required=True),
        sources=_sources(path, meta.get("sources")),
        last_reviewed=_date(path, meta.get("last_reviewed")),
        services=services,
        phases=phases,
        always_show=always_show,
        position=_position(path, meta.get("position", 100)),
        search_cta_label=_text(path, meta, "search_cta_label"),
        search_reason=search_reason,
    )


def _check_keys(path: Path, meta: Mapping[str, Any]) -> None:
    # A misspelt key ("servies") would otherwise vanish silently.
    missing = sorted(REQUIRED_KEYS - meta.keys())
    unknown = sorted(meta.keys() - REQUIRED_KEYS - OPTIONAL_KEYS)
    if missing:
        raise GuideFileError(f"{path.name}: missing front matter: {', '.join(missing)}")
    if unknown:
        raise GuideFileError(f"{path.name}: unknown front matter: {', '.join(unknown)}")


def _text(path: Path, meta: Mapping[str, Any], key: str) -> str:
    value = meta.get(key)
    if not isinstance(value, str) or not value.strip():
        raise GuideFileError(f"{path.name}: {key} must be non-empty text")
    return value.strip()


def _text_list(path: Path, meta: Mapping[str, Any], key: str, *, required: bool = False) -> tuple[str, ...]:
    value = meta.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise GuideFileError(f"{path.name}: {key} must be a list of text")
    if required and not value:
        raise GuideFileError(f"{path.name}: {key} must not be empty")
    return tuple(item.strip() for item in value)


def _sources(path: Path, value: Any) -> tuple[Source, ...]:
    if not isinstance(value, list) or not value:
        raise GuideFileError(f"{path.name}: sources must be a non-empty list")
    sources = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"title", "url"}:
            raise GuideFileError(f"{path.name}: each source needs exactly a title and a url")
        title, url = item["title"], item["url"]
        if not isinstance(title, str) or not title.strip():
            raise GuideFileError(f"{path.name}: a source has an empty title")
        if not isinstance(url, str) or not url.startswith("https://"):
            raise GuideFileError(f"{path.name}: source url {url!r} must start with https://")
        # A source proves a sentence only if it is the page that says it, not a site's home page.
        if urlsplit(url).path.strip("/") == "":
            raise GuideFileError(f"{path.name}: source url {url!r} is a home page; link the page that says it")
        sources.append(Source(title=title.strip(), url=url))
    return tuple(sources)


def _date(path: Path, value: Any) -> datetime.date:
    # YAML reads 2026-11-20 as a date; a datetime or a string means a typo.
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise GuideFileError(f"{path.name}: last_reviewed must be a date like 2026-11-20")
    return value


def _boolean(path: Path, value: Any) -> bool:
    if not isinstance(value, bool):
        raise GuideFileError(f"{path.name}: always_show must be true or false")
    return value


def _position(path: Path, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 32767:
        raise GuideFileError(f"{path.name}: position must be a whole number from 0 to 32767")
    return value
