// A department handler's orders: deadlines and overdue flags; sign for, start, reply,
// request an extension or return an order. Every button calls /api/workorders/... .
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const URL_OF = { sign_for: "sign", start: "start", reply: "reply", request_extension: "extension", return: "return" };
  const SECTION = { sign_for: "btn-sign", start: "btn-start", reply: "form-reply",
                    request_extension: "form-extension", return: "form-return" };
  let current = null;

  async function load() {
    const el = Hotline.el;
    try {
      const list = await Hotline.api("GET", "/api/workorders?scope=" + $("scope").value);
      Hotline.rows($("cases").tBodies[0], list.items.map(WO.row), 7, "暂无工单");
    } catch (e) { Hotline.say($("list-msg"), e.message, "error"); }
    try {
      const s = await Hotline.api("GET", "/api/supervision");
      const rows = [...s.supervision_orders.map((o) => ({ ...o, what: "督办：" + o.kind_name })),
                    ...s.reminders.map((o) => ({ ...o, what: "催办：" + o.kind_name }))];
      Hotline.rows($("supervision").tBodies[0], rows.map((o) => el("tr", {},
        el("td", {}, WO.link(o.number)), el("td", { class: "l" }, o.what),
        el("td", { class: "l" }, WO.when(o.deadline_at)), el("td", { class: "l" }, o.status_name))), 4, "无");
    } catch (e) { /* the list above still works */ }
  }

  async function open(number) {
    current = await Hotline.api("GET", "/api/workorders/" + encodeURIComponent(number));
    show(current);
  }

  function show(o) {
    $("case-detail").classList.remove("hidden");
    Hotline.fill($("detail-head"), WO.header(o));
    for (const [act, id] of Object.entries(SECTION)) $(id).classList.toggle("hidden", !o.actions.includes(act));
    Hotline.fill($("detail-timeline"), o.timeline ? WO.timeline(o.timeline) : []);
  }

  async function act(action, body) {
    try {
      await Hotline.api("POST", `/api/workorders/${encodeURIComponent(current.number)}/${URL_OF[action]}`, body || {});
      if (action === "reply") $("reply-text").value = "";
      await open(current.number);
      Hotline.say($("detail-msg"), "已" + ({ sign_for: "签收", start: "开始办理", reply: "回复", request_extension: "申请延期", return: "退单" })[action], "ok");
      load();
    } catch (e) {
      Hotline.say($("detail-msg"), e.message, "error");
      if (e.status === 409) open(current.number);
    }
  }

  document.addEventListener("click", (ev) => {
    const n = ev.target.dataset && ev.target.dataset.n;
    if (n && ev.target.tagName === "A") { ev.preventDefault(); open(n).catch((e) => Hotline.say($("list-msg"), e.message, "error")); }
  });
  $("btn-sign").onclick = () => act("sign_for");
  $("btn-start").onclick = () => act("start");
  $("form-reply").onsubmit = (ev) => { ev.preventDefault(); act("reply", { text: $("reply-text").value }); };
  $("form-extension").onsubmit = (ev) => { ev.preventDefault(); act("request_extension", { days: Number($("ext-days").value), reason: $("ext-reason").value }); };
  $("form-return").onsubmit = (ev) => { ev.preventDefault(); act("return", { reason: $("return-reason").value }); };
  $("scope").onchange = load;
  $("btn-refresh").onclick = load;
  load();
})();
