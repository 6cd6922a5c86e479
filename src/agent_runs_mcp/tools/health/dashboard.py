"""The run health dashboard: an MCP App view (extension ``io.modelcontextprotocol/ui``, 2026-01-26).

``summarize_run_health`` links to :data:`URI` through ``_meta.ui.resourceUri`` (and the older flat
``ui/resourceUri`` key some hosts still read). A host with Apps renders the view in a sandboxed iframe
and hands it the tool's result; every other host shows the text and structured content as before.

The view is one self-contained HTML file (``static/dashboard.html`` with ``static/dashboard.js``
inlined): no network, no fonts, no libraries, as the hosts' default CSP requires. What only the view
needs, and the model does not, travels in the result's ``_meta`` (:data:`META_KEY`): the newest failed
items with their refs, so a click reads the transcript with ``get_call_transcript``.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent_runs_mcp.tools.health.figures import FailureRecord

URI = "ui://agent-runs-mcp/health-dashboard.html"
META_KEY = "io.github.agent-runs-mcp/dashboard"
TOOL_META: dict[str, Any] = {"ui": {"resourceUri": URI}, "ui/resourceUri": URI}
MAX_FAILED = 50
"""Failed items the view lists (newest first); the report's figures cover all of them."""


@cache
def html() -> str:
    """The view as one HTML document, script inlined."""
    static = files(__package__).joinpath("static")
    script = static.joinpath("dashboard.js").read_text(encoding="utf-8")
    if "</script" in script.lower():
        raise ValueError("dashboard.js must not contain '</script': it is inlined into the HTML")
    return static.joinpath("dashboard.html").read_text(encoding="utf-8").replace("/*DASHBOARD_JS*/", script)


def view_meta(failures: list[FailureRecord], clean: Any) -> dict[str, Any]:
    """The result's ``_meta`` for the view: the newest failed items, each with the ref a click reads."""
    newest = sorted(failures, key=lambda f: f.created_at.timestamp() if f.created_at else float("-inf"), reverse=True)
    items = [
        {
            "id": f.item_id[:80],
            "ref": f.ref,
            "reason": clean((f.reason or "")[:200]) or None,
            "at": f.created_at.isoformat().replace("+00:00", "Z") if f.created_at else None,
        }
        for f in newest[:MAX_FAILED]
    ]
    return {META_KEY: {"failed": items, "failed_total": len(failures)}}
