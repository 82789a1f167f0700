"""What citizens read: Chinese labels for statuses, ratings and form errors."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from crm import citizen as svc
from crm.enums import CaseStatus, Rating

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

STATUS_LABELS = {
    CaseStatus.REGISTERED: "已受理",
    CaseStatus.RESOLVED_ON_CALL: "已办结（直接答复）",
    CaseStatus.DISPATCHED: "已派单至承办单位",
    CaseStatus.SIGNED_FOR: "承办单位已签收",
    CaseStatus.IN_PROGRESS: "办理中",
    CaseStatus.EXTENSION_REQUESTED: "办理中（申请延期）",
    CaseStatus.RETURNED: "重新派单中",
    CaseStatus.REPLIED: "承办单位已答复",
    CaseStatus.REVIEWED: "答复已审核",
    CaseStatus.CALLBACK_SURVEY: "回访中",
    CaseStatus.CLOSED: "已办结",
    CaseStatus.REOPENED: "重新办理中",
}

RATING_LABELS = {
    Rating.VERY_SATISFIED: "非常满意",
    Rating.SATISFIED: "满意",
    Rating.BASICALLY_SATISFIED: "基本满意",
    Rating.DISSATISFIED: "不满意",
    Rating.VERY_DISSATISFIED: "非常不满意",
}

FIELD_ERRORS = {
    svc.E_REQUIRED: "此项必填",
    svc.E_UNKNOWN: "请从列表中选择",
    svc.E_TOO_SHORT: f"内容太短，请至少填写{svc.CONTENT_MIN}个字",
    svc.E_TOO_LONG: "内容太长，请精简后再提交",
    svc.E_PHONE: "请填写有效的手机号码或固定电话（固话请带区号）",
    svc.E_CASE_NUMBER: "工单编号格式不正确",
}


def rating_label(rating: str | None) -> str:
    return RATING_LABELS.get(rating, "") if rating else ""


def local_time(value: datetime | None) -> str:
    """A UTC timestamp as Beijing time, minutes precision; empty for none."""
    if value is None:
        return ""
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
