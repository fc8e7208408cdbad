# Ecotone: `make run` serves the demo; `make test` sets up and runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PGPORT ?= 55432
REPLICA_PORT ?= 55433
export ECOTONE_HOME ?= $(CURDIR)/var

.PHONY: run install install-test test test-sqlite test-postgres test-replica lint typecheck format check-migrations demo clean

# A stamp per dependency set, so a second `make run` installs nothing.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/ecotone migrate --noinput
	$(BIN)/ecotone collectstatic --noinput --verbosity 0
	$(BIN)/ecotone demo

run: demo
	$(BIN)/ecotone serve --port $(PORT)

install-test: $(VENV)/.installed-test
	bash scripts/install-system-deps.sh

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-test
	$(BIN)/mypy

check-migrations: install-test
	ECOTONE_HOME=$$(mktemp -d) $(BIN)/ecotone makemigrations --check --dry-run

test-sqlite: install-test
	$(BIN)/pytest

test-postgres: install-test
	VENV=$(VENV) PGPORT=$(PGPORT) bash scripts/test-postgres.sh start
	DATABASE_URL=$$(PGPORT=$(PGPORT) bash scripts/test-postgres.sh url) $(BIN)/pytest; \
		status=$$?; PGPORT=$(PGPORT) bash scripts/test-postgres.sh stop; exit $$status

# The read replica's tests against a real streaming replica of a fresh test server (a
# copy of a few MB: seconds), the rest of the suite having run on the primary above.
test-replica: install-test
	VENV=$(VENV) PGPORT=$(PGPORT) REPLICA_PORT=$(REPLICA_PORT) bash scripts/test-replica.sh start
	DATABASE_URL=$$(PGPORT=$(PGPORT) bash scripts/test-postgres.sh url) \
	DATABASE_REPLICA_URL=$$(PGPORT=$(PGPORT) REPLICA_PORT=$(REPLICA_PORT) bash scripts/test-replica.sh url) \
		$(BIN)/pytest src/ecotone/core/tests/test_replica.py src/ecotone/core/tests/test_replication.py; \
		status=$$?; PGPORT=$(PGPORT) REPLICA_PORT=$(REPLICA_PORT) bash scripts/test-replica.sh stop; \
		PGPORT=$(PGPORT) bash scripts/test-postgres.sh stop; exit $$status

test: lint typecheck check-migrations test-sqlite test-postgres test-replica

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
