# ganlab: `make run` and `make test` set themselves up from nothing (venv + pinned install).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# the flagship recipe as the paper trains it (cold wall times per machine: docs/results/uda_inversion.md)
FLAGSHIP ?= +experiment=uda_inversion

.PHONY: help install run test test-full format lint clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON) (set PYTHON=...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install ganlab with pinned dependencies

run: $(STAMP)  ## run the flagship recipe on embedded data and print its metrics
	$(PY) train.py $(FLAGSHIP)

test: $(STAMP)  ## the fast test suite (every recipe with debug=fdr, configs, bad inputs)
	$(PY) -m pytest -q

test-full: $(STAMP)  ## also the slow tests: quality thresholds on trained models
	$(PY) -m pytest -q -m "slow or not slow"

format: $(STAMP)  ## format and lint-fix the code
	$(PY) -m ruff format ganlab tests scripts train.py eval.py
	$(PY) -m ruff check --fix ganlab tests scripts train.py eval.py

lint: $(STAMP)
	$(PY) -m ruff check ganlab tests scripts train.py eval.py

clean:  ## remove run outputs and caches (keeps .venv)
	rm -rf outputs/train outputs/eval outputs/cache .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
