# IMID-KB: `make run` serves the site on SQLite, `make test` runs every check.
# Both set everything up from a fresh clone (virtualenv, install, migrate, load).

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

# Django 6.1 needs Python 3.12 or newer: take the first one found on PATH or
# under pyenv (the system python3 may be older).
BASE_PYTHON ?= $(shell for c in python3.12 $(HOME)/.pyenv/versions/3.12*/bin/python3 \
	python3.13 $(HOME)/.pyenv/versions/3.13*/bin/python3 python3.14 python3; do \
	p=$$(command -v $$c 2>/dev/null) || continue; \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; \
	done)

# Local runs default to debug mode and a throw-away key; production sets both
# through the environment (see .env.example).
LOCAL_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1}
TEST_ENV := DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-test-only-insecure-secret-key} DJANGO_SECURE_SSL_REDIRECT=0

.PHONY: setup run serve bench test quick lint audit migrate loadkb dumpkb kbstats clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(BASE_PYTHON)" || { echo "Python >= 3.12 is required (Django 6.1)."; exit 1; }
	@echo "Creating $(VENV) with $(BASE_PYTHON)"
	$(BASE_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

migrate: setup
	$(LOCAL_ENV) $(PY) manage.py migrate --noinput

loadkb: migrate
	$(LOCAL_ENV) $(PY) manage.py loadkb

dumpkb: setup
	$(LOCAL_ENV) $(PY) manage.py dumpkb

kbstats: setup
	$(LOCAL_ENV) $(PY) manage.py kbstats

run: loadkb
	@echo "Serving IMID-KB at http://$(HOST):$(PORT)/"
	$(LOCAL_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# The benchmark (bench/RESULTS.md): wrk from Debian, Datasette in its own
# virtualenv so that its pins never touch the app's.
BENCH_VENV := .venv-bench
bench: setup
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	@test -x $(BENCH_VENV)/bin/datasette || { $(BASE_PYTHON) -m venv $(BENCH_VENV) && \
		$(BENCH_VENV)/bin/pip install --quiet datasette==0.65.5; }
	DATASETTE=$(BENCH_VENV)/bin/datasette $(PY) bench/run.py

# Production-style serving: gunicorn, static files through whitenoise. The
# fixtures seed an empty database only: a restart never rewrites curation
# (fixture changes reach a running database by `manage.py loadkb`, three-way).
# Needs DJANGO_SECRET_KEY (and DATABASE_URL for PostgreSQL) in the environment.
WORKERS ?= 2
serve: setup
	@test -n "$$DJANGO_SECRET_KEY" || { echo "Set DJANGO_SECRET_KEY (see .env.example)."; exit 1; }
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loadkb --if-empty
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(VENV)/bin/gunicorn imidkb.wsgi:application --config gunicorn.conf.py --workers $(WORKERS) \
		--bind $(HOST):$(PORT) --access-logfile - --max-requests 10000 \
		--access-logformat '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" id=%({x-request-id}o)s' \
		--max-requests-jitter 500 --graceful-timeout 30

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Known vulnerabilities in the installed (pinned) dependencies, saying how many
# packages could really be audited (offline: none, and it says so).
audit: setup
	$(PY) .ci/pip_audit_report.py

# pytest runs in one process per core (at most 4; pytest-xdist; a third on
# this 2-core machine was slower, the suite is CPU-bound): 4 min 40 s of
# pytest on SQLite and on PostgreSQL in clean-clone CI (2026-12-02).
# Each process loads the knowledge base once; the tests of the large synthetic
# one share a worker (--dist loadgroup, tests/conftest.py SYNTHETIC).
# The audit (make audit) waits on the network, not on the CPU: it runs beside
# pytest, and its report is printed after pytest's.
test: lint
	$(TEST_ENV) $(PY) manage.py check --fail-level WARNING
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	report=$$(mktemp); $(PY) .ci/pip_audit_report.py > $$report 2>&1 & audit=$$!; \
	$(TEST_ENV) $(VENV)/bin/pytest --numprocesses=auto --maxprocesses=4 --dist loadgroup; \
	tests=$$?; wait $$audit; audited=$$?; cat $$report; rm -f $$report; \
	test $$tests -eq 0 && test $$audited -eq 0

# The edit loop: lint and every test but the slow drills (browser, gunicorn
# workers, schemathesis, kill-and-restore), stopping at the first failure.
# `make test` runs everything.
quick: setup
	$(VENV)/bin/ruff check .
	$(TEST_ENV) $(VENV)/bin/pytest -q -x --ignore=tests/browser \
		--ignore=tests/test_workers.py --ignore=tests/test_schema.py \
		--ignore=tests/test_resilience.py --ignore=tests/test_outage_drill.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles
