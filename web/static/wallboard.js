// The supervisor's wallboard: live figures over SSE, queue-length chart, agent controls.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id), el = Hotline.el;
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
    Hotline.fill($("alerts"), s.alerts.map((a) => el("p", { class: "alert-box", role: "alert" }, a.message)));
    const only = $("only-active").checked;
    Hotline.fill($("rows").tBodies[0], s.rows.filter((r) => !only || r.active).map((r) => el("tr", {},
      el("td", {}, r.line_name), el("td", { class: "l" }, r.site_name),
      [r.waiting, Hotline.duration(r.longest_wait), r.agents.ready, r.agents.on_call, r.agents.wrap_up,
       r.agents.paused, r.offered, r.answered, r.abandoned, Hotline.pct(r.answer_rate_15s),
       Hotline.pct(r.connection_rate), Hotline.duration(r.estimated_wait)].map((v) => el("td", {}, v)))));
    Hotline.fill($("staffing").tBodies[0], s.staffing.map((r) => el("tr", { class: r.alert ? "alert" : "" },
      [r.line_name, r.arrivals_per_hour, r.handle_seconds, r.agents_needed, r.agents_available].map((v) => el("td", {}, v)))));
    renderAgents();
    if (s.sample) { addLive(s.sample); drawChart(); }
  }

  const ACTIONS = [["pause", "强制示忙", false], ["logout", "强制签出", false],
                   ["listen", "监听", true], ["whisper", "耳语", true]];  // [act, label, needs a call]
  function agentRow(a, now) {
    const buttons = ACTIONS.map(([act, label, onCall]) => [el("button", {
      class: "secondary", "data-act": act, "data-id": a.agent_id, disabled: onCall && a.state !== "on_call" }, label), " "]);
    return el("tr", {}, el("td", {}, a.name || a.agent_id), el("td", { class: "l" }, a.site_name),
      el("td", { class: "l" }, STATE_NAMES[a.state] || a.state, a.reason_name ? "（" + a.reason_name + "）" : ""),
      el("td", {}, Hotline.duration(now - a.since)), el("td", { class: "l" }, buttons));
  }
  function renderAgents() {
    if (!snap) return;
    const now = Date.now() / 1000 + skew;
    Hotline.fill($("agents").tBodies[0], snap.agents.map((a) => agentRow(a, now)));
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
    if (!all.length) { svg.replaceChildren(); return; }
    const t1 = all[all.length - 1].t, t0 = t1 - HISTORY_SECONDS;
    const max = Math.max(5, ...all.map((p) => p.waiting));
    const pts = all.map((p) => `${((p.t - t0) / HISTORY_SECONDS * W).toFixed(1)},${(H - 14 - p.waiting / max * (H - 24)).toFixed(1)}`);
    const label = (x, y, text, anchor) => Hotline.svg("text", { x, y, "font-size": 11, "text-anchor": anchor }, text);
    Hotline.fill(svg, Hotline.svg("polyline", { fill: "none", stroke: "#0b62c4", "stroke-width": 2, points: pts.join(" ") }),
      label(4, 12, max), label(4, H - 2, 0), label(W - 4, H - 2, "现在", "end"));
  }
  const CONFIG = Hotline.config();
  const HISTORY_SECONDS = CONFIG.history_seconds, COMMIT_EVERY = CONFIG.sample_seconds;
  Hotline.api("GET", "/api/wallboard/history").then((h) => { samples = h.samples.concat(samples); trim(); drawChart(); });
  Hotline.api("GET", "/api/wallboard/snapshot").then(render);
  Hotline.stream("/api/wallboard/events", { snapshot: render });
})();
