#!/usr/bin/env bash
# A bounded load test on loopback: gunicorn with production settings (DEBUG
# off, whitenoise serving collected static files) against a database of
# synthetic therapists, then wrk against /healthz, a search page and a
# profile page, one after the other; then, with gunicorn restarted and the
# search page cache off (SEARCH_PAGE_CACHE_SECONDS=0), the search page again.
# Prints requests per second, latency percentiles and errors, writes
# bench/results/loadtest.json, stops gunicorn.
#
# Settings (environment):
#   LOADTEST_THERAPISTS   therapists in the SQLite database (default 1000;
#                         the seeded copy of `manage.py bench_search` is reused)
#   LOADTEST_DATABASE_URL use this already-seeded database instead (read only)
#   LOADTEST_DURATION     per page (default 20s)
#   LOADTEST_THREADS      wrk threads (default 2)
#   LOADTEST_CONNECTIONS  open connections (default 16)
#   LOADTEST_TIMEOUT      a slower answer counts as a socket error (default 2s)
#   WEB_CONCURRENCY       gunicorn workers (default 2 × CPUs + 1), per replica
#   LOADTEST_MODE         "single" (default, as above) or "replicas": the same
#                         pages through nginx, first with one gunicorn replica
#                         behind it, then with two, in the same run; writes
#                         bench/results/loadtest-replicas.json (needs nginx)
#   PY                    the Python to use (default .venv/bin/python)
# Only 127.0.0.1 is ever contacted.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${PY:-}" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
THERAPISTS="${LOADTEST_THERAPISTS:-1000}"
DURATION="${LOADTEST_DURATION:-20s}"
THREADS="${LOADTEST_THREADS:-2}"
CONNECTIONS="${LOADTEST_CONNECTIONS:-16}"
TIMEOUT="${LOADTEST_TIMEOUT:-2s}"
WEB_CONCURRENCY="${WEB_CONCURRENCY:-$(( 2 * $(nproc) + 1 ))}"
export WEB_CONCURRENCY
RESULTS=bench/results
WORKDIR=var/loadtest
mkdir -p "$RESULTS" "$WORKDIR"

if ! command -v wrk >/dev/null 2>&1; then
  echo "wrk is missing: installing it with apt-get."
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get install -y wrk >/dev/null || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y wrk >/dev/null; }
fi

# Production settings, with what plain HTTP on loopback needs.
export DEBUG=false
export DEVTOOLS=true
SECRET_KEY="loadtest-only-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(40))')"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1
export SECURE_SSL_REDIRECT=false
export SECURE_HSTS_SECONDS=0
unset CACHE_URL

WORKING_DB=""
if [ -n "${LOADTEST_DATABASE_URL:-}" ]; then
  export DATABASE_URL="$LOADTEST_DATABASE_URL"
  echo "Database: LOADTEST_DATABASE_URL"
else
  echo "Database: $THERAPISTS synthetic therapists on SQLite (seeded once, then reused)."
  SEEDED="$(DATABASE_URL="sqlite:///$PWD/$WORKDIR/unused.sqlite3" "$PY" manage.py bench_search --prepare \
    --sizes "$THERAPISTS" | tail -n 1)"
  WORKING_DB="$PWD/$WORKDIR/loadtest-$$.sqlite3"
  cp "$SEEDED" "$WORKING_DB"
  export DATABASE_URL="sqlite:///$WORKING_DB"
fi

"$PY" manage.py collectstatic --noinput -v 0
PROFILE_SLUG="$("$PY" manage.py shell -v 0 -c \
  'from directory.models import Profile; q = Profile.objects.listed().order_by("id").values_list("slug", flat=True); print(q[q.count() // 2])' \
  | tail -n 1)"
PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
ACCESS_LOG="$WORKDIR/access.log"
: > "$ACCESS_LOG"
: > "$WORKDIR/error.log"

GUNICORN_PID=""
start_gunicorn() {
  GUNICORN_BIND="127.0.0.1:$PORT" GUNICORN_ACCESS_LOG="$ACCESS_LOG" GUNICORN_ERROR_LOG="$WORKDIR/error.log" \
    "$PY" -m gunicorn config.wsgi:application -c gunicorn.conf.py &
  GUNICORN_PID=$!
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null; then break; fi
    if ! kill -0 "$GUNICORN_PID" 2>/dev/null; then
      echo "gunicorn did not start; see $WORKDIR/error.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  curl -fsS -o /dev/null "$BASE/healthz"
}
stop_gunicorn() {
  if [ -n "$GUNICORN_PID" ]; then
    kill "$GUNICORN_PID" 2>/dev/null || true
    wait "$GUNICORN_PID" 2>/dev/null || true
    GUNICORN_PID=""
  fi
}
cleanup() {
  stop_gunicorn
  if declare -F stop_replicas >/dev/null; then stop_replicas; fi
  if [ -n "$WORKING_DB" ]; then rm -f "$WORKING_DB" "$WORKING_DB-wal" "$WORKING_DB-shm"; fi
}
trap cleanup EXIT

