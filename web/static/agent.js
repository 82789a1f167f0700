// The seat agent's workstation: state, offered-call pop-up, call controls, case form.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const STATE_NAMES = { ready: "空闲", paused: "示忙", offered: "振铃", on_call: "通话中",
                        wrap_up: "话后处理", logged_out: "未签入" };
  let current = { state: "logged_out" }, skew = 0, currentCall = null;

  function render(st) {
    current = st; skew = st.server_time ? st.server_time - Date.now() / 1000 : 0;
    const state = st.state || "logged_out";
    $("state").textContent = STATE_NAMES[state] || state;
    $("state").className = "state state-" + state;
    $("reason").textContent = st.reason_name ? "（" + st.reason_name + "）" : "";
    $("btn-ready").disabled = !["paused", "wrap_up"].includes(state);
    $("btn-pause").disabled = !["ready", "wrap_up"].includes(state);
    $("btn-signout").disabled = state === "logged_out" || state === "on_call";
    $("signin-card").classList.toggle("hidden", state !== "logged_out");
    const offer = st.offer;
    $("popup").classList.toggle("hidden", !(offer && state === "offered"));
    if (offer) showOffer(offer);
    const onCall = state === "on_call" && offer;
    $("call-card").classList.toggle("hidden", !onCall);
    if (offer) currentCall = offer;
    if (onCall) $("call-number").textContent = offer.caller_masked;
    tick();
  }

  function showOffer(o) {
    $("pop-number").textContent = o.caller_masked;
    $("pop-location").textContent = o.location || "未知归属地";
    $("pop-line").textContent = o.line_name;
    $("pop-menu").textContent = (o.menu_path || "—").split(">").join(" › ");
    $("pop-wait").dataset.since = o.enqueued_at || "";
    const line = (...parts) => parts.map((p) => p ?? "").join(" ");
    const items = (list, text) => list.length ? list.map((c) => Hotline.el("li", {}, text(c))) : Hotline.el("li", {}, "无");
    Hotline.fill($("pop-calls"), items(o.history.calls || [], (c) =>
      line(c.arrived_at.slice(0, 16).replace("T", " "), c.line_name, c.outcome_name)));
    Hotline.fill($("pop-cases"), items(o.history.cases || [], (c) => line(c.number, c.category_name, c.status_name)));
    if (o.suggested_site) $("f-site").value = o.suggested_site;
    if (o.category) { $("f-category").value = o.category; suggest(); }
  }

  function tick() {
    const now = Date.now() / 1000 + skew;
    $("in-state").textContent = Hotline.duration(current.since ? now - current.since : 0);
    const wrap = current.state === "wrap_up" && current.wrap_up_until;
    $("wrapup-box").classList.toggle("hidden", !wrap);
    if (wrap) $("wrapup").textContent = Hotline.duration(current.wrap_up_until - now);
    const since = Number($("pop-wait").dataset.since);
    if (since) $("pop-wait").textContent = Hotline.duration(now - since);
  }
  setInterval(tick, 250);

  async function act(url, body, msgEl) {
    try { const st = await Hotline.api("POST", url, body); if (st && st.state) render(st); return st; }
    catch (e) { Hotline.say($(msgEl || "status-msg"), e.message, "error"); throw e; }
  }

  $("signin").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    await act("/api/agent/login", { extension: $("extension").value });
    Hotline.say($("status-msg"), "已签入", "ok");
  });
  const ready = () => act("/api/agent/ready", {});
  const pause = () => act("/api/agent/pause", { reason: $("pause-reason").value });
  const signout = () => act("/api/agent/logout", {});
  // With the browser phone, answering the ringing phone is the accept (one event: Asterisk
  // accepts the offer when the phone picks up); a desk phone's agent accepts here instead.
  const phone = typeof HotlinePhone === "undefined" ? null : HotlinePhone;
  const accept = async () => {
    if (phone && (phone.answer() || phone.registered())) return; // the phone's answer accepts
    if (current.offer) await act("/api/agent/accept", { call_id: current.offer.call_id });
  };
  const hangup = async () => {
    if (phone && phone.hangup()) return;
    if (currentCall) await act("/api/agent/hangup", { call_id: currentCall.call_id }, "call-msg");
  };
  async function transfer(kind) {
    if (!currentCall) return;
    // A three-way call moves the citizen into a conference room, then rings this phone to
    // join it: that call is answered at once.
    if (kind === "three_way" && phone && phone.holdsSeat()) phone.expectCall();
    const r = await act("/api/agent/transfer", { call_id: currentCall.call_id, kind,
                                                 target: $("transfer-target").value || null }, "call-msg");
    Hotline.say($("call-msg"), r.message, "ok");
  }
  $("btn-ready").onclick = ready; $("btn-pause").onclick = pause; $("btn-signout").onclick = signout;
  $("btn-accept").onclick = accept; $("btn-hangup").onclick = hangup;
  $("btn-expert").onclick = () => transfer("expert");
  $("btn-threeway").onclick = () => transfer("three_way");
  $("btn-110").onclick = () => transfer("police");

  const KEYS = { F2: ready, F3: pause, F4: accept, F6: hangup, F8: () => transfer("police"), F9: signout };
  document.addEventListener("keydown", (ev) => {
    if (KEYS[ev.key]) { ev.preventDefault(); KEYS[ev.key]().catch(() => {}); }
    if (ev.key === "Enter" && ev.ctrlKey) { ev.preventDefault(); $("btn-dispatch").click(); }
  });

  async function suggest() {
    const q = new URLSearchParams({ category: $("f-category").value, site: $("f-site").value });
    try {
      const s = await Hotline.api("GET", "/api/dispatch/suggestion?" + q);
      $("f-department").value = s.department_id || "";
    } catch (e) { /* keep the agent's choice */ }
  }
  $("f-category").addEventListener("change", suggest);
  $("f-site").addEventListener("change", suggest);
  suggest();

  $("case-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const then = (ev.submitter && ev.submitter.dataset.then) || "dispatch";
    const f = (id) => $(id).value;
    const body = { request_type: f("f-request-type"), category: f("f-category"), site_id: f("f-site"),
                   district: f("f-district"), address: f("f-address"), urgency: f("f-urgency"),
                   title: f("f-title"), content: f("f-content"), then,
                   department_id: f("f-department") || null, note: f("f-note"),
                   call_id: currentCall ? currentCall.call_id : null,
                   kb_article_id: then === "resolve" && f("f-kb") ? Number(f("f-kb")) : null };
    try {
      const c = await Hotline.api("POST", "/api/cases", body);
      Hotline.say($("case-msg"), `工单 ${c.number} 已${c.status_name}`, "ok");
      $("f-content").value = ""; $("f-title").value = ""; $("f-note").value = "";
      $("f-kb").value = ""; $("kb-cited").textContent = ""; $("kb-results").replaceChildren();
    } catch (e) { Hotline.say($("case-msg"), e.message, "error"); }
  });

  // Knowledge base: search, then pick an article to cite when resolving on the call.
  let kbHits = [];
  async function kbSearch() {
    const q = $("kb-q").value.trim(); if (!q) return;
    try { kbHits = (await Hotline.api("GET", "/api/kb?" + new URLSearchParams({ q }))).items; }
    catch (e) { Hotline.say($("case-msg"), e.message, "error"); return; }
    const el = Hotline.el;
    Hotline.fill($("kb-results"), kbHits.length ? kbHits.map((a) => el("li", {},
      el("button", { type: "button", class: "secondary", "data-kb": a.id }, "引用"), " ",
      el("strong", {}, a.title), " ", a.snippet)) : el("li", {}, "没有找到相关文章"));
  }
  $("btn-kb").onclick = kbSearch;
  $("kb-q").addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); kbSearch(); } });
  $("kb-results").addEventListener("click", (ev) => {
    const a = kbHits.find((x) => x.id === Number(ev.target.dataset.kb)); if (!a) return;
    $("f-kb").value = a.id; $("kb-cited").textContent = `已引用：《${a.title}》`;
    if (!$("f-note").value) $("f-note").value = a.body.slice(0, 2000);
  });

  // 话务系统未连接: every telephony button is disabled until call control is back.
  async function telephony() {
    let t = { connected: false, label: "话务系统未连接" };
    try { t = await Hotline.api("GET", "/api/telephony"); } catch (e) { /* shown as not connected */ }
    $("telephony-state").textContent = t.label;
    $("telephony-state").dataset.connected = t.connected ? "yes" : "no";
    $("telephony-state").className = "state " + (t.connected ? "phone-registered" : "phone-failed");
    document.querySelectorAll("[data-telephony]").forEach((b) => { b.disabled = !t.connected; });
  }
  telephony();
  setInterval(telephony, 10_000);
  // The live stream says whether this page holds the browser phone: when such a page goes
  // away, the server pauses the agent (话机断开) and gives a ringing call to the next agent.
  const live = () => Hotline.stream("/api/agent/events" + (phone && phone.holdsSeat() ? "?phone=true" : ""),
                                    { state: render });
  Hotline.api("GET", "/api/agent/state").then(render).catch(() => {});
  if (phone) {
    phone.bind();
    phone.on("ended", () => Hotline.api("GET", "/api/agent/state").then(render).catch(() => {}));
    phone.start().catch(() => {}).finally(live);
  } else live();
})();
