// The test phone (测试话机): a trainer's browser calls the hotline as a citizen would, over
// its own SIP identity (JsSIP over WebSocket, no registration: every INVITE is
// authenticated), hears the voice menu, presses keys as RFC 4733 events and hangs up.
"use strict";
const TestPhone = (() => {
  const $ = (id) => document.getElementById(id);
  const LABELS = {
    off: "话机未启动", connecting: "连接中…", ready: "话机就绪", calling: "呼叫中…",
    talking: "通话中", ended: "通话已结束", failed: "连接失败", nolib: "浏览器话机未安装",
  };
  const CAUSES = {
    "Authentication Error": "认证失败", Busy: "对方忙", Rejected: "被拒绝", "Not Found": "号码不存在",
    Unavailable: "暂不可用", "User Denied Media Access": "无法使用麦克风", "Connection Error": "网络连接失败",
    "Request Timeout": "请求超时", Canceled: "已取消", Terminated: "已挂机", "SIP Failure Code": "呼叫失败",
  };
  const state = { ua: null, seat: null, session: null, timer: null, started: 0, keys: "" };

  function show(kind, detail) {
    const el = $("tp-state");
    el.textContent = LABELS[kind] + (detail ? `（${detail}）` : "");
    el.dataset.state = kind;
    el.className = "state phone-" + (kind === "talking" || kind === "ready" ? "registered" : kind);
    document.body.dataset.testphone = kind;
  }

  const say = (text, kind) => Hotline.say($("tp-msg"), text, kind);
  const causeText = (cause) => CAUSES[cause] || cause || "";

  function tick() {
    $("tp-timer").textContent = state.started ? Hotline.duration((Date.now() - state.started) / 1000) : "00:00";
  }

  function setBusy(busy) {
    $("tp-call").disabled = busy;
    $("tp-hangup").disabled = !busy;
  }

  function attachAudio(connection) {
    connection.addEventListener("track", (ev) => {
      const audio = $("tp-audio");
      if (ev.streams[0]) { audio.srcObject = ev.streams[0]; audio.play().catch(() => {}); }
    });
  }

  function ended(kind, cause) {
    clearInterval(state.timer);
    state.session = null; state.started = 0;
    tick();
    setBusy(false);
    show(kind, causeText(cause));
  }

  function call(number) {
    if (!state.ua || state.session) return false;
    state.keys = ""; $("tp-keys").textContent = "";
    const session = state.ua.call(`sip:${number}@${state.seat.domain}`, {
      mediaConstraints: { audio: true, video: false }, pcConfig: { iceServers: [] },
      eventHandlers: {
        peerconnection: (ev) => attachAudio(ev.peerconnection),
        accepted: () => {
          state.started = Date.now();
          state.timer = setInterval(tick, 1000);
          show("talking", number);
        },
        ended: (ev) => ended("ended", ev.cause),
        failed: (ev) => ended("failed", ev.cause),
      },
    });
    state.session = session;
    setBusy(true);
    show("calling", number);
    say("");
    return true;
  }

  function hangup() {
    if (!state.session) return false;
    state.session.terminate();
    return true;
  }

  function press(key) { // RFC 4733 events in the RTP stream, as a citizen's phone sends them
    const s = state.session;
    if (!s || !s.isEstablished()) { say("请先接通后再按键", "error"); return false; }
    s.sendDTMF(key, { transportType: "RFC2833", duration: 160 });
    state.keys += key;
    $("tp-keys").textContent = state.keys;
    return true;
  }

  async function start() {
    if (typeof JsSIP === "undefined") { show("nolib"); return; }
    const resp = await fetch("/api/testphone/seat", { credentials: "same-origin" });
    if (!resp.ok) { show("failed", `HTTP ${resp.status}`); return; }
    const seat = await resp.json();
    state.seat = seat;
    show("connecting");
    const ua = new JsSIP.UA({
      sockets: [new JsSIP.WebSocketInterface(seat.ws_url)], uri: seat.uri,
      password: seat.password, realm: seat.realm, register: false,
      session_timers: false, user_agent: "hotline12345-testphone",
    });
    ua.on("connected", () => { if (!state.session) show("ready"); });
    ua.on("disconnected", () => { if (!state.session) show("failed", "WebSocket"); });
    state.ua = ua;
    ua.start();
    window.addEventListener("pagehide", stop);
  }

  function stop() {
    if (!state.ua) return;
    if (state.session) state.session.terminate();
    state.ua.stop();
    state.ua = null;
  }

  const stats = () => Hotline.audioStats(state.session); // the call's audio, for the tests

  function bind() {
    $("tp-dial").addEventListener("submit", (ev) => {
      ev.preventDefault();
      call($("tp-target").value);
    });
    $("tp-hangup").addEventListener("click", hangup);
    document.querySelectorAll("#tp-keypad [data-key]").forEach((b) => {
      b.addEventListener("click", () => press(b.dataset.key));
    });
    const preset = Hotline.config().default_number;
    if (preset) $("tp-target").value = preset;
    show("off");
  }

  return { start, stop, call, hangup, press, stats, bind,
           inCall: () => !!state.session, talking: () => !!state.session && state.session.isEstablished() };
})();

document.addEventListener("DOMContentLoaded", () => {
  TestPhone.bind();
  TestPhone.start().catch((e) => Hotline.say(document.getElementById("tp-msg"), String(e), "error"));
});
