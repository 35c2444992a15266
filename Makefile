# clerkship: the two commands of the README, and a few more for developers.
#   make run    set up, migrate, seed the demo season when empty, serve on 127.0.0.1:5000
#   make test   set up (Chromium and PostgreSQL too), run the suite on SQLite, then on PostgreSQL
#   make security  the full hostile-input crawl (every class on every field), on both databases

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
export FLASK_APP := clerkship

.PHONY: run setup system-packages test test-sqlite test-postgres lint format bench clean security

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --editable ".[test]"
	touch $@

setup: $(VENV)/.installed

run: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed --if-empty
	@echo "Serving clerkship on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/flask run --host $(HOST) --port $(PORT)

system-packages:
	@.ci/system-packages

test: setup system-packages
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: setup
	.ci/with-postgres $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check clerkship tests migrations
	$(BIN)/ruff format --check clerkship tests migrations
	$(BIN)/bandit --quiet --recursive clerkship --configfile pyproject.toml

format: setup
	$(BIN)/ruff check --fix clerkship tests migrations
	$(BIN)/ruff format clerkship tests migrations

security: setup system-packages
	CLERKSHIP_FULL_CRAWL=1 $(BIN)/python -m pytest tests/security $(PYTEST_ARGS)
	CLERKSHIP_FULL_CRAWL=1 .ci/with-postgres $(BIN)/python -m pytest tests/security $(PYTEST_ARGS)

bench: setup
	$(BIN)/flask bench run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-results
