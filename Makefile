# The README's commands. Each creates the virtual environment when needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEV_ENV := DEBUG=true
PG_URL ?= postgres://postgres@127.0.0.1:5432/oncology_directory

.PHONY: run test test-slow test-postgres faults e2e lint migrations-check check ci bench loadtest loadtest-replicas clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

## Start the directory on SQLite with demo data at http://127.0.0.1:8000,
## and beside it the worker that sends the emails (printed in the terminal)
run: venv
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py load_guides
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) $(PY) manage.py db_worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) GEOCODER_WARM_UP=true $(PY) manage.py runserver 127.0.0.1:8000

## Run the test suite on every core (SQLite by default; set DATABASE_URL for PostgreSQL)
test: venv
	$(PY) -m pytest -q -n auto

## The long-running suites (benchmark, faults, replicas, backups): run once in CI
test-slow: venv
	$(PY) -m pytest -q -m slow

test-postgres: venv
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -q -n auto

## The fault suite: its own PostgreSQL, Redis, mail server and gunicorn, each made to fail (needs root)
faults: venv
	$(PY) -m pytest -q -m slow tests/test_faults.py

## Browser tests in the system Chromium
e2e: venv
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest -q tests/e2e -p no:randomly

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

migrations-check: venv
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

## The search benchmark at 1,000 and 100,000 therapists (BENCH_ARGS to change it)
bench: venv
	DEVTOOLS=true SECRET_KEY=bench-only-not-a-secret $(PY) manage.py bench_search $(BENCH_ARGS)

loadtest: venv
	PY=$(PY) bash bench/loadtest.sh

## The same pages through nginx with one gunicorn replica, then two, side by side
loadtest-replicas: venv
	LOADTEST_MODE=replicas PY=$(PY) bash bench/loadtest.sh

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* var staticfiles
