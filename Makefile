# Passage — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
# The seizure tests must search the database files, never skip (tests/web/disk.py).
export SEIZURE_SEARCH_REQUIRED := 1
UV ?= uv
PY := .venv/bin/python
ARTIFACTS ?= artifacts

.PHONY: install translations run test test-sqlite test-postgres lint typecheck bench bench-quick clean

.venv/.installed: pyproject.toml uv.lock
	scripts/install-system.sh
	$(UV) sync --frozen --python 3.11
	touch $@

# Translations are compiled on every install (msgfmt --check also validates plural forms).
translations:
	@for po in $$(find src/passage/locale -name '*.po'); do msgfmt --check -o "$${po%.po}.mo" "$$po" || exit 1; done

install: .venv/.installed translations

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
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache $(ARTIFACTS)
