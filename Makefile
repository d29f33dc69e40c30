# The README's commands. Setup is implicit: the first use creates .venv and installs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup preview plan-prod test lint serve bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## Offline plan of the dev stack: what `pulumi up` would build, policy results and cost.
preview: $(STAMP)
	$(BIN)/agent-stack plan --cloud aws --env dev

plan-prod: $(STAMP)
	$(BIN)/agent-stack plan --cloud aws --env prod

lint: $(STAMP)
	$(BIN)/ruff check infra policies app tests benchmarks
	$(BIN)/mypy infra policies app

test: lint
	$(BIN)/python -m pytest

## The agent app on embedded defaults: http://127.0.0.1:8000 (local Qdrant files, no servers).
serve: $(STAMP)
	$(BIN)/agent-stack serve

bench: $(STAMP)
	$(BIN)/python benchmarks/plan_time.py
	$(BIN)/python benchmarks/cost_report.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
