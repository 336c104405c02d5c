# alletter — two commands on a fresh machine: `make letters`, then `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= dist
JOBS   ?=

RUNTIME_STAMP := $(VENV)/.runtime-installed
TEST_STAMP    := $(VENV)/.test-installed

.PHONY: letters test clean venv reference-docx preview

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

## Run the test suite.
test: $(TEST_STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(OUT) build *.egg-info src/*.egg-info

## Rebuild templates/reference.docx (the DOCX styles) from templates/reference-docx.yaml.
reference-docx: $(RUNTIME_STAMP)
	$(BIN)/python scripts/make_reference_docx.py

## Regenerate the README's preview image, docs/AL-OTH-11-2023-page1.png.
preview: $(RUNTIME_STAMP)
	$(BIN)/alletter render cases/AL-OTH-11-2023.yaml --out docs --format png
