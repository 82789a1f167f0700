// Shared by the work-order pages: table rows, the order's header and its timeline (audit trail).
// Every function returns DOM nodes built with Hotline.el: data is only ever text.
"use strict";
const WO = (() => {
  const el = Hotline.el;
  const when = (iso) => iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" }) : "—";
  function flag(o) {
    if (o.sign_overdue) return el("span", { class: "badge bad" }, "签收超期");
    if (o.overdue) return el("span", { class: "badge bad" }, "办理超期");
    return null;
  }
  const link = (number) => el("a", { href: "#", "data-n": number }, number);
  function row(o) {
    return el("tr", { "data-n": o.number, class: o.overdue || o.sign_overdue ? "alert" : "" },
      el("td", {}, link(o.number)),
      el("td", { class: "l" }, o.category_name),
      el("td", { class: "l status" }, o.status_name, " ", flag(o)),
      el("td", { class: "l" }, o.title), el("td", { class: "l" }, o.department_name),
      el("td", { class: "l" }, when(o.sign_due_at)), el("td", { class: "l" }, when(o.due_at)));
  }
  function ratingText(o) {
    if (!o.rating) return "";
    const solved = o.resolved === true ? "（已解决）" : o.resolved === false ? "（未解决）" : "";
    return ` · 评价：${o.rating_name || ""}${solved}`;
  }
  function header(o) {
    const t = (v) => v == null ? "" : v;
    return [
      el("h2", {}, o.number, " ", el("span", { id: "detail-status" }, o.status_name), " ", flag(o)),
      el("p", {}, `${t(o.category_name)} · ${t(o.site_name)} ${t(o.district)} ${t(o.address)} · 联系电话 ${t(o.contact_number)}${ratingText(o)}`),
      el("p", {}, `承办单位：${o.department_name || "—"} · 签收期限：${when(o.sign_due_at)} · 办理期限：${when(o.due_at)}`),
      el("p", { class: "content" }, o.content),
    ];
  }
  const DETAIL_NAMES = { text: "回复", reason: "原因", note: "意见", days: "天数", due_at: "期限", department_id: "单位",
                         rating: "评价", resolved: "已解决", channel: "方式", kb_article_id: "知识库文章", answer: "答复" };
  function detailText(d) {
    const parts = [];
    for (const [k, v] of Object.entries(d || {})) {
      if (v === null || v === "" || k === "round") continue;
      parts.push(`${DETAIL_NAMES[k] || k}：${k === "due_at" ? when(v) : String(v)}`);
    }
    return parts.join("；");
  }
  function event(e) {
    return el("li", { "data-action": e.action },
      el("time", {}, when(e.at)), " ", el("strong", {}, e.action_name),
      e.to_status_name ? " → " + e.to_status_name : "", " · ", e.actor,
      Object.keys(e.detail || {}).length ? " · " + detailText(e.detail) : "");
  }
  function timeline(events) {
    return [el("h3", {}, "办理过程（审计记录）"), el("ol", { class: "timeline", id: "timeline" }, events.map(event))];
  }
  return { row, link, header, timeline, when };
})();
