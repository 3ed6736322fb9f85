# Inkluderende anskaffelser: make run | make test | make install | make bench | make serve-prod
#
# `make install` is idempotent and fast when nothing changed: every step leaves a stamp in
# .make-stamps/ (or a real file) and only re-runs when its inputs changed.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make-stamps
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
PO_FILES := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
MIGRATIONS := $(wildcard migrations/*.py migrations/versions/*.py)
HOST ?= 127.0.0.1
PORT ?= 5000

# The database step re-runs when the migrations change, when DATABASE_URL changes, or when the
# default SQLite file is missing.
DB_KEY := $(shell printf '%s' "$${DATABASE_URL:-default}" | md5sum | cut -c1-12)
DB_STAMP := $(STAMPS)/db-$(DB_KEY)
ifeq ($(strip $(DATABASE_URL)),)
ifeq ($(wildcard instance/advisor.db),)
DB_FORCE := FORCE
endif
endif

.PHONY: help install run test bench serve-prod lint audit messages clean FORCE

help:
	@echo "make run         set up (if needed) and serve on http://$(HOST):$(PORT)"
	@echo "make test        set up (if needed) and run the test suite"
	@echo "make install     set up: Debian libraries, .venv, translations, database"
	@echo "make bench       run the benchmarks in bench/"
	@echo "make serve-prod  gunicorn with gunicorn.conf.py (ADVISOR_ENV=production, SECRET_KEY)"
	@echo "make lint        ruff"
	@echo "make audit       pip-audit: fail on dependencies with known vulnerabilities"
	@echo "make messages    extract translatable strings and update the .po catalogs"

install: $(STAMPS)/apt $(STAMPS)/deps $(MO_FILES) $(DB_STAMP)

# Debian libraries WeasyPrint loads at import; apt-get only for those dpkg says are missing.
$(STAMPS)/apt: Makefile
	@mkdir -p $(STAMPS)
	@missing=""; \
	for package in $(APT_PACKAGES); do \
	  dpkg -s "$$package" >/dev/null 2>&1 || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  sudo=""; if [ "$$(id -u)" -ne 0 ]; then sudo="sudo"; fi; \
	  echo "Installing Debian packages:$$missing"; \
	  $$sudo apt-get update; \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y --no-install-recommends $$missing; \
	fi
	@touch $@

# The virtualenv, with Python 3.12 or 3.11 (durable-rules does not run on 3.13).
$(BIN)/python:
	@python=""; \
	for candidate in python3.12 python3.11; do \
	  if command -v "$$candidate" >/dev/null 2>&1 && "$$candidate" -c 'import venv' 2>/dev/null; then \
	    python="$$candidate"; break; \
	  fi; \
	done; \
	if [ -z "$$python" ]; then \
	  echo "ERROR: Python 3.12 or 3.11 (with venv) is required; neither was found." >&2; \
	  echo "       On Debian/Ubuntu: apt-get install python3.11 python3.11-venv python3.11-dev" >&2; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)
	@$(BIN)/python -c 'import sys; assert (3, 11) <= sys.version_info[:2] <= (3, 12), \
	  f"$(VENV) has Python {sys.version.split()[0]}; delete $(VENV) and run make install"'

$(STAMPS)/deps: pyproject.toml | $(BIN)/python
	@mkdir -p $(STAMPS)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(STAMPS)/deps
	$(BIN)/pybabel compile -d translations -l $* --statistics

$(DB_STAMP): $(MIGRATIONS) alembic.ini $(STAMPS)/deps $(DB_FORCE)
	@mkdir -p instance $(STAMPS)
	$(BIN)/alembic upgrade head
	@touch $@

run: install
	$(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest

bench: install
	@shopt -s nullglob; \
	for script in bench/*.py; do \
	  echo "== $$script"; \
	  $(BIN)/python "$$script"; \
	done

serve-prod: install
	ADVISOR_ENV=$${ADVISOR_ENV:-production} $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

lint: $(STAMPS)/deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# --strict: a dependency that could not be checked (e.g. no access to the vulnerability
# service) is a failure too, not a silent pass.
audit: $(STAMPS)/deps
	$(BIN)/pip-audit --strict --skip-editable --progress-spinner off

messages: $(STAMPS)/deps
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --sort-output -o messages.pot .
	$(BIN)/pybabel update -i messages.pot -d translations --no-fuzzy-matching --width 100
	@rm -f messages.pot
	@echo "Now translate the new msgids in translations/nb/LC_MESSAGES/messages.po"

clean:
	rm -rf $(STAMPS) translations/*/LC_MESSAGES/*.mo

FORCE:
