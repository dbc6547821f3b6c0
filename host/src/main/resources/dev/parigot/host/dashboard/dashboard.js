// The dashboard of a running app's admin endpoint: plain DOM, no framework, no build step.
// The token comes in the URL's fragment (#token=...), which browsers never send to a server.
"use strict";

const REFRESH_MS = 2000;
let token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
let logAfter = 0;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function svg(tag, attrs, ...children) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

async function api(path, options) {
  const res = await fetch(path, {
    ...options,
    headers: { Authorization: "Bearer " + token, ...((options || {}).headers || {}) },
  });
  if (res.status === 401) {
    showLogin("the token was refused");
    throw new Error("unauthorized");
  }
  if (!res.ok) throw new Error((await res.json()).error);
  return res;
}

function showLogin(why) {
  document.getElementById("board").hidden = true;
  document.getElementById("login").hidden = false;
  document.getElementById("status").textContent = why;
}

function bytes(n) {
  if (n >= 1 << 20) return (n / (1 << 20)).toFixed(1) + " MiB";
  if (n >= 1 << 10) return (n / (1 << 10)).toFixed(1) + " KiB";
  return n + " B";
}

function num(v) {
  return el("td", { class: "n" }, String(v));
}

function fill(id, rows) {
  document.querySelector("#" + id + " tbody").replaceChildren(...rows);
}

async function kill(program) {
  if (!confirm("Kill every process of " + program + "?")) return;
  await api("/api/kill", { method: "POST", body: JSON.stringify({ program }) });
  refresh();
}

// Restart and upgrade answer once the old processes have finished their calls; a refusal
// (a bad module, a replacement under way) is shown and the old version serves on.
async function replace(path, body, done) {
  const action = document.getElementById("action");
  action.textContent = "…";
  try {
    await api(path, { method: "POST", body: JSON.stringify(body) });
    action.textContent = done;
  } catch (e) {
    action.textContent = e.message;
  }
  refresh();
}

function restart(program) {
  if (!confirm("Restart " + program + " (new processes, then the old ones drain)?")) return;
  replace("/api/restart", { program }, program + " restarted");
}

function upgrade(program) {
  const wasm = prompt("Absolute path of the new module of " + program + ":");
  if (!wasm) return;
  replace("/api/upgrade", { program, wasm }, program + " upgraded to " + wasm);
}

function processes(data) {
  fill("processes", data.processes.map(p => {
    const button = el("button", { "data-program": p.program }, "kill " + p.program);
    button.addEventListener("click", () => kill(p.program));
    const actions = el("td", {}, button);
    if (p.role === "service" && !p.worker) {
      const again = el("button", { "data-restart": p.program }, "restart");
      again.addEventListener("click", () => restart(p.program));
      const newer = el("button", { "data-upgrade": p.program }, "upgrade");
      newer.addEventListener("click", () => upgrade(p.program));
      actions.append(again, newer);
    }
    const tr = el("tr", { "data-pid": String(p.pid) },
      num(p.pid), el("td", {}, p.name), el("td", {}, p.state), num(bytes(p.memory_bytes)),
      num(p.cpu_ms + " ms"), num(p.calls_in_flight), num(bytes(p.queued_bytes)),
      num(p.calls_served), num(p.errors), num(p.restarts), actions);
    if (p.errors > 0) tr.classList.add("error");
    return tr;
  }));
}

function calls(data) {
  fill("calls", data.calls.map(c => {
    const tr = el("tr", {}, el("td", {}, c.caller), el("td", {}, c.callee),
      el("td", {}, c.service), num(c.method), num(c.calls), num(c.per_s), num(c.errors),
      num(c.p50_le_us < 0 ? "-" : c.p50_le_us + " µs"));
    if (c.errors > 0) tr.classList.add("error");
    return tr;
  }));
  graph(data.calls);
}

// Programs on a circle, one arrow per caller and callee with its rate and errors.
function graph(rows) {
  const edges = new Map();
  for (const c of rows) {
    const key = c.caller + "\u0000" + c.callee;
    const e = edges.get(key) || { from: c.caller, to: c.callee, calls: 0, errors: 0, per_s: 0 };
    e.calls += c.calls;
    e.errors += c.errors;
    e.per_s += c.per_s;
    edges.set(key, e);
  }
  const names = [...new Set([...edges.values()].flatMap(e => [e.from, e.to]))].sort();
  const g = document.getElementById("graph");
  const cx = 320, cy = 180, r = names.length > 1 ? 130 : 0;
  const at = new Map(names.map((n, i) => {
    const a = (2 * Math.PI * i) / names.length - Math.PI / 2;
    return [n, { x: cx + r * Math.cos(a), y: cy + r * Math.sin(a) }];
  }));
  const parts = [];
  for (const e of edges.values()) {
    const a = at.get(e.from), b = at.get(e.to);
    const label = e.per_s + "/s" + (e.errors ? ", " + e.errors + " errors" : "");
    parts.push(svg("g", { class: "edge" + (e.errors ? " failing" : ""), "data-from": e.from,
        "data-to": e.to },
      svg("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, "marker-end": "url(#arrow)" }),
      svg("text", { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 6 }, label)));
  }
  for (const n of names) {
    const p = at.get(n);
    const w = Math.max(60, n.length * 7 + 16);
    parts.push(svg("g", { class: "node", "data-name": n },
      svg("rect", { x: p.x - w / 2, y: p.y - 13, width: w, height: 26, rx: 5 }),
      svg("text", { x: p.x, y: p.y }, n)));
  }
  const defs = svg("defs", {}, svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10,
      refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
    svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#7a8594" })));
  g.replaceChildren(defs, ...parts);
}

function recent(data) {
  fill("recent", data.recent.slice(0, 50).map(c => {
    const trace = (c.traceparent || c.parent || "").split("-")[1] || "-";
    const tr = el("tr", {}, el("td", {}, new Date(c.ended_ms).toLocaleTimeString()),
      el("td", {}, trace.slice(0, 8)), el("td", {}, c.caller), el("td", {}, c.service),
      num(c.method), num(c.us + " µs"), num(c.code));
    if (c.code !== 0) tr.classList.add("error");
    return tr;
  }));
}

async function logs() {
  const text = await (await api("/api/logs?after=" + logAfter)).text();
  const pre = document.getElementById("logs");
  for (const line of text.split("\n").filter(l => l)) {
    const l = JSON.parse(line);
    logAfter = l.seq;
    pre.append(el("div", l.stderr ? { class: "err" } : {}, l.process + ": " + l.text));
  }
  while (pre.childElementCount > 500) pre.firstElementChild.remove();
}

async function refresh() {
  try {
    const [app, ps, cs, rs] = await Promise.all(
      ["/api/app", "/api/processes", "/api/calls", "/api/recent"].map(p => api(p)));
    document.getElementById("app").textContent = (await app.json()).app;
    processes(await ps.json());
    calls(await cs.json());
    recent(await rs.json());
    await logs();
    document.getElementById("status").textContent =
      "updated " + new Date().toLocaleTimeString();
    document.body.dataset.loaded = "true";
  } catch (e) {
    document.getElementById("status").textContent = "not reachable: " + e.message;
  }
}

function start() {
  document.getElementById("login").hidden = true;
  document.getElementById("board").hidden = false;
  refresh();
  setInterval(refresh, REFRESH_MS);
}

document.getElementById("login").addEventListener("submit", ev => {
  ev.preventDefault();
  token = document.getElementById("token").value.trim();
  location.hash = "token=" + encodeURIComponent(token);
  start();
});

if (token) start(); else showLogin("a token is needed");
