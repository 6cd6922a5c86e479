# Two commands cover set-up: `make demo` (the main job) and `make test`.
# Both create .venv and install the project on first use (re-installing when pyproject.toml changes).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-sdk lint serve serve-demo simulate doctor bench clean toolsnaps

SDK312       := .venv-sdk312
SDK312_STAMP := $(SDK312)/.installed

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)            ## the server in demo mode, driven by an MCP client over stdio
	$(BIN)/agent-runs-mcp demo

test: $(STAMP) $(SDK312_STAMP)  ## lint, then the whole test suite (no network needed)
	$(BIN)/ruff check .
	$(BIN)/pytest

# The official `unpod` SDK (a test oracle) needs Python 3.12: build a venv for it when one is found
# (python3.12 on PATH, or pyenv's); without one, its checks skip with a reason and the rest still runs.
$(SDK312_STAMP):
	@py=""; for c in python3.12 $$(ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null); do \
	  if $$c -c 'import sys' >/dev/null 2>&1; then py=$$c; break; fi; done; \
	if [ -z "$$py" ]; then echo "no Python 3.12 here: the unpod SDK oracle checks will skip"; \
	else $$py -m venv $(SDK312) && $(SDK312)/bin/python -m pip install --quiet 'unpod==0.5.0' \
	  && touch $(SDK312_STAMP) || echo "could not install unpod 0.5.0 for Python 3.12: its checks will skip"; fi

test-sdk: $(STAMP) $(SDK312_STAMP)  ## the SDK-oracle tests alone (vendors' SDKs against the simulator and adapters)
	$(BIN)/pytest -q -rs tests/test_sdk_oracle.py

toolsnaps: $(STAMP)       ## rewrite tests/__toolsnaps__ after a deliberate change to a tool's schema or description
	UPDATE_TOOLSNAPS=1 $(BIN)/pytest -q tests/test_toolsnaps.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

serve-demo: $(STAMP)      ## the MCP server on stdio, backed by the simulator
	$(BIN)/agent-runs-mcp serve --demo

serve: $(STAMP)           ## the MCP server on stdio, with the accounts from the environment
	$(BIN)/agent-runs-mcp serve

simulate: $(STAMP)        ## the provider simulator alone on http://127.0.0.1:8900
	$(BIN)/agent-runs-mcp simulate --port 8900

doctor: $(STAMP)
	$(BIN)/agent-runs-mcp doctor

bench: $(STAMP)           ## the benchmarks under bench/ (they print numbers)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) $(SDK312) .pytest_cache .ruff_cache build dist src/*.egg-info
