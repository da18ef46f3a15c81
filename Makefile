# Relais — the two commands of the README:
#   make run    set everything up, ingest the demo knowledge base, answer a first search, serve the web app
#               (on HOST:PORT, 127.0.0.1:8000 unless given: make run PORT=8080; Ctrl+C stops it)
#   make test   run the whole test suite (what .ci/run calls)

PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
VENV ?= .venv
BIN := $(VENV)/bin
export TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS :=
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: setup run test bench clean

$(BIN)/relais: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch is pinned to the local CPU wheel first: an unpinned one pulls GBs of CUDA.
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e ".[st,test]"
	touch $(BIN)/relais

web/node_modules/@gouvfr/dsfr: web/package.json
	# The State design system (DSFR) from npm; its install script wants a project config we do not use.
	cd web && npm install --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

setup: $(BIN)/relais web/node_modules/@gouvfr/dsfr

run: setup
	$(BIN)/relais ingest --demo
	$(BIN)/relais search "comment devenir infirmière" --k 3
	$(BIN)/relais serve --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest -p no:cacheprovider

bench: setup
	$(BIN)/python bench/bench_search.py

clean:
	rm -rf $(VENV) .relais
