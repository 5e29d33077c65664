# Two commands matter: `make run` and `make test`. Everything else is what they are made of.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
WORKERS ?= 2

.PHONY: install install-dev run build test test-fast lint check eval bench clean

# Stamp files make install idempotent: pip runs again only when pyproject.toml changes.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

# axe-core (accessibility checks injected by the browser tests) comes from the npm registry.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install-dev: $(VENV)/.installed-dev node_modules/.installed

# Index and database are derived: rebuilt from the articles and migrations at every start.
build: install
	$(BIN)/kb db upgrade
	$(BIN)/kb reindex --if-stale --keep-going

run: build
	$(BIN)/gunicorn --config gunicorn.conf.py --workers $(WORKERS) --bind 127.0.0.1:$(PORT) wsgi:app

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	$(BIN)/kb check

test: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# The loop while changing code: lint, then every test but the browser and slow (gunicorn) ones.
# `make test` (what CI runs) is the whole suite: run it before you commit.
test-fast: install-dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -m "not browser and not slow"

# The evaluation sets inside the repository, so that `make eval` works in any clone.
EVAL_SEARCH_SETS = scripts/eval/search-messy.tsv scripts/eval/search-typo-fresh.tsv scripts/eval/search-kana-fresh.tsv scripts/eval/search-extra.tsv scripts/eval/chat-questions.tsv
EVAL_CHAT_SETS = scripts/eval/chat-questions.tsv scripts/eval/chat-fresh.tsv scripts/eval/chat-fresh2.tsv scripts/eval/chat-fresh3.tsv

eval: install
	for set in $(EVAL_SEARCH_SETS); do $(BIN)/python scripts/eval_search.py --quiet $$set || exit 1; done
	$(BIN)/python scripts/eval_chat.py $(EVAL_CHAT_SETS) --conversations scripts/eval/chat-conversations.json

bench: install
	$(BIN)/python scripts/bench_search.py

clean:
	rm -rf $(VENV) instance node_modules .pytest_cache .ruff_cache
