# Two commands cover set-up: `make demo` (the main job) and `make test`.
# Both create .venv and install the project on first use (re-installing when pyproject.toml changes).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint serve serve-demo simulate doctor bench clean toolsnaps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)            ## the server in demo mode, driven by an MCP client over stdio
	$(BIN)/agent-runs-mcp demo

test: $(STAMP)            ## lint, then the whole test suite (no network needed)
	$(BIN)/ruff check .
	$(BIN)/pytest

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
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist src/*.egg-info
