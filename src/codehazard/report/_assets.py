"""The HTML report's stylesheet and script, inlined in every page (no file is fetched).

The script is small vanilla JavaScript: the samples drill-down's filters (suite, level,
status, model, finding), search by task id, and the evidence links (``#evidence=ID`` shows
the samples behind one evidence value). Without script the page still reads in full; the
filters just do nothing. Colours keep a contrast of at least 4.5:1 for text.
"""

from __future__ import annotations

CSS = """
:root { --fg: #1b1b1b; --muted: #555; --line: #ccc; --bg: #fff; --accent: #0b5cad;
  --warn-bg: #fff4d6; --warn-line: #8a6100; --bad-bg: #fde2e2; --bad-line: #a00000;
  --ok-bg: #e3f3e6; --ok-line: #1d6b2f; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
  background: var(--bg); margin: 0; }
a { color: var(--accent); }
a:focus, button:focus, select:focus, input:focus, summary:focus {
  outline: 3px solid #ffbf47; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #ffbf47; padding: .5em 1em; }
.skip:focus { left: 0; z-index: 10; }
header.top { padding: 1em 2em; border-bottom: 1px solid var(--line); }
header.top h1 { margin: 0 0 .2em; font-size: 1.6em; }
nav.toc { padding: .5em 2em; border-bottom: 1px solid var(--line); position: sticky; top: 0;
  background: var(--bg); z-index: 5; }
nav.toc ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap;
  gap: .3em 1.2em; }
main { padding: 0 2em 3em; max-width: 1200px; }
section { margin-top: 2em; }
h2 { border-bottom: 2px solid var(--fg); padding-bottom: .2em; }
table { border-collapse: collapse; margin: .6em 0 1.2em; font-size: .92em; }
caption { text-align: left; font-weight: 600; padding: .3em 0; caption-side: top; }
th, td { border: 1px solid var(--line); padding: .25em .5em; text-align: left;
  vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.muted { color: var(--muted); }
.warnings { list-style: none; padding: 0; }
.warnings li { background: var(--warn-bg); border-left: 5px solid var(--warn-line);
  padding: .4em .8em; margin: .3em 0; }
.warnings li::before { content: "Warning: "; font-weight: 700; }
.verdict { border: 2px solid; padding: .8em 1em; margin: 1em 0; }
.verdict h3 { margin: 0 0 .3em; }
.verdict.do-not-deploy { background: var(--bad-bg); border-color: var(--bad-line); }
.verdict.accept-with-mitigations { background: var(--warn-bg); border-color: var(--warn-line); }
.verdict.accept { background: var(--ok-bg); border-color: var(--ok-line); }
.cards { display: flex; flex-wrap: wrap; gap: 1em; }
.card { border: 1px solid var(--line); padding: .6em 1em; min-width: 12em; }
.card .big { font-size: 1.5em; font-weight: 700; }
figure { margin: 1em 0; max-width: 640px; }
figcaption { font-size: .9em; color: var(--muted); }
svg.plot { width: 100%; height: auto; font-size: 11px; background: #fff; }
svg.plot .plot-title { font-size: 13px; font-weight: 600; }
table.matrix td { text-align: center; min-width: 6.5em; }
table.matrix td .ids { display: block; font-weight: 700; font-size: .95em; }
.sim { display: inline-block; background: #333; color: #fff; padding: 0 .4em; font-size: .8em; }
.filters { display: flex; flex-wrap: wrap; gap: .6em 1.2em; align-items: end;
  background: #f6f6f6; padding: .6em; border: 1px solid var(--line); }
.filters label { display: flex; flex-direction: column; font-size: .85em; }
#evidence-banner { background: #e8f0fb; border-left: 5px solid var(--accent); padding: .4em .8em; }
.sample { border: 1px solid var(--line); margin: .4em 0; }
.sample > details > summary { padding: .3em .6em; cursor: pointer; }
.sample .body { padding: 0 .8em .6em; }
.sample.status-passed > details > summary { border-left: 5px solid var(--ok-line); }
.sample:not(.status-passed) > details > summary { border-left: 5px solid var(--bad-line); }
.sample:target { outline: 3px solid #ffbf47; }
pre { background: #f7f7f7; border: 1px solid #e2e2e2; padding: .5em; overflow-x: auto;
  white-space: pre-wrap; word-break: break-word; font-size: .88em; }
.tok-kw { color: #8b008b; font-weight: 600; } .tok-str { color: #0a6b0a; }
.tok-num { color: #a04000; } .tok-com { color: #555; font-style: italic; }
.tok-bi { color: #00529b; } .tok-def { color: #7a3e00; font-weight: 600; }
[hidden] { display: none !important; }
@media print {
  nav.toc, .filters, .skip, #evidence-banner, .no-print { display: none !important; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  section { break-inside: auto; }
  table, figure, .sample { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""

JS = r"""
(function () {
  "use strict";
  var root = document.getElementById("samples");
  if (!root) { return; }
  var items = Array.prototype.slice.call(root.querySelectorAll(".sample"));
  var evidence = JSON.parse(document.getElementById("evidence-data").textContent || "{}");
  var form = document.getElementById("sample-filters");
  var count = document.getElementById("sample-count");
  var banner = document.getElementById("evidence-banner");
  var active = null;
  function val(name) { var el = form.elements[name]; return el ? el.value : ""; }
  function apply() {
    var want = { suite: val("suite"), level: val("level"), status: val("status"),
                 model: val("model"), finding: val("finding") };
    var q = val("task").trim().toLowerCase();
    var keys = active ? evidence[active] || [] : null;
    var keySet = null;
    if (keys) { keySet = {}; keys.forEach(function (k) { keySet[k] = true; }); }
    var shown = 0;
    items.forEach(function (el) {
      var d = el.dataset, ok = true;
      Object.keys(want).forEach(function (k) {
        if (!want[k]) { return; }
        if (k === "finding") {
          ok = ok && (" " + d.findings + " ").indexOf(" " + want[k] + " ") >= 0;
        }
        else if (d[k] !== want[k]) { ok = false; }
      });
      if (q && d.task.toLowerCase().indexOf(q) < 0) { ok = false; }
      if (keySet && !keySet[d.id]) { ok = false; }
      el.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + items.length + " embedded samples shown";
    if (active) {
      banner.hidden = false;
      banner.querySelector(".what").textContent = active + " (" + (keys || []).length +
        " embedded sample(s) behind it)";
    } else { banner.hidden = true; }
  }
  function showEvidence(id, focus) {
    active = evidence.hasOwnProperty(id) ? id : null;
    apply();
    if (active && focus) {
      var first = items.filter(function (el) { return !el.hidden; })[0];
      root.scrollIntoView();
      if (first) { first.querySelector("summary").focus(); }
      else { banner.focus(); }
    }
  }
  function fromHash(focus) {
    var h = decodeURIComponent(location.hash || "");
    if (h.indexOf("#evidence=") === 0) { showEvidence(h.slice(10), focus); }
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
  document.getElementById("clear-evidence").addEventListener("click", function () {
    active = null; history.replaceState(null, "", "#samples"); apply();
  });
  document.getElementById("reset-filters").addEventListener("click", function () {
    form.reset(); active = null; apply();
  });
  window.addEventListener("hashchange", function () { fromHash(true); });
  var closed = [];
  window.addEventListener("beforeprint", function () {  // print every sample in full
    closed = Array.prototype.filter.call(document.querySelectorAll("details"),
      function (d) { return !d.open; });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closed.forEach(function (d) { d.open = false; });
  });
  apply();
  fromHash(true);
})();
"""
