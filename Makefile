# alletter — two commands on a fresh machine: `make letters`, then `make test`.
VENV   ?= .venv
ifeq ($(OS),Windows_NT)  # a virtualenv keeps its programs in Scripts\ there, and Python is `python`
PYTHON ?= python
BIN    := $(VENV)/Scripts
else
PYTHON ?= python3
BIN    := $(VENV)/bin
endif
OUT    ?= dist
JOBS   ?=
ARCHIVE ?= letters.zip
CASES  ?= 1000

RUNTIME_STAMP := $(VENV)/.runtime-installed
TEST_STAMP    := $(VENV)/.test-installed

.PHONY: letters archive bench test lint clean venv reference-docx preview schema

venv: $(RUNTIME_STAMP)

$(RUNTIME_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(RUNTIME_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## Build every case in cases/ into $(OUT)/ (DOCX and PDF).
letters: $(RUNTIME_STAMP)
	$(BIN)/alletter build --out $(OUT) $(if $(JOBS),--jobs $(JOBS))

## Build every case with --final (a letter still using draft wording is refused, each draft sentence named)
## and pack the archive ($(OUT)/: letters, manifest.json, index.html) into $(ARCHIVE), reproducibly.
archive: $(RUNTIME_STAMP)
	$(BIN)/alletter build --final --out $(OUT) $(if $(JOBS),--jobs $(JOBS))
	$(BIN)/alletter pack $(OUT) --output $(ARCHIVE)

## Measure: baseline vs alletter build, no-op rebuild, start-up, memory (see bench/bench.py); results also in bench/last-results.json.
bench: $(RUNTIME_STAMP)
	$(BIN)/python bench/bench.py --cases $(CASES) --json bench/last-results.json

LINTED := src tests bench scripts

## Lint (ruff: rules and format) src/, tests/, bench/ and scripts/; type-check src/ (mypy, every function typed).
lint: $(TEST_STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy

## Run the checks and the test suite.
test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(OUT) $(ARCHIVE) build *.egg-info src/*.egg-info

## Rebuild templates/reference.docx (the DOCX styles) from templates/reference-docx.yaml.
reference-docx: $(RUNTIME_STAMP)
	$(BIN)/python scripts/make_reference_docx.py

## Regenerate the README's preview image, docs/AL-OTH-11-2023-page1.png.
preview: $(RUNTIME_STAMP)
	$(BIN)/alletter render cases/AL-OTH-11-2023.yaml --out docs --format png

## Regenerate schema/case.schema.json (editors validate case files against it) from the model.
schema: $(RUNTIME_STAMP)
	$(BIN)/alletter schema > schema/case.schema.json
