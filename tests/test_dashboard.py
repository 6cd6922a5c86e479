"""The run health dashboard (MCP App): linked, served, self-contained, and rendering what it is given.

The render functions are plain JavaScript (data in, escaped HTML out); they run here under node,
which a fresh machine has. The view in a real browser, under the host bridge, is
tests/test_dashboard_browser.py (`make test-browser`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from importlib.resources import files
from typing import Any

import pytest
from mcp import Client

from agent_runs_mcp.tools.health import dashboard
from tests.conftest import call

pytestmark = pytest.mark.anyio

SCRIPT = files("agent_runs_mcp.tools.health").joinpath("static/dashboard.js")
NODE = shutil.which("node")


def test_the_view_is_one_self_contained_file_under_its_budget() -> None:
    html = dashboard.html()
    assert len(html.encode()) < 60_000
    assert html.startswith("<!doctype html>") and "/*DASHBOARD_JS*/" not in html
    assert not re.search(r"https?://", html)  # no CDN, no remote font, no link anywhere
    banned = ("fetch(", "XMLHttpRequest", "WebSocket", "EventSource", "import(", "<link", "@import", "url(", " src=")
    for word in banned:
        assert word not in html, word
    assert "innerHTML = renderReport(" in html  # data reaches the DOM only through the escaping renderers


async def test_the_tool_links_the_view_and_the_server_serves_it(demo_client: Client) -> None:
    tools = {t.name: t for t in (await demo_client.list_tools()).tools}
    meta = tools["summarize_run_health"].meta or {}
    assert meta["ui"]["resourceUri"] == dashboard.URI and meta["ui/resourceUri"] == dashboard.URI
    assert all(not (t.meta or {}).get("ui") for name, t in tools.items() if name != "summarize_run_health")
    read = await demo_client.read_resource(dashboard.URI)
    content = read.contents[0]
    assert content.mime_type == "text/html;profile=mcp-app"
    assert content.text == dashboard.html()  # type: ignore[union-attr]
    caps = demo_client.server_capabilities
    assert caps is not None and "io.modelcontextprotocol/ui" in (caps.extensions or {})


async def test_the_result_meta_lists_failed_items_whose_refs_open_transcripts(demo_client: Client) -> None:
    agents = (await call(demo_client, "list_agents", provider="runtype")).structured_content["agents"]
    agent = next(a["id"] for a in agents if a["name"] == "Support Triage")
    res = await call(demo_client, "summarize_run_health", provider="runtype", agent=agent, since="30d")
    view = (res.meta or {})[dashboard.META_KEY]
    failed = view["failed"]
    assert failed and view["failed_total"] == res.structured_content["totals"]["failed"]
    assert len(failed) <= dashboard.MAX_FAILED
    stamps = [f["at"] for f in failed if f["at"]]
    assert stamps == sorted(stamps, reverse=True)  # newest first
    transcript = await call(demo_client, "get_call_transcript", ref=failed[0]["ref"])
    assert transcript.structured_content["call"]
    assert dashboard.META_KEY not in json.dumps(res.structured_content)  # the model's channels stay as they were


HOSTILE = '<img src=x onerror="alert(1)">&\'"'

REPORT: dict[str, Any] = {
    "structuredContent": {
        "verdict": "failing",
        "headline": "Failing: 33% of 150 finished call tasks completed " + HOSTILE,
        "totals": {"completed": 50, "failed": 100},
        "finished": 150,
        "success_rate": 0.3333,
        "previous": {"success_rate": 0.73, "items": 157, "changes": ["success rate 73% -> 33% (-40%)"]},
        "top_failure_reasons": [
            {"reason": "sip_error", "label": "SIP or carrier error", "count": 80, "share": 0.8,
             "raw_reasons": {HOSTILE: 80}},
            {"reason": "no_answer", "label": "no answer " + HOSTILE, "count": 20, "share": 0.2, "raw_reasons": {}},
        ],
        "trend": {"start": "2026-11-22T06:00:00Z", "step": "1h", "items": [10, 40, 0, 100], "failed": [1, 30, 0, 69]},
        "duration_s": {"count": 3, "p50": 25, "p90": 125, "max": 130},
        "outcomes": {"booked": 4},
        "cost_usd": 5.46,
        "notes": ["note " + HOSTILE],
    },
    "_meta": {
        "io.github.agent-runs-mcp/dashboard": {
            "failed": [
                {"id": "T1" + HOSTILE, "ref": "unpod:task:t=T1", "reason": "customer-busy " + HOSTILE,
                 "at": "2026-11-22T07:10:00Z"},
                {"id": "T2", "ref": "", "reason": None, "at": None},
            ]
        }
    },
}  # fmt: skip

TRANSCRIPTS: list[dict[str, Any]] = [
    {"structuredContent": {"call": {"call_id": "c1", "status": "completed", "duration_s": 75,
                                    "recording_url": "https://rec.example/c1.mp3", "summary": "S " + HOSTILE},
                           "columns": ["index", "speaker", "text"],
                           "turns": [[0, "agent", "Hello " + HOSTILE], [1, "customer", "Hi"]],
                           "total_turns": 5}},
    {"structuredContent": {"call": {"call_id": "c2", "recording_url": "javascript:alert(1)"}, "turns": []}},
    {"isError": True, "content": [{"type": "text", "text": "Unpod [HTTP 404]: " + HOSTILE}]},
]  # fmt: skip


def rendered() -> dict[str, Any]:
    assert NODE is not None
    program = (
        f"const d = require({json.dumps(str(SCRIPT))});"
        f"const report = {json.dumps(REPORT)}; const transcripts = {json.dumps(TRANSCRIPTS)};"
        "process.stdout.write(JSON.stringify({report: d.renderReport(report),"
        " transcripts: transcripts.map(d.renderTranscript),"
        " error: d.renderReport({isError: true, content: [{type: 'text', text: 'boom <b>'}]}),"
        " empty: d.renderReport({structuredContent: {verdict: 'healthy', headline: 'ok', totals: {}}})}));"
    )
    out = subprocess.run([NODE, "-e", program], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(out.stdout)


@pytest.mark.skipif(NODE is None, reason="node is not installed (the dashboard's render functions run under node)")
def test_render_functions_show_the_figures_and_escape_every_provider_string() -> None:
    out = rendered()
    html = out["report"]
    assert "<img" not in html and 'onerror="' not in html  # escaped, never markup
    assert html.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;&quot;") >= 5
    assert 'data-verdict="failing"' in html and "33%" in html and "previous window 73% (-40 pts)" in html
    widths = [int(w) for w in re.findall(r'class="bar" style="width:(\d+)%"', html)]
    assert widths == [100, 25]  # 80 and 20 failures, scaled to the largest
    assert "80 · 80%" in html and "20 · 20%" in html
    assert html.count('class="t-all"') == 4 and html.count('class="t-bad"') == 4
    assert "1h steps from 11-22 06:00Z" in html
    assert "p50 25s · p90 2m05s · max 2m10s" in html and "$5.46" in html and "booked 4" in html
    assert html.count('class="failed"') == 2 and html.count(" disabled>") == 1  # no ref: not clickable
    first, unsafe_link, error = out["transcripts"]
    assert 'data-url="https://rec.example/c1.mp3"' in first and "Hello &lt;img" in first
    assert "3 more turns" in first and "<img" not in first
    assert 'class="turn agent"' in first and '<span class="who">customer</span> Hi</div>' in first  # rows read
    assert "data-url" not in unsafe_link  # only https recordings get a button
    assert "No turns" in unsafe_link
    assert "Unpod [HTTP 404]: &lt;img" in error
    assert out["error"] == '<div class="error">boom &lt;b&gt;</div>'
    assert "No failures." in out["empty"] and "Failed items" not in out["empty"]
