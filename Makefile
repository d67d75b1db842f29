# Q9 Order Desk. Two commands matter: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint system-deps backup restore wal-stream messages check-compose clean-var

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

## make backup: a base backup (pg_basebackup, beside the WAL archive) and a logical dump (pg_dump)
## make restore TIME='2026-12-07 14:03:00+08:00': the database as it stood then, as a new server (docs/operations.md)
## make restore FILE=var/backups/q9-….dump: the dump, into the configured database
backup: $(STAMP)
	$(PY) -m devtools.pitr backup
	$(PY) -m devtools.stack backup

restore: $(STAMP)
	@if [ -n "$(TIME)" ]; then $(PY) -m devtools.pitr restore --time "$(TIME)" $(if $(DATA),--data "$(DATA)"); \
	else $(PY) -m devtools.stack restore "$(FILE)"; fi

## make wal-stream: pg_receivewal into the WAL archive (when the server's archive_command cannot be set)
wal-stream: $(STAMP)
	$(PY) -m devtools.pitr receive

## make messages: re-extract and compile the Chinese translations (needs gettext)
messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore ".venv/*" --ignore "var/*"
	$(PY) manage.py compilemessages -l zh_Hans --ignore ".venv/*"
