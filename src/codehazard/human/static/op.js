// The operator's page: participants' progress, the consent text, invitations, export, deletion.
"use strict";
const base = location.pathname.replace(/\/+$/, "") + "/api/";
const app = document.getElementById("app");

async function call(action, data) {
  const opts = data === undefined ? {method: "GET"} :
    {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(data)};
  const r = await fetch(base + action, opts);
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

function el(tag, text) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; }

async function load() {
  const r = await call("results");
  app.replaceChildren(el("h1", `Study ${r.study}`));
  const table = el("table");
  table.id = "participants";
  const head = el("tr");
  for (const h of ["pseudonym", "consented", "done", "passed", ""]) head.append(el("th", h));
  table.append(head);
  for (const p of r.participants) {
    const row = el("tr");
    for (const v of [p.pseudonym, p.consented ? "yes" : "no", `${p.done} / ${p.tasks}`, String(p.passed)])
      row.append(el("td", v));
    const del = el("button", "delete");
    del.onclick = async () => { if (confirm(`Delete ${p.pseudonym} and all their data?`)) {
      await call("delete", {pseudonym: p.pseudonym}); load(); } };
    const cell = el("td"); cell.append(del); row.append(cell); table.append(row);
  }
  const consent = el("textarea"); consent.id = "consent-text"; consent.value = r.consent;
  const save = el("button", "Save consent text");
  save.onclick = async () => { await call("consent", {text: consent.value}); load(); };
  const invite = el("button", "Invite one more participant");
  const links = el("pre"); links.id = "links";
  invite.onclick = async () => { const x = await call("invite", {participants: 1});
    links.textContent += x.links.map(l => location.origin + l).join("\n") + "\n"; };
  const exp = el("a", "Export CSV (no free text)"); exp.href = base + "export.csv";
  app.append(table, el("h2", "Consent"), consent, save, el("h2", "Invite"), invite, links, exp);
}
load().catch(() => { app.textContent = "Not the operator's link."; });
