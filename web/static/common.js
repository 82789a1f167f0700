// Shared helpers: JSON calls with the CSRF token, SSE with reconnect, DOM building, formatters.
// Pages never assign data to innerHTML: they build nodes with el()/svg(), whose strings become
// text nodes, so a name like "<img onerror=...>" is shown as typed (the CSP forbids inline code).
"use strict";
const Hotline = (() => {
  const SVG_NS = "http://www.w3.org/2000/svg";
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || "";
  async function api(method, url, body) {
    const opts = { method, headers: { "Accept": "application/json", "X-CSRF-Token": csrf() },
                   credentials: "same-origin" };
    if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    const resp = await fetch(url, opts);
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) {
      const err = new Error(data.message || ("HTTP " + resp.status));
      err.status = resp.status; err.code = data.error; throw err;
    }
    return data;
  }
  function stream(url, handlers) {
    const es = new EventSource(url);
    for (const [name, fn] of Object.entries(handlers)) {
      es.addEventListener(name, (e) => fn(JSON.parse(e.data)));
    }
    return es;
  }

  // Children: nodes, strings and numbers (as text), arrays of them; null/undefined/false skipped.
  const nodes = (children) => children.flat(Infinity)
    .filter((c) => c !== null && c !== undefined && c !== false)
    .map((c) => (c instanceof Node ? c : document.createTextNode(String(c))));
  function build(node, attrs, children) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (/^on|^style$/i.test(k)) throw new Error("no inline handlers or styles: " + k);
      if (v === null || v === undefined || v === false) continue;
      node.setAttribute(k, v === true ? "" : String(v));
    }
    node.append(...nodes(children));
    return node;
  }
  const el = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);
  const svg = (tag, attrs, ...children) => build(document.createElementNS(SVG_NS, tag), attrs, children);
  function fill(parent, ...children) { parent.replaceChildren(...nodes(children)); return parent; }
  // A table body's rows, or one full-width row saying there is nothing.
  function rows(tbody, items, colspan, emptyText) {
    return fill(tbody, items.length ? items : el("tr", {}, el("td", { colspan, class: "l" }, emptyText)));
  }
  // The page's settings, rendered by the server as JSON data (never as inline script).
  function config() {
    const holder = document.getElementById("page-config");
    return holder ? JSON.parse(holder.textContent) : {};
  }

  const pad = (n) => String(n).padStart(2, "0");
  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    const h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
    return (h ? h + ":" : "") + pad(m) + ":" + pad(s);
  }
  function say(target, text, kind) { target.textContent = text; target.className = "msg " + (kind || ""); }
  const pct = (v) => v == null ? "—" : (v * 100).toFixed(1) + "%";

  async function audioStats(session) { // what the browser measures of a SIP call's audio
    if (!session || !session.connection) return null;
    const out = { packetsReceived: 0, packetsSent: 0, audioLevel: 0 };
    (await session.connection.getStats()).forEach((r) => {
      if (r.kind !== "audio") return;
      if (r.type === "inbound-rtp") { out.packetsReceived = r.packetsReceived; out.audioLevel = r.audioLevel || 0; }
      if (r.type === "outbound-rtp") out.packetsSent = r.packetsSent;
    });
    return out;
  }
  return { api, stream, el, svg, fill, rows, config, duration, say, pct, audioStats };
})();
