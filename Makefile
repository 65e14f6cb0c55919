# Two commands do everything on a fresh machine:
#   make demo   install, analyse the demo's forward-and-backward walk, start the app
#   make test   install everything the tests need (incl. system packages), then run them all

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint format install system-deps bench bench-anchors clean screenshots

# The package and what it needs to run.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

# Plus the test tools and every optional extra, so that no test is skipped.
$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,video,wearables]'
	touch $(DEV_STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/retrowalk demo

system-deps:
	bash scripts/install-system-deps.sh

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: $(DEV_STAMP) system-deps lint
	bash scripts/pg-test.sh $(BIN)/python -m pytest -n 2 --dist loadgroup -q

# The reference gait tools, in an environment of their own (never retrowalk's).
BENCH_VENV ?= .bench-venv
BENCH_STAMP := $(BENCH_VENV)/.installed
ANCHORS := mobgap==1.2.0 scikit-digital-health==0.17.18 gaitmap==2.6.0 gaitmap-mad==2.6.0

$(BENCH_STAMP):
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet $(ANCHORS)
	touch $(BENCH_STAMP)

bench-anchors: $(DEV_STAMP) $(BENCH_STAMP)
	$(BIN)/python benchmarks/anchors.py --anchor-python $(BENCH_VENV)/bin/python
	$(BIN)/python benchmarks/anchor_accuracy.py --anchor-python $(BENCH_VENV)/bin/python

bench: $(DEV_STAMP) bench-anchors
	$(BIN)/python benchmarks/read_speed.py
	$(BIN)/python benchmarks/accuracy.py
	$(BIN)/python benchmarks/foot_accuracy.py
	$(BIN)/python benchmarks/direction.py
	$(BIN)/python benchmarks/not_walking.py
	$(BIN)/python benchmarks/throughput.py --quick
	$(BIN)/python benchmarks/long_recording.py
	$(BIN)/python benchmarks/batch.py
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/upload_memory.py
	$(BIN)/python benchmarks/video_speed.py

# Screenshots of every page at 1280 and 390 px into screenshots/, with page weights
# and load times in screenshots/index.md (needs Chromium at /usr/bin/chromium).
screenshots: $(DEV_STAMP)
	$(BIN)/python scripts/screenshots.py --out screenshots

clean:
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache .ruff_cache .hypothesis
