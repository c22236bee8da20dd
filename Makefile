# Passage — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
# The seizure tests must search the database files, never skip (tests/web/disk.py).
export SEIZURE_SEARCH_REQUIRED := 1
# The route engine must run compiled in the tests (tests/routes/test_native.py), never skip.
export PASSAGE_REQUIRE_NATIVE := 1
UV ?= uv
PY := .venv/bin/python
ARTIFACTS ?= artifacts

.PHONY: install native translations run test test-sqlite test-postgres lint typecheck bench bench-quick clean

.venv/.installed: pyproject.toml uv.lock
	scripts/install-system.sh
	$(UV) sync --frozen --python 3.11
	touch $@

# Translations are compiled on every install (msgfmt --check also validates plural forms).
translations:
	@for po in $$(find src/passage/locale -name '*.po'); do msgfmt --check -o "$${po%.po}.mo" "$$po" || exit 1; done

# The route engine's hot modules compiled with mypyc (passage.routes._native), rebuilt when a
# source changes; a stale build is never run (the sources are, with a warning).
ENGINE_SOURCES := $(wildcard src/passage/routes/*.py)
src/passage/routes/_native.json: $(ENGINE_SOURCES) .venv/.installed
	$(PY) src/passage/routes/_native.py build

native: src/passage/routes/_native.json

install: .venv/.installed translations native

run: install
	$(PY) -m passage.demo

lint: install
	.venv/bin/ruff check src tests bench
	.venv/bin/ruff format --check src tests bench

typecheck: install
	.venv/bin/mypy

# Every test on SQLite, then every test that touches the database again on PostgreSQL.
POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/passage

test: install lint typecheck test-sqlite test-postgres

test-sqlite: install
	.venv/bin/pytest -q -n 2 --dist loadgroup

test-postgres: install
	scripts/ensure-postgres.sh
	DATABASE_URL=$(POSTGRES_URL) .venv/bin/pytest -q -n 2 --dist loadgroup --ignore=tests/routes --ignore=tests/vault

bench: install
	$(PY) -m bench.run_all

bench-quick: install
	$(PY) -m bench.run_all --quick

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache $(ARTIFACTS) src/passage/routes/_native.json
	rm -f src/passage/routes/*.so src/passage_routes_native__mypyc*.so
