# Two commands for a fresh machine (see README): `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pytest processes for `make test` (pytest-xdist; a file's tests stay in one process, whose
# PostgreSQL database is its own: tests/conftest.py). PYTEST_WORKERS=0 runs in this process.
PYTEST_WORKERS ?= 2
# the commit `make bench` and `make bench-http` compare with (issue 13)
BASELINE ?= 077e98a

$(STAMP): pyproject.toml
	@$(PY) -c 'import sys; assert sys.version_info[:2] in ((3, 11), (3, 12)), "Python 3.11 or 3.12 needed (durable-rules does not build on 3.13)"'
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

.PHONY: install run serve test lint bench bench-http
install: $(STAMP)

run: $(STAMP)  ## the main job: an advies for a bundled example casus
	$(BIN)/ot advies examples/scootmobiel.yaml

serve: $(STAMP)  ## the HTTP service on SQLite (./data), bundled packs, 127.0.0.1:8000
	$(BIN)/uvicorn --factory service.app:create_app --host 127.0.0.1 --port 8000 --no-access-log

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint  ## ruff, mypy, the YAML rule tests and the pytest suite
	$(BIN)/ot lint
	$(BIN)/ot test
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile

bench: $(STAMP)  ## every benchmark but HTTP; rewrites docs/performance.md
	$(BIN)/python bench/bench.py --write docs/performance.md --notes bench/notes.md
	$(BIN)/python bench/memory.py --write docs/performance.md
	$(BIN)/python bench/scaling.py --write docs/performance.md
	$(BIN)/python bench/baseline.py --ref $(BASELINE) --write docs/performance.md
	$(BIN)/python bench/openfisca_vergelijking.py --write docs/performance.md
	$(BIN)/python bench/impact_bench.py --write docs/performance.md
	$(BIN)/python bench/keten_bench.py --write docs/performance.md
	$(BIN)/python bench/start_bench.py --write docs/performance.md

bench-http: $(STAMP)  ## HTTP load (SQLite; PostgreSQL too with OT_TEST_POSTGRES_URL); appends; then against $(BASELINE)
	$(BIN)/python bench/http_load.py --write docs/performance.md
	$(BIN)/python bench/http_load.py --baseline $(BASELINE) --seconds 5 --write docs/performance.md

.PHONY: mutatie
MUTMUT_RUN := OT_SHARED=$(abspath ../shared) $(BIN)/mutmut run --max-children $(or $(JOBS),2)
KEPT := docs/mutatie-resultaten.json
mutatie: $(STAMP)  ## mutation testing of engine/ (mutmut; hours, on demand; docs/testen.md)
	$(BIN)/pip install --quiet 'mutmut>=3.8,<4'
	$(BIN)/python scripts/mutatie_score.py --herstel $(KEPT)
	$(MUTMUT_RUN)
	$(BIN)/python scripts/mutatie_score.py --bewaar $(KEPT)
	$(BIN)/python scripts/mutatie_score.py

.PHONY: mutatie-steekproef
mutatie-steekproef: $(STAMP)  ## mutation score of engine/ from a seeded random sample (N=400; hours; resumes)
	$(BIN)/pip install --quiet 'mutmut>=3.8,<4'
	$(BIN)/python scripts/mutatie_score.py --herstel $(KEPT)
	# brings mutants/ up to date with the code (the citation module: 44 quick mutants), so the
	# sample is drawn from the mutants of the code as it is now
	$(MUTMUT_RUN) "engine.citation*"
	# the sample's mutants without a result, in ONE mutmut run: every run first runs the selected
	# tests clean (47 minutes on two shared cores, 2026-12-05), so batches repeat that; mutmut
	# keeps each result in mutants/ as it goes, and --bewaar copies them (also after a stop)
	$(BIN)/python scripts/mutatie_score.py --steekproef $(or $(N),400) --te-doen \
	  | xargs --no-run-if-empty sh -c '$(MUTMUT_RUN) "$$@" > /dev/null' mutmut || true
	$(BIN)/python scripts/mutatie_score.py --bewaar $(KEPT)
	$(BIN)/python scripts/mutatie_score.py --steekproef $(or $(N),400)
