# Two entry points: `make serve` and `make test`. Each creates .venv and installs the pinned
# versions in requirements.lock on first use.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test check openapi lint bench lock clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/python -m api.cli build
	$(BIN)/uvicorn api.main:app --host 127.0.0.1 --port $(PORT)

# The whole suite, on SQLite and then on PostgreSQL (TEST_POSTGRES_URL, by default the local server).
test: $(STAMP)
	CLAIMS_TEST_BACKEND=sqlite $(BIN)/python -m pytest
	scripts/postgres-up
	CLAIMS_TEST_BACKEND=postgresql $(BIN)/python -m pytest

check: $(STAMP)
	$(BIN)/python -m api.cli check

openapi: $(STAMP)
	$(BIN)/python -m api.cli openapi

lint: $(STAMP)
	$(BIN)/ruff check api schemas tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run.py

# Re-resolve the pins from pyproject.toml (needs network access to the package index).
lock:
	rm -rf /tmp/claims-lock && $(PYTHON) -m venv /tmp/claims-lock
	/tmp/claims-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/claims-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:
	rm -rf $(VENV) var
