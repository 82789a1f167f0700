// The KPI page: the seven KPIs per group as a table and as bar charts (plain SVG, drawn here).
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const BAR_H = 18, GAP = 6, LABEL_W = 150, WIDTH = 520, VALUE_W = 60;
  const iso = (d) => d.toISOString().slice(0, 10);

  function params() {
    return new URLSearchParams({ from: $("from").value, to: $("to").value, by: $("by").value });
  }

  const el = Hotline.svg;

  function chart(def, rows) {
    const barW = WIDTH - LABEL_W - VALUE_W, h = rows.length * (BAR_H + GAP) + GAP;
    const svg = el("svg", { class: "kpi-chart", "data-kpi": def.id, viewBox: `0 0 ${WIDTH} ${h}`,
                            width: WIDTH, height: h, role: "img", "aria-label": def.name });
    rows.forEach((r, i) => {
      const y = GAP + i * (BAR_H + GAP), rate = r[def.id].rate;
      svg.appendChild(el("text", { x: LABEL_W - 6, y: y + BAR_H - 4, "text-anchor": "end", class: "lbl" }, r.group_name));
      svg.appendChild(el("rect", { x: LABEL_W, y, width: barW, height: BAR_H, class: "track" }));
      if (rate != null) {
        const bar = el("rect", { x: LABEL_W, y, width: Math.max(1, rate * barW), height: BAR_H,
                                 class: r.group === null ? "bar total" : "bar" });
        bar.appendChild(el("title", {}, `${r.group_name}：${Hotline.pct(rate)}（${r[def.id].num}/${r[def.id].den}）`));
        svg.appendChild(bar);
      }
      svg.appendChild(el("text", { x: LABEL_W + barW + 4, y: y + BAR_H - 4, class: "val" }, Hotline.pct(rate)));
    });
    return Hotline.el("figure", { class: "chart-box" }, Hotline.el("figcaption", {}, def.name), svg);
  }

  function render(data) {
    const defs = data.definitions;
    const h = Hotline.el;
    Hotline.fill($("kpi-table").tHead, h("tr", {}, h("th", {}, "分组"), defs.map((d) => h("th", {}, d.name))));
    Hotline.fill($("kpi-table").tBodies[0], data.rows.map((r) => h("tr", { "data-group": r.group ?? "" },
      h("td", {}, r.group_name), defs.map((d) => {
        const v = r[d.id];
        return h("td", { title: `${v.num}/${v.den}` }, Hotline.pct(v.rate), " ", h("small", {}, `${v.num}/${v.den}`));
      }))));
    $("charts").replaceChildren(...defs.map((d) => chart(d, data.rows)));
  }

  async function load() {
    $("csv-link").href = "/api/kpi.csv?" + params();
    try {
      const data = await Hotline.api("GET", "/api/kpi?" + params());
      render(data);
      Hotline.say($("kpi-msg"), `${data.from} 至 ${data.to}`, "ok");
    } catch (e) { Hotline.say($("kpi-msg"), e.message, "error"); }
  }

  const today = new Date(new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" }) + "T00:00:00Z");
  $("to").value = iso(today);
  $("from").value = iso(new Date(today.getTime() - 29 * 86400000));
  $("kpi-form").addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
  $("by").addEventListener("change", load);
  load();
})();
