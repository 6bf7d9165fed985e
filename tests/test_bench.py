"""The search benchmark runs end to end on a tiny directory and reports its figures.

A smoke test, not a timed one: the figures themselves are not checked, only
that every request of the mix answered and was measured. The command runs in
a child process because it switches the default database to scratch ones.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

# The parent's database is left alone; this only reads the engine.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

BASE = Path(settings.BASE_DIR)
EXPECTED_CASES = {"healthz", "city", "rural", "filters", "text", "page3", "browse", "town", "api", "profile"}


def run_bench(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.test_settings")
    if connection.vendor == "sqlite":
        # A database URL the command only reads the engine from.
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    command = [sys.executable, "manage.py", "bench_search", "--cache-dir", str(tmp_path / "cache"), *arguments]
    return subprocess.run(command, cwd=BASE, env=env, capture_output=True, text=True, timeout=600)


def test_the_benchmark_measures_every_case_and_writes_its_figures(tmp_path):
    output = tmp_path / "figures.json"

    result = run_bench(
        tmp_path,
        "--sizes", "12,24", "--repeat", "2", "--warmup", "1",
        "--output", str(output), "--static-root", str(tmp_path / "static"),
    )  # fmt: skip

    assert result.returncode == 0, result.stderr[-3000:]
    assert "Dense city (near=10001)" in result.stdout
    assert "/healthz baseline" in result.stdout
    assert "Targets:" in result.stdout
    assert "Search benchmark, cached:" in result.stdout
    assert "Search benchmark, uncached:" in result.stdout
    reports = json.loads(output.read_text())
    assert set(reports) == {"cached", "uncached"}
    for figures in reports.values():
        assert set(figures["runs"]) == {"12", "24"}
        for size, run in figures["runs"].items():
            assert {case["key"] for case in run["cases"]} == EXPECTED_CASES
            assert run["synthetic"] == int(size)
            assert run["listed"] >= int(size)  # the hand-written demo therapists are there too
            for case in run["cases"]:
                assert case["status"] == 200, case
                assert case["queries"] >= 1
                assert len(case["times_ms"]) == 2
                assert case["median_ms"] > 0 and case["p95_ms"] >= case["median_ms"]
            assert run["search_page_weight"]["html_bytes"] > 1000
            assert all(size is not None for size in run["search_page_weight"]["assets"].values())
        assert figures["runs"]["24"]["cases"][1]["growth"] > 0
        assert set(figures["targets"]) == {"mix_growth", "times_healthz", "queries", "page_weight"}
        assert figures["database"]["vendor"] == connection.vendor
    # Where an uncached request's time goes: SQL, templates and the rest add up to the total.
    for size in ("12", "24"):
        parts = reports["uncached"]["runs"][size]["parts"]
        assert set(parts) == {"city", "rural", "filters", "text", "page3", "browse", "town", "api"}
        for part in parts.values():
            assert part["sql_ms"] > 0 and part["total_ms"] > 0
            assert part["sql_ms"] + part["templates_ms"] + part["rest_ms"] == pytest.approx(part["total_ms"], abs=0.05)
        assert parts["city"]["templates_ms"] > 0
        assert parts["api"]["templates_ms"] == 0  # JSON: no template
    assert "parts" not in reports["cached"]["runs"]["12"]
    assert "Where an uncached request's time goes" in result.stdout
    # Served from the cache, a search reads only the edition; otherwise it runs the search.
    cached_city = next(c for c in reports["cached"]["runs"]["24"]["cases"] if c["key"] == "city")
    uncached_city = next(c for c in reports["uncached"]["runs"]["24"]["cases"] if c["key"] == "city")
    assert cached_city["queries"] == 1
    assert uncached_city["queries"] > 1
    if connection.vendor == "postgresql":
        # The scratch databases are dropped afterwards.
        scratch = [f"{connection.settings_dict['NAME'].removeprefix('test_')}_bench_{size}" for size in (12, 24)]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_database WHERE datname = ANY(%s)", [scratch])
            assert cursor.fetchone()[0] == 0


def test_a_seeded_sqlite_database_is_kept_and_reused(tmp_path):
    first = run_bench(tmp_path, "--prepare", "--sizes", "12")
    second = run_bench(tmp_path, "--prepare", "--sizes", "12")

    if connection.vendor == "sqlite":
        assert first.returncode == 0, first.stderr[-3000:]
        assert "seeding a new database" in first.stdout
        assert "reusing the seeded database" in second.stdout
        kept = Path(second.stdout.strip().splitlines()[-1])
        assert kept.exists() and kept.parent == tmp_path / "cache"
    else:
        assert first.returncode != 0
        assert "SQLite only" in first.stderr


def test_bad_sizes_are_refused_in_plain_words(tmp_path):
    result = run_bench(tmp_path, "--sizes", "a lot")

    assert result.returncode != 0
    assert "--sizes takes whole numbers" in result.stderr


def test_the_benchmark_can_time_requests_over_http_to_gunicorn(tmp_path):
    output = tmp_path / "figures.json"
    result = run_bench(
        tmp_path,
        "--http", "--sizes", "12,24", "--repeat", "2", "--warmup", "1", "--output", str(output),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    reports = json.loads(output.read_text())
    for figures in reports.values():
        for run in figures["runs"].values():
            for case in run["cases"]:
                assert case["status"] == 200, case
                assert len(case["times_ms"]) == 2 and case["median_ms"] > 0
    uncached_city = next(c for c in reports["uncached"]["runs"]["24"]["cases"] if c["key"] == "city")
    assert 1 <= uncached_city["ring_queries"] < uncached_city["queries"]
    assert "besides the rings" in reports["uncached"]["targets"]["queries"]["text"]


def test_the_benchmark_compares_a_commit_in_the_same_rounds(tmp_path):
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=BASE, capture_output=True, text=True, check=True
    ).stdout.strip()
    output = tmp_path / "figures.json"
    worktree = tmp_path / "cache" / f"compare-{head[:7]}"
    try:
        result = run_bench(
            tmp_path,
            "--http", "--compare", head, "--sizes", "20,30", "--repeat", "1", "--warmup", "0",
            "--output", str(output),
        )  # fmt: skip
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=BASE, capture_output=True)

    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Compared commit {head[:7]}, cached:" in result.stdout
    assert f"Compared commit {head[:7]}, uncached:" in result.stdout
    reports = json.loads(output.read_text())
    for figures in reports.values():
        compare = figures["compare"]
        assert compare["ref"] == head
        assert set(compare["runs"]) == {"20", "30"}
        assert set(compare["mix_ms"]) == {"20", "30"}
        for size, run in compare["runs"].items():
            assert run["synthetic"] == int(size)
            assert {case["key"] for case in run["cases"]} == EXPECTED_CASES
            for case in run["cases"]:
                assert case["status"] == 200, case
                assert case["median_ms"] > 0 and case["p95_ms"] >= case["median_ms"]
                assert len(case["times_ms"]) == 1
            healthz = next(case for case in run["cases"] if case["key"] == "healthz")
            assert healthz["times_healthz"] == 1.0
        # The targets are today's alone.
        assert set(figures["targets"]) == {"mix_growth", "times_healthz", "queries", "page_weight"}
    if connection.vendor == "postgresql":
        scratch = [f"{connection.settings_dict['NAME'].removeprefix('test_')}_bench_cmp_{size}" for size in (20, 30)]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_database WHERE datname = ANY(%s)", [scratch])
            assert cursor.fetchone()[0] == 0


def test_compare_is_refused_without_http(tmp_path):
    result = run_bench(tmp_path, "--compare", "HEAD", "--sizes", "20")

    assert result.returncode != 0
    assert "use it with --http" in result.stderr
