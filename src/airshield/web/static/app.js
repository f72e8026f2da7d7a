// AirShield web app: a little vanilla JS, no libraries, no network beyond this server.
"use strict";

const HEADERS = { "Content-Type": "application/json", "X-AirShield": "1" };

async function api(method, url, body) {
  const res = await fetch(url, {
    method,
    headers: HEADERS,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await res.json(); } catch (e) { data = { detail: res.statusText }; }
  return { status: res.status, data };
}

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function detail(data) {
  if (!data) return "error";
  if (typeof data.detail === "string") return data.detail;
  if (Array.isArray(data.detail)) return data.detail.map((d) => (d.loc || []).join(".") + ": " + d.msg).join("\n");
  return JSON.stringify(data);
}

// ---- report frames: as tall as the report, never cut off ------------------------------------
function fitFrame(frame) {
  function fit() {
    let doc = null;
    try { doc = frame.contentDocument; } catch (e) { return; }
    if (!doc || !doc.documentElement) return;
    const h = Math.max(doc.documentElement.scrollHeight, doc.body ? doc.body.scrollHeight : 0);
    if (h > 0) frame.style.height = (h + 24) + "px";
  }
  function attach() {
    fit();
    try {
      const win = frame.contentWindow;
      if (win && win.ResizeObserver && frame.contentDocument.body) {
        new win.ResizeObserver(fit).observe(frame.contentDocument.body);
      }
    } catch (e) { /* another origin: keep the default height */ }
  }
  frame.addEventListener("load", attach);
  try {
    const doc = frame.contentDocument;
    if (doc && doc.readyState === "complete" && doc.URL !== "about:blank") attach();
  } catch (e) { /* not readable */ }
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("iframe.report-frame").forEach(fitFrame);
});

// ---- editor -------------------------------------------------------------------------------
function setupEditor() {
  const root = document.getElementById("editor");
  const ta = document.getElementById("yaml");
  const gutter = document.getElementById("gutter");
  const out = document.getElementById("validation");
  let badLines = new Set();
  let timer = null;

  function renderGutter() {
    const n = ta.value.split("\n").length;
    gutter.textContent = "";
    for (let i = 1; i <= n; i++) {
      const span = el("span", { "data-line": String(i) }, String(i));
      if (badLines.has(i)) span.className = "bad";
      gutter.appendChild(span);
      gutter.appendChild(document.createTextNode("\n"));
    }
    gutter.scrollTop = ta.scrollTop;
  }

  function gotoLine(line) {
    const lines = ta.value.split("\n");
    let start = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    const end = start + (lines[line - 1] || "").length;
    ta.focus();
    ta.setSelectionRange(start, end);
    const lh = parseFloat(getComputedStyle(ta).lineHeight) || 19;
    ta.scrollTop = Math.max(0, (line - 5) * lh);
  }

  function showProblems(problems) {
    out.textContent = "";
    badLines = new Set(problems.filter((p) => p.line).map((p) => p.line));
    const ul = el("ul", { id: "problems" });
    for (const p of problems) {
      const li = el("li", { class: "problem", "data-line": p.line ? String(p.line) : "" });
      li.appendChild(el("span", { class: "where" }, (p.line ? "line " + p.line + ": " : "") + p.field + ": "));
      li.appendChild(document.createTextNode(p.message));
      if (p.line) li.addEventListener("click", () => gotoLine(p.line));
      ul.appendChild(li);
    }
    out.appendChild(el("div", { class: "bad-head" }, problems.length + " problem(s)"));
    out.appendChild(ul);
    renderGutter();
  }

  function showOk(s) {
    badLines = new Set();
    out.textContent = "";
    out.appendChild(el("div", { class: "ok", id: "valid-ok" }, "✓ valid"));
    out.appendChild(el("div", {}, `${s.name}: ${s.assets} assets, ${s.fire_units} fire units, ` +
      `${s.waves} waves, ${s.threats} threats (hash ${s.hash})`));
    renderGutter();
  }

  async function validate() {
    const { status, data } = await api("POST", "/api/validate", { text: ta.value });
    if (status !== 200) { out.textContent = detail(data); return false; }
    if (data.ok) showOk(data.scenario); else showProblems(data.problems);
    return data.ok;
  }

  ta.addEventListener("input", () => {
    renderGutter();
    clearTimeout(timer);
    timer = setTimeout(validate, 700);
  });
  ta.addEventListener("scroll", () => { gutter.scrollTop = ta.scrollTop; });
  document.getElementById("validate-btn").addEventListener("click", validate);

  document.getElementById("save-btn").addEventListener("click", async () => {
    const msg = document.getElementById("save-msg");
    const name = document.getElementById("save-name").value.trim();
    const { status, data } = await api("PUT", "/api/scenarios/user/" + encodeURIComponent(name), { text: ta.value });
    if (status === 200) {
      msg.className = "msg"; msg.textContent = "saved as " + data.name;
      if (root.dataset.source !== "user" || root.dataset.name !== data.name) {
        window.location.href = "/scenarios/user/" + encodeURIComponent(data.name);
      }
    } else if (status === 422 && data.problems) {
      msg.className = "msg error"; msg.textContent = "not saved: fix the problems first";
      showProblems(data.problems);
    } else { msg.className = "msg error"; msg.textContent = detail(data); }
  });

  document.getElementById("run-btn").addEventListener("click", async () => {
    const msg = document.getElementById("run-msg");
    const btn = document.getElementById("run-btn");
    const reps = parseInt(document.getElementById("reps").value, 10);
    const seed = parseInt(document.getElementById("seed").value, 10);
    msg.className = "msg"; msg.textContent = "starting…";
    const { status, data } = await api("POST", "/api/runs", { text: ta.value, reps, seed });
    if (status === 422 && data.problems) {
      msg.className = "msg error"; msg.textContent = "not run: the scenario has problems";
      showProblems(data.problems);
      return;
    }
    if (status !== 202) { msg.className = "msg error"; msg.textContent = detail(data); return; }
    btn.disabled = true;
    pollRun(data.id, (rec) => {
      btn.disabled = false;
      if (rec.status === "done") {
        msg.innerHTML = "";
        msg.appendChild(el("a", { href: "/runs/" + rec.id, id: "run-link" }, "run #" + rec.id + " done"));
        const section = document.getElementById("result");
        section.hidden = false;
        document.getElementById("report-link").href = "/runs/" + rec.id + "/report";
        document.getElementById("report-frame").src = "/runs/" + rec.id + "/report";
      }
    });
  });

  renderGutter();
  validate();
}