SEARCH_PATH="/therapists/?near=10001"
declare -A PAGES=(
  [healthz]="/healthz"
  [search]="$SEARCH_PATH"
  [profile]="/therapists/$PROFILE_SLUG/"
  [search_uncached]="$SEARCH_PATH"
)
: > "$WORKDIR/results.txt"
run_pages() {
  for name in "$@"; do
    for _ in 1 2 3 4 5; do curl -fsS -o /dev/null "$BASE${PAGES[$name]}"; done
  done
  for name in "$@"; do
    echo "  $name ${PAGES[$name]} …"
    line="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "$TIMEOUT" --latency -s bench/wrk_report.lua \
      "$BASE${PAGES[$name]}" | grep '^RESULT ')"
    echo "${RESULT_PREFIX:-}$name $line" >> "$WORKDIR/results.txt"
  done
}

if [ "${LOADTEST_MODE:-single}" = replicas ]; then
  # shellcheck source=bench/loadtest_replicas.sh
  source bench/loadtest_replicas.sh
  exit 0
fi

# As deployed: a search page made since the last change is served from the cache.
start_gunicorn
echo "gunicorn on $BASE, $WEB_CONCURRENCY workers; wrk: $THREADS threads, $CONNECTIONS connections, $DURATION per page, timeout $TIMEOUT"
run_pages healthz search profile
stop_gunicorn
# The same search page with its cache switched off: every request runs the search.
SEARCH_PAGE_CACHE_SECONDS=0 start_gunicorn
echo "gunicorn again, search pages not cached (SEARCH_PAGE_CACHE_SECONDS=0)"
run_pages search_uncached
stop_gunicorn

QUERY_STRINGS="$(grep -c '?' "$ACCESS_LOG" || true)"
LOGGED="$(wc -l < "$ACCESS_LOG")"
"$PY" - "$WORKDIR/results.txt" "$RESULTS/loadtest.json" "$QUERY_STRINGS" "$LOGGED" "$THREADS" "$CONNECTIONS" \
  "$DURATION" "$WEB_CONCURRENCY" "$THERAPISTS" <<'PYTHON'
import json, os, platform, sys

results_file, output, query_strings, logged, threads, connections, duration, workers, therapists = sys.argv[1:]
rows = {}
for line in open(results_file):
    name, _, *pairs = line.split()
    rows[name] = {key: float(value) for key, value in (pair.split("=") for pair in pairs)}
print()
print(f"{'page':<16} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'non-2xx':>8} {'socket':>7}")
for name, row in rows.items():
    print(f"{name:<16} {row['rps']:>9.1f} {row['p50_ms']:>8.1f} {row['p90_ms']:>8.1f} {row['p99_ms']:>8.1f} "
          f"{row['max_ms']:>8.1f} {int(row['non2xx']):>8} {int(row['socket_errors']):>7}")
errors = sum(int(row["non2xx"] + row["socket_errors"]) for row in rows.values())
ratio = rows["search"]["rps"] / rows["healthz"]["rps"]
uncached = rows["search_uncached"]["rps"] / rows["healthz"]["rps"]
targets = {
    "zero_errors": {"value": errors, "pass": errors == 0},
    "search_throughput": {"value": round(ratio, 3), "limit": 0.125, "pass": ratio >= 0.125},
    "search_throughput_uncached": {"value": round(uncached, 3), "limit": 0.125, "pass": uncached >= 0.125},
    "no_query_strings_logged": {"value": int(query_strings), "pass": int(query_strings) == 0},
}
print()
print(f"{'PASS' if errors == 0 else 'FAIL'} errors: {errors}")
print(f"{'PASS' if ratio >= 0.125 else 'FAIL'} search throughput is {ratio:.2f} of /healthz's (target at least 1/8)")
print(f"{'PASS' if uncached >= 0.125 else 'FAIL'} search throughput with the page cache off is {uncached:.2f} of /healthz's")
print(f"{'PASS' if int(query_strings) == 0 else 'FAIL'} access log: {logged} lines, {query_strings} with a query string")
report = {
    "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
    "settings": {"threads": int(threads), "connections": int(connections), "duration": duration,
                 "workers": int(workers),
                 "therapists": int(therapists)},
    "pages": rows,
    "targets": targets,
}
with open(output, "w") as handle:
    json.dump(report, handle, indent=2)
print(f"Figures written to {output}")
sys.exit(0 if all(t["pass"] for name, t in targets.items() if not name.startswith("search_throughput")) else 1)
PYTHON
