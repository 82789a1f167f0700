// The supervisor's wallboard: live figures over SSE, queue-length chart, agent controls.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const STATE_NAMES = { ready: "空闲", paused: "示忙", offered: "振铃", on_call: "通话中", wrap_up: "话后处理" };
  let snap = null, skew = 0, samples = [];

  function render(s) {
    snap = s; skew = s.at - Date.now() / 1000;
    const t = s.totals;
    $("t-waiting").textContent = t.waiting;
    for (const k of ["ready", "on_call", "wrap_up", "paused"]) $("t-" + k).textContent = t.agents[k];
    $("t-counts").textContent = `${t.offered}/${t.answered}/${t.abandoned}`;
    $("t-sl").textContent = Hotline.pct(t.answer_rate_15s);
    $("t-conn").textContent = Hotline.pct(t.connection_rate);
    $("t-longest").textContent = Hotline.duration(t.longest_wait);
    $("alerts").innerHTML = s.alerts.map((a) => `<p class="alert-box" role="alert">${Hotline.esc(a.message)}</p>`).join("");
    const only = $("only-active").checked;
    $("rows").tBodies[0].innerHTML = s.rows.filter((r) => !only || r.active).map((r) =>
      `<tr><td>${Hotline.esc(r.line_name)}</td><td class="l">${Hotline.esc(r.site_name)}</td>` +
      `<td>${r.waiting}</td><td>${Hotline.duration(r.longest_wait)}</td><td>${r.agents.ready}</td><td>${r.agents.on_call}</td><td>${r.agents.wrap_up}</td><td>${r.agents.paused}</td>` +
      `<td>${r.offered}</td><td>${r.answered}</td><td>${r.abandoned}</td><td>${Hotline.pct(r.answer_rate_15s)}</td><td>${Hotline.pct(r.connection_rate)}</td>` +
      `<td>${Hotline.duration(r.estimated_wait)}</td></tr>`).join("");
    $("staffing").tBodies[0].innerHTML = s.staffing.map((r) =>
      `<tr class="${r.alert ? "alert" : ""}"><td>${Hotline.esc(r.line_name)}</td><td>${r.arrivals_per_hour}</td><td>${r.handle_seconds}</td>` +
      `<td>${r.agents_needed}</td><td>${r.agents_available}</td></tr>`).join("");
    renderAgents();
    if (s.sample) { addLive(s.sample); drawChart(); }
  }

  function renderAgents() {
    if (!snap) return;
    const now = Date.now() / 1000 + skew;
    $("agents").tBodies[0].innerHTML = snap.agents.map((a) =>
      `<tr><td>${Hotline.esc(a.name || a.agent_id)}</td><td class="l">${Hotline.esc(a.site_name)}</td>` +
      `<td class="l">${Hotline.esc(STATE_NAMES[a.state] || a.state)}${a.reason_name ? "（" + Hotline.esc(a.reason_name) + "）" : ""}</td>` +
      `<td>${Hotline.duration(now - a.since)}</td><td class="l">` +
      `<button class="secondary" data-act="pause" data-id="${Hotline.esc(a.agent_id)}">强制示忙</button> ` +
      `<button class="secondary" data-act="logout" data-id="${Hotline.esc(a.agent_id)}">强制签出</button> ` +
      `<button class="secondary" data-act="listen" data-id="${Hotline.esc(a.agent_id)}" ${a.state === "on_call" ? "" : "disabled"}>监听</button> ` +
      `<button class="secondary" data-act="whisper" data-id="${Hotline.esc(a.agent_id)}" ${a.state === "on_call" ? "" : "disabled"}>耳语</button></td></tr>`).join("");
  }
  setInterval(renderAgents, 1000);

  $("agents").addEventListener("click", async (ev) => {
    const b = ev.target.closest("button"); if (!b) return;
    const id = encodeURIComponent(b.dataset.id), act = b.dataset.act;
    try {
      if (act === "pause") await Hotline.api("POST", `/api/agents/${id}/pause`, { reason: $("force-reason").value });
      if (act === "logout") await Hotline.api("POST", `/api/agents/${id}/logout`, {});
      if (act === "listen" || act === "whisper")
        await Hotline.api("POST", `/api/agents/${id}/spy`, { mode: act, extension: $("spy-ext").value });
      Hotline.say($("agent-msg"), "已执行", "ok");
    } catch (e) { Hotline.say($("agent-msg"), e.message, "error"); }
  });
  $("only-active").addEventListener("change", () => snap && render(Object.assign({}, snap, { sample: null })));

  let live = null;
  function addLive(p) {
    const last = samples[samples.length - 1];
    if (!last || p.t - last.t >= COMMIT_EVERY) samples.push(p); else live = p;
    trim();
  }
  function trim() {
    const horizon = Date.now() / 1000 + skew - HISTORY_SECONDS;
    samples = samples.filter((p) => p.t >= horizon);
  }
  function drawChart() {
    const svg = $("chart"), W = 600, H = 180;
    const all = live && live.t > (samples[samples.length - 1]?.t || 0) ? samples.concat([live]) : samples;
    if (!all.length) { svg.innerHTML = ""; return; }
    const t1 = all[all.length - 1].t, t0 = t1 - HISTORY_SECONDS;
    const max = Math.max(5, ...all.map((p) => p.waiting));
    const pts = all.map((p) => `${((p.t - t0) / HISTORY_SECONDS * W).toFixed(1)},${(H - 14 - p.waiting / max * (H - 24)).toFixed(1)}`);
    svg.innerHTML = `<polyline fill="none" stroke="#0b62c4" stroke-width="2" points="${pts.join(" ")}"/>` +
      `<text x="4" y="12" font-size="11">${max}</text><text x="4" y="${H - 2}" font-size="11">0</text>` +
      `<text x="${W - 4}" y="${H - 2}" font-size="11" text-anchor="end">现在</text>`;
  }
  const HISTORY_SECONDS = WALLBOARD_CONFIG.history_seconds, COMMIT_EVERY = WALLBOARD_CONFIG.sample_seconds;
  Hotline.api("GET", "/api/wallboard/history").then((h) => { samples = h.samples.concat(samples); trim(); drawChart(); });
  Hotline.api("GET", "/api/wallboard/snapshot").then(render);
  Hotline.stream("/api/wallboard/events", { snapshot: render });
})();
