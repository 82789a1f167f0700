// Supervisors on work orders: review, extensions, callback survey and its result, close,
// reopen, re-dispatch; supervision orders and reminders; running the SLA sweep now.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const SECTIONS = { "sec-review": ["review"], "sec-extension": ["approve_extension"], "sec-survey": ["start_survey"],
                     "sec-rating": ["rate_satisfied"], "sec-close": ["close"], "sec-reopen": ["reopen"],
                     "sec-dispatch": ["dispatch"] };
  let current = null;

  async function load() {
    const el = Hotline.el, l = (text) => el("td", { class: "l" }, text);
    try {
      const list = await Hotline.api("GET", "/api/workorders?scope=" + $("scope").value);
      Hotline.rows($("orders").tBodies[0], list.items.map(WO.row), 7, "暂无工单");
    } catch (e) { Hotline.say($("list-msg"), e.message, "error"); }
    const s = await Hotline.api("GET", "/api/supervision");
    Hotline.rows($("sup-orders").tBodies[0], s.supervision_orders.map((o) => el("tr", { class: "alert" },
      el("td", {}, WO.link(o.number)), l(o.kind_name), l(o.department_name),
      l(WO.when(o.deadline_at)), el("td", {}, o.overdue_hours), l(o.status_name))), 6, "无督办单");
    Hotline.rows($("reminders").tBodies[0], s.reminders.map((o) => el("tr", {},
      el("td", {}, WO.link(o.number)), l(o.kind_name), l(o.department_name),
      l(WO.when(o.deadline_at)), l(WO.when(o.created_at)))), 5, "无催办");
  }

  async function open(number) {
    try {
      current = await Hotline.api("GET", "/api/workorders/" + encodeURIComponent(number));
    } catch (e) { Hotline.say($("list-msg"), e.message, "error"); return; }
    $("order-detail").classList.remove("hidden");
    Hotline.fill($("detail-head"), WO.header(current));
    for (const [id, acts] of Object.entries(SECTIONS)) $(id).classList.toggle("hidden", !acts.some((a) => current.actions.includes(a)));
    Hotline.fill($("detail-timeline"), WO.timeline(current.timeline));
  }

  async function act(path, body, done) {
    try {
      await Hotline.api("POST", `/api/workorders/${encodeURIComponent(current.number)}/${path}`, body);
      await open(current.number);
      Hotline.say($("detail-msg"), done, "ok");
      load();
    } catch (e) {
      Hotline.say($("detail-msg"), e.message, "error");
      if (e.status === 409) open(current.number);
    }
  }

  const v = (id) => $(id).value;
  $("btn-review-ok").onclick = () => act("review", { approved: true, note: v("review-note") }, "已审核通过");
  $("btn-review-reject").onclick = () => act("review", { approved: false, note: v("review-note") }, "已退回重办");
  $("btn-ext-approve").onclick = () => act("extension/approve", { days: v("approve-days") ? Number(v("approve-days")) : null }, "已同意延期");
  $("btn-ext-refuse").onclick = () => act("extension/refuse", { reason: v("refuse-reason") }, "已不同意延期");
  $("btn-survey").onclick = () => act("survey", { channel: "phone" }, "已开始回访");
  $("btn-rate").onclick = () => act("rating", { rating: v("rating"), resolved: v("resolved") === "true" }, "已记录回访结果");
  $("btn-close").onclick = () => act("close", { reason: v("close-reason") }, "已办结");
  $("btn-reopen").onclick = () => act("reopen", { reason: v("reopen-reason") }, "已重新办理");
  $("btn-redispatch").onclick = () => act("redispatch", { department_id: v("redispatch-dept"), note: v("redispatch-note") }, "已重新派单");
  $("btn-sweep").onclick = async () => {
    try {
      const r = await Hotline.api("POST", "/api/supervision/sweep", {});
      Hotline.say($("sweep-msg"), `检查完成：新催办 ${r.reminders} 条，新督办单 ${r.supervision_orders} 张，已解除 ${r.resolved} 张`, "ok");
      load();
    } catch (e) { Hotline.say($("sweep-msg"), e.message, "error"); }
  };
  document.addEventListener("click", (ev) => {
    const n = ev.target.dataset && ev.target.dataset.n;
    if (n && ev.target.tagName === "A") { ev.preventDefault(); open(n); }
  });
  $("btn-open").onclick = () => v("open-number") && open(v("open-number").trim());
  $("scope").onchange = load;
  load();
  if (location.hash.length > 1) open(decodeURIComponent(location.hash.slice(1)));
})();
