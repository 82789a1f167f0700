// Renders /openapi.json as a list of operations (no CDN: Swagger UI is not available offline).
"use strict";
(async () => {
  const spec = await Hotline.api("GET", "/openapi.json");
  const rows = [];
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters || []).map((p) => p.name + (p.required ? "*" : "")).join(", ");
      const body = op.requestBody ? Object.keys(op.requestBody.content || {}).join(", ") : "";
      rows.push(`<tr><td class="l"><code>${method.toUpperCase()}</code></td><td class="l"><code>${Hotline.esc(path)}</code></td>` +
        `<td class="l">${Hotline.esc(op.summary || "")}</td><td class="l">${Hotline.esc(params)}</td><td class="l">${Hotline.esc(body)}</td></tr>`);
    }
  }
  document.getElementById("ops").innerHTML =
    `<table><thead><tr><th>方法</th><th class="l">路径</th><th class="l">说明</th><th class="l">参数</th><th class="l">请求体</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
})();
