// Shared helpers: JSON calls with the CSRF token, SSE with reconnect, small formatters.
"use strict";
const Hotline = (() => {
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
  const pad = (n) => String(n).padStart(2, "0");
  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    const h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
    return (h ? h + ":" : "") + pad(m) + ":" + pad(s);
  }
  function say(el, text, kind) { el.textContent = text; el.className = "msg " + (kind || ""); }
  function esc(s) { const d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  const pct = (v) => v == null ? "—" : (v * 100).toFixed(1) + "%";
  return { api, stream, duration, say, esc, pct };
})();
