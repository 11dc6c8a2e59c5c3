// The participant's page: consent, then one task at a time. Plain script, no library.
"use strict";
const base = location.pathname.replace(/\/+$/, "") + "/api/";
const app = document.getElementById("app");
let state = null, timer = null, busy = false;

const KW = new Set(("False None True and as assert async await break class continue def del elif " +
  "else except finally for from global if import in is lambda nonlocal not or pass raise return " +
  "try while with yield").split(" "));
// a small Python highlighter: comments, strings, numbers, keywords, names after def/class
function highlight(code) {
  const esc = s => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const re = /(#[^\n]*)|("""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?)|(\b\d[\d_]*(?:\.\d+)?\b)|([A-Za-z_]\w*)/g;
  let out = "", last = 0, prev = "", m;
  while ((m = re.exec(code)) !== null) {
    out += esc(code.slice(last, m.index));
    let cls = m[1] ? "com" : m[2] ? "str" : m[3] ? "num" : KW.has(m[4]) ? "kw" :
      (prev === "def" || prev === "class") ? "def" : "";
    out += cls ? `<span class="tok-${cls}">${esc(m[0])}</span>` : esc(m[0]);
    if (m[4]) prev = m[4];
    last = re.lastIndex;
  }
  return out + esc(code.slice(last)) + "\n";
}

async function call(action, data) {
  const opts = data === undefined ? {method: "GET"} :
    {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(data)};
  const r = await fetch(base + action, opts);
  const body = await r.json().catch(() => ({error: "bad response"}));
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
}

function code() { const t = document.getElementById("code"); return t ? t.value : ""; }

function show(msg, kind) {
  const box = document.getElementById("verdict");
  if (box) { box.textContent = msg; box.className = "verdict " + (kind || ""); }
}

function render(s) {
  state = s;
  app.replaceChildren();
  if (s.stage === "consent") {
    app.append(el("h1", {text: "Before you start"}), el("p", {id: "consent", text: s.consent}),
      el("button", {id: "agree", text: "I agree and want to take part"}));
    document.getElementById("agree").onclick = () => act(() => call("consent", {agree: true}));
    return;
  }
  if (s.stage === "finished") {
    app.append(el("h1", {text: "Thank you"}), el("p", {id: "done", text: "You have finished every task."}));
    return;
  }
  const head = el("p", {id: "where", text: `Task ${s.position + 1} of ${s.total} · ` +
    `${Math.round(s.active_s)} s of ${Math.round(s.budget_s)} s · attempts ${s.attempts}`});
  const area = el("textarea", {id: "code", spellcheck: "false", "aria-label": "your solution"});
  area.value = s.draft;
  const pre = el("pre", {id: "shade", "aria-hidden": "true"});
  pre.innerHTML = highlight(area.value);
  area.oninput = () => { pre.innerHTML = highlight(area.value); };
  area.onscroll = () => { pre.scrollTop = area.scrollTop; pre.scrollLeft = area.scrollLeft; };
  const buttons = el("div", {class: "buttons"},
    el("button", {id: "examples", text: "Run examples"}), el("button", {id: "submit", text: "Submit"}),
    el("button", {id: "pause", text: s.paused ? "Resume" : "Pause"}),
    el("button", {id: "giveup", text: "Give up on this task"}));
  app.append(el("h1", {text: "Write the function"}), head,
    el("pre", {id: "prompt", text: s.prompt}), el("div", {class: "editor"}, pre, area), buttons,
    el("p", {id: "verdict", class: "verdict", role: "status"}));
  if (s.last) show(`Attempt ${s.last.n}: ${s.last.message}`, s.last.status);
  if (s.paused) { area.disabled = true; show("Paused: the clock is stopped.", "paused"); }
  document.getElementById("examples").onclick = () => act(async () => {
    const r = await call("examples", {task_id: s.task_id, code: code()});
    let msg = "Examples: " + r.message;
    if (r.example) msg += ` ${r.example} should be ${r.expected}, got ${r.actual}`;
    show(msg, r.status); return null;
  });
  document.getElementById("submit").onclick = () => act(async () => {
    const r = await call("submit", {task_id: s.task_id, code: code(), seq: s.attempts + 1});
    render(r.state);
    show(`Attempt ${r.n}: ${r.message}`, r.status); return null;
  });
  document.getElementById("pause").onclick = () => act(() => call(s.paused ? "resume" : "pause", {}));
  document.getElementById("giveup").onclick = () => act(() => call("giveup", {task_id: s.task_id}));
}

async function act(fn) {
  if (busy) return;  // one request at a time: a double click sends nothing twice
  busy = true;
  document.querySelectorAll("button").forEach(b => { b.disabled = true; });
  try { const s = await fn(); if (s) render(s); } catch (e) { show(String(e.message), "error"); }
  finally { busy = false; document.querySelectorAll("button").forEach(b => { b.disabled = false; }); }
}

async function beat() {
  if (busy || !state || state.stage !== "task") return;
  try {
    const s = await call("heartbeat", {task_id: state.task_id, draft: code()});
    const where = document.getElementById("where");
    if (s.task_id !== state.task_id || s.stage !== "task") render(s);
    else if (where) { state = s; where.textContent = `Task ${s.position + 1} of ${s.total} · ` +
      `${Math.round(s.active_s)} s of ${Math.round(s.budget_s)} s · attempts ${s.attempts}`; }
  } catch (e) { /* the server is away: the next beat tries again */ }
}

call("state").then(s => { render(s); timer = setInterval(beat, (s.heartbeat_s || 15) * 1000); })
  .catch(e => { app.textContent = "This link is not valid."; });
