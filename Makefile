# Inkluderende anskaffelser: make run | make test | make install | make lint | make bench | ...
#
# `make install` is idempotent and fast when nothing changed: every step leaves a stamp in
# .make-stamps/ (or a real file) and only re-runs when its inputs changed.
#
# Dependencies come only from the lock files in requirements/ (pinned, with hashes, checked by
# pip --require-hashes): dev.txt for development and tests, runtime.txt for production
# (`make install-prod`). durable-rules is built once per machine from its locked sdist with
# patches/ applied and installed from the cached wheel (scripts/durable-rules-wheel).
# `make lock` regenerates the lock files from pyproject.toml.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
BIN := $(VENV)/bin
STAMPS := .make-stamps
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
PO_FILES := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
MIGRATIONS := $(wildcard migrations/*.py migrations/versions/*.py)
HOST ?= 127.0.0.1
PORT ?= 5000

# The interpreter for a new .venv: PYTHON if given, else the first of these found.
PYTHON_CANDIDATES := python3.12 python3.11 python3.13
# Which lock `make install` installs: dev (runtime + test, bench, lint, audit and lock tools) or runtime.
DEPS ?= dev
LOCK := requirements/$(DEPS).txt
DURABLE_LOCK := requirements/durable-rules.txt
DURABLE_PATCHES := $(wildcard patches/durable-rules-*.patch)
# Kept inside the virtualenv: a new .venv (or VENV=...) installs its dependencies afresh.
DEPS_STAMP := $(VENV)/.installed-$(DEPS)

# The database step re-runs when the migrations change, when DATABASE_URL changes, or when the
# default SQLite file is missing.
DB_KEY := $(shell printf '%s' "$${DATABASE_URL:-default}" | md5sum | cut -c1-12)
DB_STAMP := $(STAMPS)/db-$(DB_KEY)
ifeq ($(strip $(DATABASE_URL)),)
ifeq ($(wildcard instance/advisor.db),)
DB_FORCE := FORCE
endif
endif

.PHONY: help install install-prod run test bench serve-prod lint audit lock messages clean FORCE

help:
	@echo "make run           set up (if needed) and serve on http://$(HOST):$(PORT)"
	@echo "make test          set up (if needed) and run the test suite"
	@echo "make install       set up: Debian libraries, .venv from requirements/dev.txt, translations, database"
	@echo "make install-prod  the same with only the runtime dependencies (requirements/runtime.txt)"
	@echo "make lint          ruff check and ruff format --check"
	@echo "make audit         pip-audit of the lock files (needs the network)"
	@echo "make lock          regenerate requirements/*.txt from pyproject.toml (UPGRADE=1: newest versions)"
	@echo "make bench         the benchmarks in bench/ (load test, cold start, engine, PDF, screening)"
	@echo "make serve-prod    gunicorn with gunicorn.conf.py (ADVISOR_ENV=production, SECRET_KEY)"
	@echo "make messages      extract translatable strings and update the .po catalogs"

install: $(STAMPS)/apt $(DEPS_STAMP) $(MO_FILES) $(DB_STAMP)

install-prod:
	@$(MAKE) --no-print-directory install DEPS=runtime

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

# The virtualenv: Python 3.12, 3.11 or 3.13 (PYTHON=... to choose another of them).
$(BIN)/python:
	@python="$(PYTHON)"; \
	if [ -z "$$python" ]; then \
	  for candidate in $(PYTHON_CANDIDATES); do \
	    if command -v "$$candidate" >/dev/null 2>&1 && "$$candidate" -c 'import venv' 2>/dev/null; then \
	      python="$$candidate"; break; \
	    fi; \
	  done; \
	fi; \
	if [ -z "$$python" ]; then \
	  echo "ERROR: Python 3.12, 3.11 or 3.13 (with venv) is required; none was found." >&2; \
	  echo "       On Debian/Ubuntu: apt-get install python3 python3-venv python3-dev gcc" >&2; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)
	@$(BIN)/python -c 'import sys; assert (3, 11) <= sys.version_info[:2] <= (3, 13), \
	  f"$(VENV) has Python {sys.version.split()[0]}; delete $(VENV) and run make install"'

# Everything from the lock (pip refuses any file whose hash differs), then durable-rules from the
# cached wheel and this package itself, both without resolving anything (--no-deps), and no
# build isolation (so the locked setuptools builds them). `pip check`: nothing is missing.
$(VENV)/.installed-%: requirements/%.txt $(DURABLE_LOCK) $(DURABLE_PATCHES) scripts/durable-rules-wheel pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $<
	wheel="$$(scripts/durable-rules-wheel $(BIN)/python)"; \
	$(BIN)/python -m pip install --quiet --no-deps --no-index --force-reinstall "$$wheel"
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	@touch $@

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(DEPS_STAMP)
	$(BIN)/pybabel compile -d translations -l $* --statistics

$(DB_STAMP): $(MIGRATIONS) alembic.ini $(DEPS_STAMP) $(DB_FORCE)
	@mkdir -p instance $(STAMPS)
	$(BIN)/alembic upgrade head
	@touch $@

run: install
	$(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest

# The benchmarks (docs/performance.md): the load test and the cold start under gunicorn with the
# production config, then the engine, the assessment, the guidance PDF and plan screening in
# process. Every one runs even when an earlier one missed its target; the exit status says
# whether all of them met theirs.
BENCHMARKS := bench/bench_load.py bench/bench_cold_start.py bench/bench_engine.py \
  bench/bench_assess.py bench/bench_pdf.py bench/bench_screening.py

bench: install
	@uptime; failed=""; \
	for script in $(BENCHMARKS); do \
	  echo "== $$script"; \
	  $(BIN)/python "$$script" || failed="$$failed $$script"; \
	done; \
	uptime; \
	if [ -n "$$failed" ]; then echo "== targets missed or errors in:$$failed"; exit 1; fi; \
	echo "== every benchmark met its targets"

serve-prod: install-prod
	ADVISOR_ENV=$${ADVISOR_ENV:-production} $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The lock files, not the virtualenv: what is audited is what every install gets.
# --strict: a dependency that could not be checked (e.g. no access to the vulnerability
# service) is a failure too, not a silent pass. Needs the network, so it is not part of make test.
audit: $(VENV)/.installed-dev
	$(BIN)/pip-audit --strict --progress-spinner off --disable-pip --require-hashes \
	  -r requirements/dev.txt -r $(DURABLE_LOCK)

# The lock files, from pyproject.toml: one resolution valid on Python 3.11-3.13 and any platform
# (--universal), every file's sha256 (--generate-hashes). dev.txt first; runtime.txt is
# constrained to dev.txt's versions, so production runs what the tests ran. durable-rules is kept
# out of both (it is built from its sdist, pinned with its hash in durable-rules.txt).
# Versions already locked are kept unless pyproject.toml excludes them; UPGRADE=1 takes the newest.
UV ?= $(BIN)/uv
UV_COMPILE = $(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes \
  --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)

lock: $(UV)
	$(UV_COMPILE) pyproject.toml --group build --group test --group bench --group lint --group audit --group lock \
	  --no-emit-package durable-rules -o requirements/dev.txt
	$(UV_COMPILE) pyproject.toml --group build -c requirements/dev.txt \
	  --no-emit-package durable-rules -o requirements/runtime.txt
	sed -n 's/^ *"\(durable-rules==[^"]*\)".*/\1/p' pyproject.toml \
	  | $(UV_COMPILE) - --no-deps -o $(DURABLE_LOCK)

# uv at the version and hash dev.txt locks (a single binary wheel without dependencies), so
# make lock works before the new lock is installed.
$(BIN)/uv: requirements/dev.txt | $(BIN)/python
	@mkdir -p $(STAMPS)
	awk '/^uv==/ {found = 1} found {print; if (!/\\$$/) exit}' $< > $(STAMPS)/uv.txt
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(STAMPS)/uv.txt
	@touch $@

messages: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --sort-output -o messages.pot .
	$(BIN)/pybabel update -i messages.pot -d translations --no-fuzzy-matching --width 100
	@rm -f messages.pot
	@echo "Now translate the new msgids in translations/nb/LC_MESSAGES/messages.po"

clean:
	rm -rf $(STAMPS) translations/*/LC_MESSAGES/*.mo

FORCE:
