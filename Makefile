# Two commands do everything on a fresh machine:
#   make demo   install, then analyse the bundled demo recording
#   make test   install everything the tests need (incl. system packages), then run them all

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format install system-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/retrowalk demo

system-deps:
	bash scripts/install-system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: $(STAMP) system-deps lint
	bash scripts/pg-test.sh $(BIN)/python -m pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python benchmarks/accuracy.py
	$(BIN)/python benchmarks/direction.py --quick
	$(BIN)/python benchmarks/throughput.py --quick
	$(BIN)/python benchmarks/read_speed.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
