// Knowledge base upkeep (supervisors, admins): search, create and edit articles.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const FIELDS = { title: "kb-title", body: "kb-body", category: "kb-category", department_id: "kb-department",
                   valid_from: "kb-from", valid_to: "kb-to" };
  let items = [];

  async function search() {
    const q = new URLSearchParams({ q: $("kb-q").value, include_expired: $("kb-expired").checked });
    items = (await Hotline.api("GET", "/api/kb?" + q)).items;
    const el = Hotline.el, l = (...c) => el("td", { class: "l" }, ...c);
    Hotline.rows($("kb-list").tBodies[0], items.map((a) => el("tr", {},
      el("td", {}, a.id), l(el("a", { href: "#", "data-id": a.id }, a.title)),
      l(a.category_name), l(a.department_name),
      l(`${a.valid_from || ""} ~ ${a.valid_to || ""}`), l(a.updated_by))), 6, "没有找到文章");
  }

  function edit(a) {
    $("kb-id").value = a ? a.id : "";
    $("kb-form-title").textContent = a ? `编辑文章 #${a.id}` : "新建文章";
    for (const [k, id] of Object.entries(FIELDS)) $(id).value = a ? (a[k] || "") : "";
    Hotline.say($("kb-msg"), "");
  }

  $("kb-list").addEventListener("click", (ev) => {
    const id = Number(ev.target.dataset.id); if (!id) return;
    ev.preventDefault(); edit(items.find((a) => a.id === id));
  });
  $("kb-search").addEventListener("submit", (ev) => { ev.preventDefault(); search(); });
  $("btn-kb-new").onclick = () => edit(null);
  $("kb-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = {};
    for (const [k, id] of Object.entries(FIELDS)) body[k] = $(id).value || (k === "title" || k === "body" ? "" : null);
    const id = $("kb-id").value;
    try {
      const a = await Hotline.api(id ? "PUT" : "POST", id ? "/api/kb/" + id : "/api/kb", body);
      edit(a);
      Hotline.say($("kb-msg"), `已保存文章 #${a.id}`, "ok");
      search();
    } catch (e) { Hotline.say($("kb-msg"), e.message, "error"); }
  });
  search();
})();
