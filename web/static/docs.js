// Renders /openapi.json as a list of operations (no CDN: Swagger UI is not available offline).
"use strict";
(async () => {
  const el = Hotline.el, l = (...c) => el("td", { class: "l" }, ...c);
  const spec = await Hotline.api("GET", "/openapi.json");
  const rows = [];
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters || []).map((p) => p.name + (p.required ? "*" : "")).join(", ");
      const body = op.requestBody ? Object.keys(op.requestBody.content || {}).join(", ") : "";
      rows.push(el("tr", {}, l(el("code", {}, method.toUpperCase())), l(el("code", {}, path)),
                   l(op.summary || ""), l(params), l(body)));
    }
  }
  const head = el("tr", {}, el("th", {}, "方法"), ...["路径", "说明", "参数", "请求体"].map((t) => el("th", { class: "l" }, t)));
  Hotline.fill(document.getElementById("ops"), el("table", {}, el("thead", {}, head), el("tbody", {}, rows)));
})();
