# Two commands do all set-up: `make demo` and `make test`. Python 3.11+ is the only prerequisite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo up down test bench lint

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)  ## start (or reuse) the local stack and run the example leads
	$(PY) -m devstack up
	$(PY) -m devstack demo

up: $(STAMP)
	$(PY) -m devstack up

down:  ## stop what `make demo` started
	@if [ -x $(PY) ]; then $(PY) -m devstack down; else echo "nothing to stop"; fi

test: $(STAMP)  ## the whole suite, offline
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/throughput.py

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
