# Partner Portal. `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# Links the portal prints and emails follow HOST/PORT unless SITE_URL is set (see settings).
export PORTAL_HOST := $(HOST)
export PORTAL_PORT := $(PORT)

.PHONY: run test test-fast venv dev-venv system-deps node-deps migrate seed worker beat bench lint format check clean

$(VENV)/.installed: requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; using python3"; }
	@test -x $(PY) || ($(PYTHON) -m venv $(VENV) 2>/dev/null || python3 -m venv $(VENV))
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.dev-installed

migrate: venv
	$(PY) manage.py migrate --noinput

seed: migrate
	@mkdir -p var
	$(PY) manage.py seed_demo
	$(PY) manage.py import_catalog catalog/data/segment-destinations.json > var/import_catalog.log
	@head -n 2 var/import_catalog.log; echo "  (full import report: var/import_catalog.log)"

## Embedded defaults: SQLite, local files, eager Celery, console email.
run: seed
	$(PY) manage.py runserver $(HOST):$(PORT)

## PostgreSQL, Redis, chromium, wrk from Debian; simple-icons and devicon from npm.
system-deps:
	bash tests/install_system_deps.sh

node-deps:
	bash tests/install_node_deps.sh

## The whole suite, on a throwaway PostgreSQL cluster, with real Redis/Celery, moto S3 and chromium.
test: dev-venv system-deps node-deps
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

## Quick loop: SQLite, no browser, no services.
test-fast: dev-venv
	TEST_DATABASE=sqlite $(PY) -m pytest -m "not browser and not worker and not s3"

worker: venv
	$(VENV)/bin/celery -A portal worker --loglevel=INFO

beat: venv
	@mkdir -p var
	$(VENV)/bin/celery -A portal beat --loglevel=INFO --schedule var/celerybeat-schedule

bench: dev-venv system-deps node-deps
	$(PY) -m benchmarks

lint: dev-venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: dev-venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: dev-venv
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
