# Two commands do all the set-up: `make run` (the assistant on sample data) and `make test` (the suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WORKSPACE ?= stocktake-workspace

.PHONY: install run test bench clean-workspace

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# The CPU build of torch first: an unpinned torch would pull a CUDA build of several GB.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/stocktake --workspace $(WORKSPACE) demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

clean-workspace:
	rm -rf $(WORKSPACE)
