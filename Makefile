# Two commands do all set-up: `make demo` and `make test`. Python 3.11+ is the only prerequisite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LLM    := $(VENV)/.installed-llm

.PHONY: demo up down test chromium postgresql test-llm eval bench lint lock

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(LLM): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,local-llm]'
	touch $(LLM)

demo: $(LLM)  ## start (or reuse) the local stack and run the examples
	$(PY) -m devstack up
	$(PY) -m devstack demo

up: $(LLM)
	$(PY) -m devstack up

down:  ## stop what `make demo` started
	@if [ -x $(PY) ]; then $(PY) -m devstack down; else echo "nothing to stop"; fi

test: $(STAMP) chromium postgresql  ## the whole suite, offline
	$(PY) -m pytest

chromium:  ## the browser tests drive Debian's chromium (installed here when running as root)
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  { echo "the browser tests need chromium: sudo apt-get install chromium"; exit 1; }

postgresql:  ## the CRM tests start a throwaway PostgreSQL (Debian's; installed here when root)
	@{ command -v initdb && command -v pg_ctl; } >/dev/null 2>&1 || \
	  ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } || \
	  { echo "the CRM tests need PostgreSQL: sudo apt-get install postgresql"; exit 1; }

test-llm: $(LLM)  ## the opt-in tests that run the real local model
	$(PY) -m pytest -m local_llm

eval: $(LLM)  ## the triage and outreach evaluations on the development sets, with the local model
	$(PY) -m bench.triage_eval --kb kb/articles --cases bench/cases/dev.jsonl --serve-local
	$(PY) -m bench.outreach_eval --sites bench/outreach/sites --leads bench/outreach/leads.jsonl \
		--facts bench/outreach/facts.jsonl --serve-local

bench: $(STAMP)
	$(PY) bench/throughput.py

lock: $(STAMP)  ## requirements.lock: the image's dependencies, pinned with their hashes
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 \
		--python-platform x86_64-unknown-linux-gnu --no-header -o requirements.lock

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
