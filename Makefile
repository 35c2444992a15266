# clerkship: the two commands of the README, and a few more for developers.
#   make run    set up, migrate, seed the demo season when empty, serve on 127.0.0.1:5000 with a
#               job worker in the same process (email printed to the console without SMTP)
#   make test   set up (Chromium, PostgreSQL, Redis and the tests' OpenID provider too), run the
#               suite on SQLite, then on PostgreSQL
#   make soak   the season's state machine, randomized, SOAK_EXAMPLES examples (SQLite; add
#               TEST_DATABASE_URL or run under .ci/with-postgres for PostgreSQL)
#   make security  the full hostile-input crawl (every class on every field), on both databases

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
# pytest-xdist workers: the suite runs on both cores of the machines CI uses. A module
# runs on one worker (loadscope), so a session fixture its tests share is built once
# there (pytest-xdist's loadgroup does not group tests under pytest 9.2).
WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(WORKERS) --dist loadscope
export FLASK_APP := clerkship

.PHONY: run setup setup-test system-packages test test-sqlite test-postgres soak lint format bench clean security

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --editable ".[test]"
	touch $@

setup: $(VENV)/.installed

# What only the tests need beyond the virtualenv: the OpenID provider the single sign-on
# tests start (oidc-provider on Node, from the committed lock file). `make run` needs none.
SSO_PROVIDER := tests/sso_provider
$(SSO_PROVIDER)/node_modules/.installed: $(SSO_PROVIDER)/package.json $(SSO_PROVIDER)/package-lock.json
	cd $(SSO_PROVIDER) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup-test: setup $(SSO_PROVIDER)/node_modules/.installed

run: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed --if-empty
	@echo "Serving clerkship on http://$(HOST):$(PORT)/ with a job worker (Ctrl-C stops both)"
	$(BIN)/flask jobs serve --host $(HOST) --port $(PORT)

system-packages:
	@.ci/system-packages

test: setup system-packages
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: setup-test
	$(PYTEST) $(PYTEST_ARGS)

test-postgres: setup-test
	.ci/with-postgres $(PYTEST) $(PYTEST_ARGS)

# The suite runs the state machine with a small derandomized budget; soak runs it randomized
# with a large one. A counterexample is printed as the failing steps plus a
# @reproduce_failure(...) line to paste on the test to replay it.
SOAK_EXAMPLES ?= 1000
soak: setup
	CLERKSHIP_SOAK_EXAMPLES=$(SOAK_EXAMPLES) $(BIN)/python -m pytest -p no:cacheprovider -x -q -s \
		tests/integration/test_lifecycle_state_machine.py

lint: setup
	$(BIN)/ruff check clerkship tests migrations deploy
	$(BIN)/ruff format --check clerkship tests migrations deploy
	$(BIN)/bandit --quiet --recursive clerkship --configfile pyproject.toml

format: setup
	$(BIN)/ruff check --fix clerkship tests migrations deploy
	$(BIN)/ruff format clerkship tests migrations deploy

security: setup-test system-packages
	CLERKSHIP_FULL_CRAWL=1 $(BIN)/python -m pytest tests/security $(PYTEST_ARGS)
	CLERKSHIP_FULL_CRAWL=1 .ci/with-postgres $(BIN)/python -m pytest tests/security $(PYTEST_ARGS)

bench: setup
	$(BIN)/flask bench run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-results
