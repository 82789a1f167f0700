// The browser phone of the agent workstation: one SIP registration (JsSIP over WebSocket)
// for the agent's own seat, with ring, answer, reject, hang-up, mute, hold, keypad, timer
// and microphone choice. Answering here is what accepts a queue offer: Asterisk runs the
// `answered` script on the agent's leg when this phone picks up.
const HotlinePhone = (() => {
  const $ = (id) => document.getElementById(id);
  const EXPECT_MS = 15000; // a three-way call's room rings the agent's phone within this
  const RING_HZ = 450, RING_ON_MS = 1000, RING_OFF_MS = 4000; // China's ring cadence
  const LABELS = {
    off: "话机未启动", connecting: "话机连接中…", registered: "话机已注册", unregistered: "话机未注册",
    failed: "话机注册失败", taken: "该分机已在其他页面或设备注册，本页未注册", nolib: "浏览器话机未安装",
  };
  const state = { ua: null, session: null, ring: null, timer: null, started: 0, muted: false, held: false, expectUntil: 0 };
  const listeners = { incoming: [], ended: [], answered: [] };
  const emit = (name, arg) => listeners[name].forEach((fn) => fn(arg));
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("hotline-phone") : null;

  function show(kind, detail) {
    const el = $("phone-state");
    if (!el) return;
    el.textContent = LABELS[kind] + (detail ? `（${detail}）` : "");
    el.dataset.state = kind;
    el.className = "state phone-" + kind;
  }

  function startRing() {
    stopRing();
    let ctx;
    try { ctx = new AudioContext(); } catch (e) { return; }
    const beep = () => {
      const osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.frequency.value = RING_HZ; gain.gain.value = 0.2;
      osc.connect(gain).connect(ctx.destination);
      osc.start(); osc.stop(ctx.currentTime + RING_ON_MS / 1000);
    };
    beep();
    state.ring = { ctx, every: setInterval(beep, RING_ON_MS + RING_OFF_MS) };
    document.body.dataset.ringing = "1";
  }

  function stopRing() {
    if (state.ring) { clearInterval(state.ring.every); state.ring.ctx.close(); state.ring = null; }
    delete document.body.dataset.ringing;
  }

  function notify(from) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    try { new Notification("12345 来电", { body: from, tag: "hotline-call", requireInteraction: true }); } catch (e) { /* not shown */ }
  }

  function micConstraints() {
    const pick = $("phone-mic");
    return pick && pick.value ? { audio: { deviceId: { exact: pick.value } }, video: false } : { audio: true, video: false };
  }

  function attachAudio(session) {
    session.connection.addEventListener("track", (ev) => {
      const audio = $("phone-audio");
      if (audio && ev.streams[0]) { audio.srcObject = ev.streams[0]; audio.play().catch(() => {}); }
    });
  }

  function tick() {
    const el = $("phone-timer");
    if (el) el.textContent = state.started ? Hotline.duration((Date.now() - state.started) / 1000) : "00:00";
  }

  function clearCall(cause) {
    stopRing();
    clearInterval(state.timer);
    state.session = null; state.started = 0; state.muted = false; state.held = false;
    tick();
    document.body.dataset.phoneCall = "";
    emit("ended", cause || "");
  }

  function onSession({ session, originator }) {
    if (originator !== "remote") return;
    if (state.session) { session.terminate({ status_code: 486 }); return; } // one call at a time
    state.session = session;
    document.body.dataset.phoneCall = "ringing";
    session.on("peerconnection", () => attachAudio(session));
    session.on("accepted", () => {
      stopRing();
      state.started = Date.now();
      state.timer = setInterval(tick, 1000);
      document.body.dataset.phoneCall = "talking";
      emit("answered");
    });
    session.on("ended", (ev) => clearCall(ev.cause));
    session.on("failed", (ev) => clearCall(ev.cause));
    startRing();
    const from = session.remote_identity.display_name || session.remote_identity.uri.user || "";
    notify(from);
    emit("incoming", from);
    const auto = $("phone-auto");
    const expected = Date.now() < state.expectUntil; // the agent's own three-way call rings back
    state.expectUntil = 0;
    if (expected || (auto && auto.checked)) answer();
  }

  function expectCall() { // the next call within EXPECT_MS is answered without a key press
    state.expectUntil = Date.now() + EXPECT_MS;
  }

  function answer() {
    const s = state.session;
    if (!s || s.isEstablished()) return false;
    s.answer({ mediaConstraints: micConstraints(), pcConfig: { iceServers: [] } });
    if (s.connection) attachAudio(s);
    return true;
  }

  function reject() { // 603: the dialplan's Dial ends, the caller goes back to the queue head
    const s = state.session;
    if (!s || s.isEstablished()) return false;
    s.terminate({ status_code: 603, reason_phrase: "Decline" });
    return true;
  }

  function hangup() {
    if (!state.session) return false;
    state.session.terminate();
    return true;
  }

  function toggleMute() {
    const s = state.session;
    if (!s || !s.isEstablished()) return;
    state.muted = !state.muted;
    state.muted ? s.mute({ audio: true }) : s.unmute({ audio: true });
    $("phone-mute").textContent = state.muted ? "取消静音" : "静音";
  }

  function toggleHold() {
    const s = state.session;
    if (!s || !s.isEstablished()) return;
    state.held = !state.held;
    state.held ? s.hold() : s.unhold();
    $("phone-hold").textContent = state.held ? "恢复通话" : "保持";
  }

  function dtmf(key) { // RFC 4733 events in the RTP stream, as the dialplan expects
    const s = state.session;
    if (s && s.isEstablished()) s.sendDTMF(key, { transportType: "RFC2833", duration: 120 });
  }

  async function listMics() {
    const pick = $("phone-mic");
    if (!pick || !navigator.mediaDevices) return;
    const devices = await navigator.mediaDevices.enumerateDevices();
    const mics = devices.filter((d) => d.kind === "audioinput");
    Hotline.fill(pick, Hotline.build("option", { value: "" }, ["默认麦克风"]),
      ...mics.map((d, i) => Hotline.build("option", { value: d.deviceId }, [d.label || `麦克风 ${i + 1}`])));
  }

  function otherTabHasPhone() { // a second tab is told, it does not take the phone away
    if (!channel) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (answer) => { clearTimeout(wait); channel.removeEventListener("message", heard); resolve(answer); };
      const heard = (ev) => { if (ev.data && ev.data.taken) done(true); };
      const wait = setTimeout(() => done(false), 300);
      channel.addEventListener("message", heard);
      channel.postMessage({ hello: true });
    });
  }

  async function start() {
    if (state.ua) return;
    if (typeof JsSIP === "undefined") { show("nolib"); return; }
    if (await otherTabHasPhone()) { show("taken"); return; }
    const resp = await fetch("/api/agent/seat", { credentials: "same-origin" });
    if (!resp.ok) { show("failed", `HTTP ${resp.status}`); return; }
    const seat = await resp.json();
    show("connecting");
    const ua = new JsSIP.UA({
      sockets: [new JsSIP.WebSocketInterface(seat.ws_url)], uri: seat.uri,
      password: seat.password, realm: seat.realm, register: true, register_expires: 120,
      session_timers: false, user_agent: "hotline12345-workstation",
    });
    ua.on("registered", () => show("registered", seat.extension));
    ua.on("unregistered", () => show("unregistered"));
    ua.on("registrationFailed", (ev) => {
      const code = ev.response ? ev.response.status_code : 0;
      show(code === 403 ? "taken" : "failed", code ? String(code) : ev.cause);
    });
    ua.on("disconnected", () => show("failed", "WebSocket"));
    ua.on("newRTCSession", onSession);
    state.ua = ua;
    ua.start();
    window.addEventListener("pagehide", stop); // closing or leaving: reject a ringing call, unregister
    if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
    listMics().catch(() => {});
  }

  function stop() {
    if (!state.ua) return;
    if (state.session && !state.session.isEstablished()) reject(); // the next agent gets it now
    else if (state.session) state.session.terminate();
    state.ua.stop();
    state.ua = null;
    show("off");
  }

  function bind() {
    const on = (id, fn) => { const el = $(id); if (el) el.onclick = fn; };
    on("phone-mute", toggleMute);
    on("phone-hold", toggleHold);
    on("phone-reject", reject);
    document.querySelectorAll("[data-dtmf]").forEach((b) => { b.onclick = () => dtmf(b.dataset.dtmf); });
    if (channel) channel.addEventListener("message", (ev) => {
      if (ev.data && ev.data.hello && state.ua) channel.postMessage({ taken: true });
    });
    show("off");
  }

  const stats = () => Hotline.audioStats(state.session); // the call's audio, for the tests

  return {
    start, stop, answer, reject, hangup, dtmf, bind, stats, expectCall,
    on: (name, fn) => listeners[name].push(fn),
    ringing: () => !!state.session && !state.session.isEstablished(),
    inCall: () => !!state.session,
    registered: () => !!state.ua && state.ua.isRegistered(),
    holdsSeat: () => !!state.ua, // this page runs the seat's phone (not another tab's)
  };
})();
