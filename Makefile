# Two entry points: `make serve` and `make test`. Each creates .venv and installs the pinned
# versions in requirements.lock on first use.
PYTHON ?= python3
PORT ?= 8000
WORKERS ?= 1
SERVE_ENV := $(if $(DATABASE_URL),DATABASE_URL='$(DATABASE_URL)')
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test contract clients check openapi lint bench lock clean

# The first install says what it is doing: pip's own progress bars on a terminal, --quiet in CI or a pipe.
PIP_QUIET := $(shell [ -t 2 ] || echo --quiet)

$(STAMP): pyproject.toml requirements.lock
	@echo "Creating $(VENV) and installing the pinned dependencies (requirements.lock); this takes a minute the first time."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_QUIET) --upgrade pip
	$(BIN)/pip install $(PIP_QUIET) -c requirements.lock -e '.[dev]'
	touch $(STAMP)
	@echo "Installed into $(VENV)."

# `make serve PORT=8080 WORKERS=2 DATABASE_URL=postgresql://...`: the database is built (or migrated) once, then
# WORKERS uvicorn processes share it (each with its own bounded pools: CLAIMS_DB_POOL_SIZE and the rest).
serve: $(STAMP)
	$(SERVE_ENV) $(BIN)/python -m api.cli build
	$(SERVE_ENV) CLAIMS_AUTO_BUILD=false $(BIN)/uvicorn api.main:app --host 127.0.0.1 --port $(PORT) --workers $(WORKERS)

# The whole suite, on SQLite and on PostgreSQL (TEST_POSTGRES_URL, by default the local server), and the
# contract check against live servers on both (lint, generated clients, Schemathesis). scripts/test runs
# them in two lanes, one per core: PostgreSQL's suite then the browser tests; SQLite's suite then the contract check.
test: $(STAMP)
	scripts/test

# The API contract against live servers on SQLite and PostgreSQL (scripts/contract): Redocly lint,
# the generated Python and TypeScript clients, Schemathesis with and without a key. Needs node and npm.
contract: $(STAMP)
	scripts/contract

# Generate both clients from openapi/openapi.json (clients/README.md).
clients: $(STAMP)
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/openapi-python-client generate --path openapi/openapi.json --config clients/python/config.yaml \
	  --meta none --output-path clients/python/claims_api_client --overwrite
	npm ci --prefix clients --no-audit --no-fund --loglevel=error && npm run --prefix clients --silent generate

check: $(STAMP)
	$(BIN)/python -m api.cli check

openapi: $(STAMP)
	$(BIN)/python -m api.cli openapi

lint: $(STAMP)
	$(BIN)/ruff check api schemas tests bench scripts clients/python/headline.py
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run.py

# Re-resolve the pins from pyproject.toml (needs network access to the package index).
lock:
	rm -rf /tmp/claims-lock && $(PYTHON) -m venv /tmp/claims-lock
	/tmp/claims-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/claims-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:
	rm -rf $(VENV) var clients/node_modules clients/python/claims_api_client clients/typescript/generated clients/typescript/build
