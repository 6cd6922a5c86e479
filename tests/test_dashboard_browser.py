"""The health dashboard in a real browser, under the official MCP Apps host bridge.

Headless Chromium (Debian's `chromium`) driven by Playwright loads a small host page
(tests/browser/host.html) that runs the `AppBridge` of `@modelcontextprotocol/ext-apps`, bundled by
esbuild. The view runs in a sandboxed iframe under the spec's default CSP; its `tools/call`
requests go through the bridge to this server (in process, demo data). Every http(s) request is
recorded and refused: the view must need none. `make test-browser` installs what this needs.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from agent_runs_mcp.server.demo_wiring import load_settings
from agent_runs_mcp.tools.health import dashboard
from tests.conftest import call, mcp_client, turns_of

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parent.parent
BRIDGE = Path(os.environ.get("AGENT_RUNS_BRIDGE_JS", ROOT / ".browser-tools" / "bridge.js"))
CHROMIUM = os.environ.get("AGENT_RUNS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOT = os.environ.get("AGENT_RUNS_DASHBOARD_SCREENSHOT")

try:
    from playwright.async_api import async_playwright
except ImportError:  # pragma: no cover - depends on the machine
    async_playwright = None  # type: ignore[assignment]

MISSING = (
    "playwright is not installed" if async_playwright is None
    else "chromium is not installed" if not CHROMIUM
    else f"the AppBridge bundle {BRIDGE} is missing" if not BRIDGE.exists()
    else None
)  # fmt: skip
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(MISSING is not None, reason=f"{MISSING}: `make test-browser` installs it and runs these"),
]

HOST_CONTEXT = {
    "theme": "dark",
    "displayMode": "inline",
    "styles": {"variables": {"--color-background-primary": "#101418", "--font-sans": "sans-serif"}},
    "containerDimensions": {"maxWidth": 760},
}

CASES = [("unpod", "Priya - Solar Sales Caller", "7d"), ("runtype", "Support Triage", "30d"), ("modus", None, "30d")]


def host_page() -> str:
    host = (ROOT / "tests" / "browser" / "host.html").read_text()
    return host.replace("/*BRIDGE_JS*/", BRIDGE.read_text())


def as_wire(result: Any) -> dict[str, Any]:
    return result.model_dump(mode="json", by_alias=True, exclude_none=True)


@pytest.mark.parametrize(("provider", "agent_name", "since"), CASES)
async def test_dashboard_renders_and_clicks_through_to_a_transcript(
    provider: str, agent_name: str | None, since: str
) -> None:
    assert async_playwright is not None and CHROMIUM
    settings = load_settings({}, demo=True)
    async with mcp_client(settings) as client:
        agents = (await call(client, "list_agents", provider=provider)).structured_content["agents"]
        picked = [a for a in agents if agent_name in (None, a["name"])]
        args: dict[str, Any] = {}
        result: Any = None
        for agent in picked:  # the first agent with failures to click (Modus: whichever has some)
            args = {"provider": provider, "agent": agent["id"], "since": since}
            result = await call(client, "summarize_run_health", **args)
            if (result.meta or {}).get(dashboard.META_KEY, {}).get("failed"):
                break
        report = result.structured_content
        failed = result.meta[dashboard.META_KEY]["failed"]
        assert failed, f"no demo agent of {provider} has failures to click"
        expected = await call(client, "get_call_transcript", ref=failed[0]["ref"], max_turns=40)
        silent = None  # a failed call that never connected: the view must show the tool's facts about it
        for index, item in enumerate(failed[:8]):
            answer = await call(client, "get_call_transcript", ref=item["ref"], max_turns=40)
            if not answer.structured_content.get("turns"):
                silent = (index, answer.structured_content["call"])
                break
        if provider == "unpod":
            assert silent is not None, "the demo's Unpod failures should include a call that never connected"
        calls: list[dict[str, Any]] = []

        async def py_call_tool(params_json: str) -> str:
            params = json.loads(params_json)
            calls.append(params)
            answer = await client.call_tool(params["name"], params.get("arguments") or {})
            return json.dumps(as_wire(answer))

        requests: list[str] = []
        problems: list[str] = []
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = await browser.new_page(viewport={"width": 800, "height": 900})

            async def refuse(route: Any) -> None:
                requests.append(route.request.url)
                await route.abort()

            await page.route("http*://**", refuse)
            page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            await page.expose_function("pyCallTool", py_call_tool)
            await page.set_content(host_page())
            await page.evaluate(
                "([html, args, result, ctx]) => mountView(html, args, result, ctx)",
                [dashboard.html(), args, as_wire(result), HOST_CONTEXT],
            )
            view = page.frame_locator("#view")
            badge = view.locator("[data-verdict]")
            await badge.wait_for(timeout=15_000)
            assert await badge.get_attribute("data-verdict") == report["verdict"]
            assert await view.locator(".headline").inner_text() == report["headline"]
            success = report.get("success_rate")
            assert await view.locator(".kpi-value").first.inner_text() == (
                f"{round(success * 100)}%" if success is not None else "n/a"
            )
            assert await view.locator(".bar-row").count() == len(report.get("top_failure_reasons", []))
            trend = report.get("trend")
            if trend and len(trend["items"]) > 1:
                assert await view.locator("svg.trend rect.t-all").count() == len(trend["items"])
            assert await view.locator("button.failed").count() == len(failed)

            await view.locator("button.failed").first.click()
            panel = view.locator(".transcript")
            await panel.wait_for(timeout=15_000)
            shown = await panel.inner_text()
            turns = expected.structured_content.get("turns") or []
            if turns:
                first_turn = view.locator(".transcript .turn").first
                assert (await first_turn.inner_text()).endswith(turns_of(expected.structured_content)[0]["text"])
                assert await view.locator(".transcript .turn").count() == len(turns)
            else:
                assert "No turns" in shown
            assert calls[-1] == {"name": "get_call_transcript", "arguments": {"ref": failed[0]["ref"], "max_turns": 40}}
            if silent is not None:
                index, facts = silent
                await view.locator("button.failed").nth(index).click()
                await view.locator(".transcript .call-facts").wait_for(timeout=15_000)
                shown = await view.locator(".transcript").inner_text()
                assert "No turns were recorded" in shown
                for key in ("failure_reason", "end_reason", "attempts"):
                    if facts.get(key) is not None:
                        assert str(facts[key]) in shown, (key, shown)
                assert "Queued" in shown or "Started" in shown or "Ended" in shown, shown

            theme = await page.frame_locator("#view").locator("html").get_attribute("data-theme")
            log = await page.evaluate("window.hostLog")
            if SCREENSHOT and provider == "runtype":
                await page.locator("#view").screenshot(path=SCREENSHOT)
            await browser.close()
    assert theme == "dark"
    assert log["initialized"] and log["sizes"] and max(log["sizes"]) > 300
    assert requests == [], f"the view asked the network for {requests}"
    assert problems == [], problems
