# Q9 Order Desk. Two commands matter: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint system-deps backup restore messages check-compose clean-var

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[test]"
	touch $@

## make run: web + Celery worker + Celery beat; embedded PostgreSQL/Redis unless DATABASE_URL/REDIS_URL are set
run: $(STAMP)
	$(PY) -m devtools.stack run

## make test: installs what the tests need and runs the whole suite on real PostgreSQL and Redis
test: $(STAMP) system-deps
	$(PY) -m devtools.stack test

## make test-fast: the daily lane: everything but the tests that start processes or a browser (slow, e2e)
test-fast: $(STAMP) system-deps
	$(PY) -m devtools.stack test -m "not slow and not e2e"

## make lint: ruff (lint and format check) and the layer contract
lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/lint-imports

system-deps:
	bash devtools/system-packages.sh

## make backup / make restore FILE=var/backups/q9-….dump
backup: $(STAMP)
	$(PY) -m devtools.stack backup

restore: $(STAMP)
	$(PY) -m devtools.stack restore "$(FILE)"

## make messages: re-extract and compile the Chinese translations (needs gettext)
messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore ".venv/*" --ignore "var/*"
	$(PY) manage.py compilemessages -l zh_Hans --ignore ".venv/*"
