// Shared by the work-order pages: table rows, the order's header and its timeline (audit trail).
"use strict";
const WO = (() => {
  const esc = (s) => Hotline.esc(s);
  const when = (iso) => iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" }) : "—";
  function flag(o) {
    if (o.sign_overdue) return '<span class="badge bad">签收超期</span>';
    if (o.overdue) return '<span class="badge bad">办理超期</span>';
    return "";
  }
  function row(o) {
    return `<tr data-n="${esc(o.number)}" class="${o.overdue || o.sign_overdue ? "alert" : ""}">` +
      `<td><a href="#" data-n="${esc(o.number)}">${esc(o.number)}</a></td>` +
      `<td class="l">${esc(o.category_name)}</td><td class="l status">${esc(o.status_name)} ${flag(o)}</td>` +
      `<td class="l">${esc(o.title)}</td><td class="l">${esc(o.department_name)}</td>` +
      `<td class="l">${when(o.sign_due_at)}</td><td class="l">${when(o.due_at)}</td></tr>`;
  }
  function header(o) {
    const rating = o.rating ? ` · 评价：${esc(o.rating_name)}${o.resolved === true ? "（已解决）" : o.resolved === false ? "（未解决）" : ""}` : "";
    return `<h2>${esc(o.number)} <span id="detail-status">${esc(o.status_name)}</span> ${flag(o)}</h2>` +
      `<p>${esc(o.category_name)} · ${esc(o.site_name)} ${esc(o.district)} ${esc(o.address)} · 联系电话 ${esc(o.contact_number)}${rating}</p>` +
      `<p>承办单位：${esc(o.department_name) || "—"} · 签收期限：${when(o.sign_due_at)} · 办理期限：${when(o.due_at)}</p>` +
      `<p class="content">${esc(o.content)}</p>`;
  }
  function detailText(d) {
    const parts = [];
    for (const [k, v] of Object.entries(d || {})) {
      if (v === null || v === "" || k === "round") continue;
      const name = { text: "回复", reason: "原因", note: "意见", days: "天数", due_at: "期限", department_id: "单位",
                     rating: "评价", resolved: "已解决", channel: "方式", kb_article_id: "知识库文章", answer: "答复" }[k] || k;
      parts.push(`${name}：${k === "due_at" ? when(v) : String(v)}`);
    }
    return parts.join("；");
  }
  function timeline(events) {
    return '<h3>办理过程（审计记录）</h3><ol class="timeline" id="timeline">' + events.map((e) =>
      `<li data-action="${esc(e.action)}"><time>${when(e.at)}</time> <strong>${esc(e.action_name)}</strong>` +
      `${e.to_status_name ? " → " + esc(e.to_status_name) : ""} · ${esc(e.actor)}` +
      `${Object.keys(e.detail || {}).length ? " · " + esc(detailText(e.detail)) : ""}</li>`).join("") + "</ol>";
  }
  return { row, header, timeline, when, esc };
})();
