# Two commands do all the set-up on a fresh machine (see README):
#   make extract   - install fazhi-ie into .venv and run the main job on the seeds
#   make test      - install fazhi-ie with its test dependencies into .venv and run the tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: extract test install install-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"

extract: install
	$(BIN)/fazhi extract seeds -o out/seeds.jsonl

test: install-test
	$(BIN)/python -m pytest -q
