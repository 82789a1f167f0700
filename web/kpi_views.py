"""KPIs (crm.kpi) for the web: date-range checks, group names, definitions, CSV with a BOM."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from crm.errors import InvalidInput
from crm.kpi import KPIS, NO_GROUP, KpiRow
from crm.types import utcnow
from crm.workdays import LOCAL_TZ

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
BOM = "\ufeff"  # Excel opens UTF-8 CSV correctly only with it
TOTAL_NAME = "合计"
NONE_NAME = "（未分配）"
# (id, Chinese name, definition): the README's table, shown on the KPI page.
DEFINITIONS = (
    ("connection_rate", "接通率", "人工接通的来电 ÷ 要求人工服务（离开菜单进入排队）的来电"),
    ("answer_15s_rate", "15秒接听率", "进入排队后 15 秒内人工接听的来电 ÷ 人工接通的来电"),
    ("abandonment_rate", "放弃率", "排队等待中挂机的来电 ÷ 进入排队的来电"),
    ("response_rate", "响应率", "在签收时限内签收的派单 ÷ 派出的工单（未到签收时限且未签收的不计）"),
    ("on_time_closure_rate", "按时办结率", "在办理期限内回复的已办结工单 ÷ 已办结的派单工单"),
    ("resolution_rate", "解决率", "回访中表示“已解决”的工单 ÷ 回访问及是否解决的工单"),
    ("satisfaction_rate", "满意率", "（非常满意 + 满意 + 基本满意）÷ 参与评价的工单"),
)
KPI_NAMES = {k: name for k, name, _ in DEFINITIONS}
assert tuple(KPI_NAMES) == KPIS, "every KPI of crm.kpi needs a name and a definition"
GROUP_TABLES = {"site": "sites", "department": "departments", "category": "categories"}


def date_range(start: date | None, end: date | None) -> tuple[date, date]:
    """Inclusive local dates; by default the last DEFAULT_DAYS days up to today."""
    end = end or utcnow().astimezone(LOCAL_TZ).date()
    if not EARLIEST <= end <= LATEST:  # checked first: a far date would overflow below
        raise InvalidInput(f"日期须在 {EARLIEST} 至 {LATEST} 之间", field="to")
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if not EARLIEST <= start <= LATEST:
        raise InvalidInput(f"日期须在 {EARLIEST} 至 {LATEST} 之间", field="from")
    if end < start:
        raise InvalidInput("结束日期早于开始日期 (the range ends before it starts)", field="to")
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(f"时间范围不能超过 {MAX_DAYS} 天", field="from")
    return start, end


def group_name(cfg, by: str | None, group: str | None) -> str:
    if group is None:
        return TOTAL_NAME
    if group == NO_GROUP:
        return NONE_NAME
    table = getattr(cfg, GROUP_TABLES.get(by or "", ""), None) or {}
    return table[group].name if group in table else group


def rows_out(rows: list[KpiRow], cfg, by: str | None) -> list[dict]:
    return [{**row.as_dict(), "group_name": group_name(cfg, by, row.group)} for row in rows]


def csv_text(rows: list[KpiRow], cfg, by: str | None) -> str:
    """BOM, then a header of ids and Chinese names; one line per group (the total first)."""
    out = io.StringIO()
    writer = csv.writer(out)
    head = ["group", "group_name"]
    for k in KPIS:
        head += [f"{k}", f"{k}_num", f"{k}_den"]
    writer.writerow(head)
    names = ["", "分组"]
    for k in KPIS:
        names += [KPI_NAMES[k], KPI_NAMES[k] + "分子", KPI_NAMES[k] + "分母"]
    writer.writerow(names)
    for row in rows:
        cells = [row.group or "(all)", group_name(cfg, by, row.group)]
        for k in KPIS:
            r = row.values[k]
            cells += ["" if r.value is None else f"{r.value:.4f}", r.num, r.den]
        writer.writerow(cells)
    return BOM + out.getvalue()
