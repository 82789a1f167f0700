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
    try {
      const list = await Hotline.api("GET", "/api/workorders?scope=" + $("scope").value);
      $("cases").tBodies[0].innerHTML = list.items.map(WO.row).join("") ||
        '<tr><td colspan="7" class="l">暂无工单</td></tr>';
    } catch (e) { Hotline.say($("list-msg"), e.message, "error"); }
    try {
      const s = await Hotline.api("GET", "/api/supervision");
      const rows = [...s.supervision_orders.map((o) => ({ ...o, what: "督办：" + o.kind_name })),
                    ...s.reminders.map((o) => ({ ...o, what: "催办：" + o.kind_name }))];
      $("supervision").tBodies[0].innerHTML = rows.map((o) =>
        `<tr><td><a href="#" data-n="${WO.esc(o.number)}">${WO.esc(o.number)}</a></td><td class="l">${WO.esc(o.what)}</td>` +
        `<td class="l">${WO.when(o.deadline_at)}</td><td class="l">${WO.esc(o.status_name)}</td></tr>`).join("") ||
        '<tr><td colspan="4" class="l">无</td></tr>';
    } catch (e) { /* the list above still works */ }
  }

  async function open(number) {
    current = await Hotline.api("GET", "/api/workorders/" + encodeURIComponent(number));
    show(current);
  }

  function show(o) {
    $("case-detail").classList.remove("hidden");
    $("detail-head").innerHTML = WO.header(o);
    for (const [act, id] of Object.entries(SECTION)) $(id).classList.toggle("hidden", !o.actions.includes(act));
    $("detail-timeline").innerHTML = o.timeline ? WO.timeline(o.timeline) : "";
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
