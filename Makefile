# Two commands do all the set-up on a fresh machine (see README):
#   make extract   - install fazhi-ie into .venv and run the main job on the seeds
#   make test      - install fazhi-ie with its test dependencies into .venv and run the tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: extract test install install-test system-test-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"

extract: install
	$(BIN)/fazhi extract seeds -o out/seeds.jsonl --overwrite --tables csv

# The `fazhi show` test renders pages in Debian's headless Chromium (with CJK fonts).
system-test-deps:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null; \
	  else echo "install Debian's chromium and fonts-noto-cjk (sudo apt-get install chromium fonts-noto-cjk)"; exit 1; fi; }

test: install-test system-test-deps
	$(BIN)/python -m pytest -q
