/* Run health dashboard: an MCP App view (io.modelcontextprotocol/ui, 2026-01-26) for summarize_run_health.
 *
 * Self-contained: no network, no libraries. The render functions are pure (data in, escaped HTML out)
 * and tested under node; the bridge at the bottom speaks the Apps protocol over postMessage:
 * ui/initialize -> ui/notifications/initialized, then tool-input and tool-result notifications from
 * the host, tools/call back to the server (the failed item's transcript), size-changed, open-link.
 * Every provider string goes through esc(): transcripts and reasons are untrusted data.
 */
"use strict";

const META_KEY = "io.github.agent-runs-mcp/dashboard";
const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function esc(value) {
  return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

function pct(x) {
  return typeof x === "number" && isFinite(x) ? Math.round(x * 100) + "%" : "n/a";
}

function num(x) {
  return typeof x === "number" && isFinite(x) ? x : 0;
}

function secs(x) {
  if (typeof x !== "number" || !isFinite(x)) return "n/a";
  if (x < 60) return Math.round(x) + "s";
  const m = Math.floor(x / 60);
  return m + "m" + String(Math.round(x % 60)).padStart(2, "0") + "s";
}

function money(x) {
  return typeof x === "number" && isFinite(x) ? "$" + x.toFixed(x < 10 ? 2 : 0) : "n/a";
}

function shortTime(iso) {
  const text = String(iso || "");
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(text);
  return m ? m[2] + "-" + m[3] + " " + m[4] + ":" + m[5] + "Z" : text.slice(0, 20);
}

const VERDICTS = { healthy: "ok", degraded: "warn", failing: "bad", insufficient_data: "muted" };

function renderHeader(r) {
  const verdict = String(r.verdict || "unknown");
  const cls = VERDICTS[verdict] || "muted";
  return (
    '<header><span class="badge ' + cls + '" data-verdict="' + esc(verdict) + '">' +
    esc(verdict.replace("_", " ")) + "</span>" +
    '<p class="headline">' + esc(r.headline) + "</p></header>"
  );
}

function kpi(label, value, sub) {
  return (
    '<div class="kpi"><div class="kpi-label">' + esc(label) + '</div><div class="kpi-value">' + esc(value) +
    "</div>" + (sub ? '<div class="kpi-sub">' + esc(sub) + "</div>" : "") + "</div>"
  );
}

function renderKpis(r) {
  const totals = r.totals || {};
  const items = Object.values(totals).reduce((a, b) => a + num(b), 0);
  const prev = r.previous;
  let delta = "";
  if (prev && typeof prev.success_rate === "number" && typeof r.success_rate === "number") {
    const d = Math.round((r.success_rate - prev.success_rate) * 100);
    delta = "previous window " + pct(prev.success_rate) + " (" + (d >= 0 ? "+" : "") + d + " pts)";
  } else if (prev) {
    delta = "previous window: " + num(prev.items) + " items";
  }
  const parts = [
    kpi("Success rate", pct(r.success_rate), delta),
    kpi("Items", String(items), num(r.finished) ? num(r.finished) + " finished" : ""),
    kpi("Failed", String(num(totals.failed)), ""),
  ];
  if (typeof r.cost_usd === "number") {
    const per = typeof r.cost_per_completed_usd === "number" ? money(r.cost_per_completed_usd) + " per completed" : "";
    parts.push(kpi("Cost", money(r.cost_usd), per));
  }
  return '<section class="kpis">' + parts.join("") + "</section>";
}

function renderReasons(r) {
  const reasons = Array.isArray(r.top_failure_reasons) ? r.top_failure_reasons : [];
  if (!reasons.length) return '<section><h2>Failure reasons</h2><p class="muted">No failures.</p></section>';
  const max = Math.max(...reasons.map((x) => num(x.count)), 1);
  const rows = reasons.map((x) => {
    const width = Math.max(2, Math.round((num(x.count) / max) * 100));
    const raw = x.raw_reasons && typeof x.raw_reasons === "object" ? Object.keys(x.raw_reasons)[0] : "";
    return (
      '<div class="bar-row" title="' + esc(raw) + '"><div class="bar-label">' + esc(x.label || x.reason) +
      '</div><div class="bar-track"><div class="bar" style="width:' + width + '%"></div></div>' +
      '<div class="bar-value">' + num(x.count) + " · " + pct(x.share) + "</div></div>"
    );
  });
  return '<section><h2>Failure reasons</h2><div class="bars">' + rows.join("") + "</div></section>";
}

function renderTrend(r) {
  const t = r.trend;
  if (!t || !Array.isArray(t.items) || t.items.length < 2) return "";
  const n = t.items.length;
  const max = Math.max(...t.items.map(num), 1);
  const w = 600, h = 120, gap = 2, bw = Math.max(1, (w - gap * n) / n);
  let bars = "";
  for (let i = 0; i < n; i++) {
    const all = num(t.items[i]), bad = Math.min(all, num(Array.isArray(t.failed) ? t.failed[i] : 0));
    const x = (i * (bw + gap)).toFixed(1);
    const ha = ((all / max) * (h - 4)).toFixed(1), hb = ((bad / max) * (h - 4)).toFixed(1);
    bars +=
      '<rect class="t-all" x="' + x + '" y="' + (h - ha) + '" width="' + bw.toFixed(1) + '" height="' + ha + '">' +
      "<title>" + esc(all + " items, " + bad + " failed") + "</title></rect>" +
      '<rect class="t-bad" x="' + x + '" y="' + (h - hb) + '" width="' + bw.toFixed(1) + '" height="' + hb + '"/>';
  }
  return (
    "<section><h2>Trend <span class=\"muted\">(" + esc(t.step) + " steps from " + esc(shortTime(t.start)) +
    ')</span></h2><svg class="trend" viewBox="0 0 ' + w + " " + h + '" role="img" aria-label="items and failures over time">' +
    bars + '</svg><div class="legend"><span class="sw all"></span>items <span class="sw bad"></span>failed</div></section>'
  );
}

function renderDetails(r) {
  const rows = [];
  const d = r.duration_s || {};
  if (num(d.count)) rows.push(["Duration", "p50 " + secs(d.p50) + " · p90 " + secs(d.p90) + " · max " + secs(d.max)]);
  const v = r.voice;
  if (v && typeof v === "object") {
    rows.push(["Calls", "connect " + pct(v.connect_rate) + " · voicemail " + pct(v.voicemail_rate) +
      (num(v.early_hangups) ? " · early hang-ups " + num(v.early_hangups) : "")]);
  }
  const outcomes = r.outcomes && typeof r.outcomes === "object" ? Object.entries(r.outcomes) : [];
  if (outcomes.length) rows.push(["Outcomes", outcomes.slice(0, 8).map(([k, c]) => k + " " + num(c)).join(" · ")]);
  if (typeof r.tokens === "number") rows.push(["Tokens", String(r.tokens)]);
  const prev = r.previous;
  if (prev && Array.isArray(prev.changes) && prev.changes.length) rows.push(["Since last window", prev.changes.join("; ")]);
  if (!rows.length) return "";
  return (
    '<section><h2>Details</h2><dl class="details">' +
    rows.map(([k, val]) => "<dt>" + esc(k) + "</dt><dd>" + esc(val) + "</dd>").join("") + "</dl></section>"
  );
}

function renderFailed(items) {
  const list = Array.isArray(items) ? items : [];
  if (!list.length) return "";
  const rows = list.map((f, i) =>
    '<li><button type="button" class="failed" data-index="' + i + '"' + (f.ref ? "" : " disabled") + ">" +
    '<span class="f-id">' + esc(f.id) + '</span><span class="f-reason">' + esc(f.reason || "no reason given") +
    '</span><span class="f-at">' + esc(shortTime(f.at)) + "</span></button></li>"
  );
  return (
    '<section><h2>Failed items <span class="muted">(newest ' + list.length + ", click for the transcript)</span></h2>" +
    '<ul class="failed-list">' + rows.join("") + '</ul><div id="transcript" aria-live="polite"></div></section>'
  );
}

function renderReport(result) {
  const r = (result && result.structuredContent) || {};
  const meta = (result && result._meta && result._meta[META_KEY]) || {};
  if (result && result.isError) {
    const text = Array.isArray(result.content) && result.content[0] ? result.content[0].text : "The report failed.";
    return '<div class="error">' + esc(text) + "</div>";
  }
  return (
    renderHeader(r) + renderKpis(r) + renderReasons(r) + renderTrend(r) + renderDetails(r) +
    renderFailed(meta.failed) +
    (Array.isArray(r.notes) && r.notes.length
      ? '<section class="notes">' + r.notes.map((n) => "<p>" + esc(n) + "</p>").join("") + "</section>"
      : "")
  );
}

function callFacts(call) {
  // What the tool says of a call that left no conversation: why it ended, how often it was tried, when.
  const facts = [
    ["Failure", call.failure_reason], ["End reason", call.end_reason], ["Attempts", call.attempts],
    ["Contact", call.contact], ["Queued", call.created_at && shortTime(call.created_at)],
    ["Started", call.started_at && shortTime(call.started_at)], ["Ended", call.ended_at && shortTime(call.ended_at)],
  ].filter(([, value]) => value !== undefined && value !== null && value !== "");
  if (!facts.length) return "";
  return '<dl class="details call-facts">' +
    facts.map(([k, v]) => "<dt>" + esc(k) + "</dt><dd>" + esc(v) + "</dd>").join("") + "</dl>";
}

/* Turns arrive as rows (`columns` names their values): back to {speaker, text} objects. */
function turnsOf(t) {
  const rows = Array.isArray(t.turns) ? t.turns : [];
  const columns = Array.isArray(t.columns) ? t.columns : [];
  const at = (name) => columns.indexOf(name);
  return rows.filter(Array.isArray).map((row) => ({ speaker: row[at("speaker")], text: row[at("text")] }));
}

function renderTranscript(result) {
  if (!result || result.isError) {
    const text = result && Array.isArray(result.content) && result.content[0] ? result.content[0].text : "No transcript.";
    return '<div class="transcript"><p class="muted">' + esc(text) + "</p></div>";
  }
  const t = result.structuredContent || {};
  const call = t.call || {};
  const turns = turnsOf(t);
  let html = '<div class="transcript"><h3>' + esc(call.call_id || call.task_id || "Call") +
    ' <span class="muted">' +
    esc([call.status, call.end_reason, typeof call.duration_s === "number" ? secs(call.duration_s) : ""]
      .filter(Boolean).join(" · ")) +
    "</span></h3>";
  if (call.summary) html += '<p class="summary">' + esc(call.summary) + "</p>";
  const url = call.recording_url;
  if (typeof url === "string" && /^https:\/\//.test(url)) {
    html += '<button type="button" class="link" data-url="' + esc(url) + '">Open the recording</button>';
  }
  if (!turns.length) html += '<p class="muted">No turns were recorded: the call may not have connected.</p>' + callFacts(call);
  html += turns.map((turn) =>
    '<div class="turn ' + (turn.speaker === "agent" ? "agent" : "other") + '"><span class="who">' +
    esc(turn.speaker) + "</span> " + esc(turn.text) + "</div>").join("");
  if (typeof t.total_turns === "number" && t.total_turns > turns.length) {
    html += '<p class="muted">' + esc(t.total_turns - turns.length) + " more turns: ask the assistant for the rest.</p>";
  }
  return html + '<p class="muted untrusted">Transcript text is the caller\'s and the agent\'s words, shown as data.</p></div>';
}

/* ---- the bridge: browser only ------------------------------------------------------------------ */

function startApp(win) {
  const doc = win.document;
  const root = doc.getElementById("app");
  const pending = new Map();
  let nextId = 1;
  let failed = [];
  let lastSize = "";

  function post(message) {
    win.parent.postMessage(Object.assign({ jsonrpc: "2.0" }, message), "*");
  }
  function request(method, params) {
    const id = nextId++;
    post({ id, method, params });
    return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
  }
  function notify(method, params) {
    post({ method, params: params || {} });
  }
  function applyContext(ctx) {
    if (!ctx || typeof ctx !== "object") return;
    if (ctx.theme === "dark" || ctx.theme === "light") doc.documentElement.dataset.theme = ctx.theme;
    const vars = ctx.styles && ctx.styles.variables;
    if (vars && typeof vars === "object") {
      for (const [key, value] of Object.entries(vars)) {
        if (/^--[a-z0-9-]+$/.test(key) && typeof value === "string") doc.documentElement.style.setProperty(key, value);
      }
    }
  }
  function show(result) {
    root.innerHTML = renderReport(result);
    const meta = (result && result._meta && result._meta[META_KEY]) || {};
    failed = Array.isArray(meta.failed) ? meta.failed : [];
  }
  async function openTranscript(index) {
    const item = failed[index];
    const box = doc.getElementById("transcript");
    if (!item || !item.ref || !box) return;
    box.innerHTML = '<p class="muted">Reading the transcript…</p>';
    try {
      const result = await request("tools/call", { name: "get_call_transcript", arguments: { ref: item.ref, max_turns: 40 } });
      box.innerHTML = renderTranscript(result);
    } catch (err) {
      box.innerHTML = renderTranscript({ isError: true, content: [{ type: "text", text: String((err && err.message) || err) }] });
    }
  }
  root.addEventListener("click", (event) => {
    const target = event.target.closest("button");
    if (!target) return;
    if (target.classList.contains("failed")) openTranscript(Number(target.dataset.index));
    if (target.classList.contains("link")) request("ui/open-link", { url: target.dataset.url }).catch(() => {});
  });
  win.addEventListener("message", (event) => {
    if (event.source !== win.parent) return;
    const msg = event.data;
    if (!msg || msg.jsonrpc !== "2.0") return;
    if (msg.id !== undefined && !msg.method && pending.has(msg.id)) {
      const waiter = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) waiter.reject(new Error(msg.error.message || "request failed"));
      else waiter.resolve(msg.result);
      return;
    }
    if (msg.method === "ui/notifications/tool-result") show(msg.params);
    else if (msg.method === "ui/notifications/tool-input") root.dataset.input = "received";
    else if (msg.method === "ui/notifications/tool-cancelled") root.innerHTML = '<p class="muted">The report was cancelled.</p>';
    else if (msg.method === "ui/notifications/host-context-changed") applyContext(msg.params);
    else if (msg.method === "ui/resource-teardown" && msg.id !== undefined) post({ id: msg.id, result: {} });
    else if (msg.method === "ping" && msg.id !== undefined) post({ id: msg.id, result: {} });
  });
  const observer = new win.ResizeObserver(() => {
    const size = { width: Math.ceil(doc.documentElement.scrollWidth), height: Math.ceil(doc.documentElement.scrollHeight) };
    const key = size.width + "x" + size.height;
    if (key !== lastSize) {
      lastSize = key;
      notify("ui/notifications/size-changed", size);
    }
  });
  observer.observe(doc.documentElement);
  request("ui/initialize", {
    protocolVersion: "2026-01-26",
    appInfo: { name: "agent-runs-mcp health dashboard", version: "1" },
    appCapabilities: { availableDisplayModes: ["inline"] },
  }).then((res) => {
    applyContext(res && res.hostContext);
    notify("ui/notifications/initialized", {});
  }, (err) => {
    root.innerHTML = '<p class="muted">' + esc("The host did not start the view: " + ((err && err.message) || err)) + "</p>";
  });
}

if (typeof module !== "undefined" && module.exports) {
  module.exports = { esc, renderReport, renderTranscript, renderTrend, renderReasons, renderFailed, META_KEY };
} else if (typeof window !== "undefined") {
  startApp(window);
}
