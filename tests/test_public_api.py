"""The app uses only Django's public QuerySet API: no private methods overridden or called."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_FOLDERS = ("accounts", "config", "directory", "guides")
PRIVATE = re.compile(r"\b(_clone|_chain|_combinator_query|_filter_or_exclude|_fetch_all|_result_cache)\b")


def test_no_app_module_uses_private_queryset_api():
    found = []
    for folder in APP_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if PRIVATE.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_the_check_finds_what_it_looks_for():
    assert PRIVATE.search("    def _clone(self):")
    assert PRIVATE.search("combined = combined._chain()")
    assert not PRIVATE.search("queryset.filter(pk=1)")
