# The single entry point. A new user needs only: make run, make test.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
APT := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends
SYSTEM_PACKAGES := scripts/system-packages

.PHONY: help run test test-fast lint format typecheck audit messages compilemessages check-messages bench soak serve-prod system-deps browser-deps clean

help:
	@echo "make run        create .venv, install, migrate, load demo data, serve http://$(HOST):$(PORT)"
	@echo "make test       install test tools (Chromium from apt when root) and run the whole suite"
	@echo "make lint | typecheck | audit | messages | bench | soak | serve-prod | clean"

$(VENV)/.installed: pyproject.toml
	@$(SYSTEM_PACKAGES) runtime
	@test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

compilemessages: $(VENV)/.installed
	@$(PY) manage.py compilemessages --ignore='.venv' --ignore='var' -v 0

run: $(VENV)/.installed compilemessages
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev compilemessages
	@$(SYSTEM_PACKAGES) test
	$(PY) manage.py makemigrations --check --dry-run -v 0
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.installed-dev compilemessages
	$(PY) -m pytest -m 'not browser' $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: $(VENV)/.installed-dev
	$(VENV)/bin/mypy hyte

# pip-audit over the virtual environment; names what it could not audit (scripts/audit_deps.py).
audit: $(VENV)/.installed-dev
	$(PY) scripts/audit_deps.py

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l fi -l sv -l en --no-obsolete --ignore='.venv/*' --ignore='bench/*' --ignore='tests/*' --ignore='var/*'

check-messages: $(VENV)/.installed
	$(PY) scripts/check_messages.py

BENCHMARKS := bench/search_quality.py bench/search_speed.py bench/tray_latency.py bench/import_speed.py bench/referral_load.py bench/checkin_load.py bench/report_speed.py

bench: $(VENV)/.installed-dev
	@for b in $(BENCHMARKS); do echo "== $$b"; $(PY) $$b || exit 1; done

# 10 minutes of mixed load with a gunicorn worker killed and PostgreSQL restarted midway, on a cluster
# of its own (PostgreSQL 15 server binaries; as root they run as the postgres user). SOAK_ARGS=--quick.
soak: $(VENV)/.installed-dev compilemessages
	$(PY) bench/soak.py $(SOAK_ARGS)

serve-prod: $(VENV)/.installed compilemessages
	$(PY) manage.py check --deploy
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py createcachetable
	$(VENV)/bin/python -m gunicorn -c gunicorn.conf.py -b $(HOST):$(PORT)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .mypy_cache .ruff_cache