// ---- run progress -------------------------------------------------------------------------
function pollRun(id, onEnd) {
  const bar = document.getElementById("progress-bar");
  const box = document.getElementById("progress");
  const msg = document.getElementById("run-msg");
  if (box) box.hidden = false;
  let polls = 0;
  async function tick() {
    polls += 1;
    const { status, data } = await api("GET", "/api/runs/" + id);
    if (status !== 200) { msg.className = "msg error"; msg.textContent = detail(data); onEnd({ status: "failed" }); return; }
    const p = data.progress || { done: 0, total: data.reps };
    const pct = p.total ? Math.round((100 * p.done) / p.total) : 0;
    if (bar) bar.style.width = (data.status === "done" ? 100 : pct) + "%";
    if (box) box.setAttribute("data-pct", String(pct));
    if (data.status === "running") {
      msg.className = "msg";
      msg.textContent = p.phase === "report" ? "writing the report…" : `replications ${p.done}/${p.total}`;
      setTimeout(tick, polls < 20 ? 250 : 1000);
      return;
    }
    if (data.status === "failed") {
      msg.className = "msg error";
      msg.textContent = "run #" + id + " failed: " + (data.error || "").split("\n")[0];
    }
    onEnd(data);
  }
  tick();
}

function setupRunPage() {
  const root = document.getElementById("run");
  if (!root || root.dataset.status !== "running") return;
  pollRun(root.dataset.run, () => window.location.reload());
}

// ---- index --------------------------------------------------------------------------------
function setupIndex() {
  const btn = document.getElementById("compare-btn");
  const boxes = () => Array.from(document.querySelectorAll("input.cmp:checked"));
  document.querySelectorAll("input.cmp").forEach((b) =>
    b.addEventListener("change", () => { btn.disabled = boxes().length !== 2; }));
  if (btn) btn.addEventListener("click", () => {
    const ids = boxes().map((b) => b.value).sort((x, y) => x - y);
    if (ids.length === 2) window.location.href = `/compare?a=${ids[0]}&b=${ids[1]}`;
  });
  const form = document.getElementById("upload-form");
  if (form) form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const msg = document.getElementById("upload-msg");
    const file = document.getElementById("upload-file").files[0];
    if (!file) { msg.textContent = "choose a file first"; return; }
    const fd = new FormData();
    fd.append("file", file);
    const res = await fetch("/api/scenarios/upload", { method: "POST", headers: { "X-AirShield": "1" }, body: fd });
    let data = {};
    try { data = await res.json(); } catch (e) { /* not JSON */ }
    if (res.status === 200) window.location.href = "/scenarios/user/" + encodeURIComponent(data.name);
    else if (data.problems) msg.textContent = "invalid: " + data.problems.map((p) => (p.line ? "line " + p.line + ": " : "") + p.field + ": " + p.message).join("; ");
    else msg.textContent = detail(data);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const page = document.body.dataset.page;
  if (page === "editor") setupEditor();
  if (page === "run") setupRunPage();
  if (page === "index") setupIndex();
});
