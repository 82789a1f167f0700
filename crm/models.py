"""The CRM's tables, as typed SQLAlchemy 2.0 models. Relationships never load lazily."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from crm.types import UTCDateTime, utcnow


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime}


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"))


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))


class Caller(Base):
    """A citizen, known by number. Withheld numbers have no Caller row."""

    __tablename__ = "callers"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # E.164
    kind: Mapped[str] = mapped_column(String(16))  # mobile | fixed_line | other
    location: Mapped[str | None] = mapped_column(String(64))
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"))
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    department_id: Mapped[str | None] = mapped_column(ForeignKey("departments.id"))
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgentProfile(Base):
    """A seat agent's extension, site and skills (line id -> level, 1 = best)."""

    __tablename__ = "agent_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    extension: Mapped[str] = mapped_column(String(16), unique=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    skills: Mapped[dict] = mapped_column(JSON, default=dict)
    user: Mapped[User] = relationship(lazy="raise")


class Case(Base):
    """A work order (工单)."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24), index=True)
    request_type: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(32))
    urgency: Mapped[str] = mapped_column(String(16), default="normal")
    title: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"))
    district: Mapped[str] = mapped_column(String(64), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    caller_id: Mapped[int | None] = mapped_column(ForeignKey("callers.id"), index=True)
    contact_number: Mapped[str | None] = mapped_column(String(20))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    department_id: Mapped[str | None] = mapped_column(ForeignKey("departments.id"), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    kb_article_id: Mapped[int | None] = mapped_column(Integer)
    rating: Mapped[str | None] = mapped_column(String(24))
    resolved: Mapped[bool | None] = mapped_column()
    confidential: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column()
    signed_at: Mapped[datetime | None] = mapped_column()
    replied_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    sign_due_at: Mapped[datetime | None] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column()


class Call(Base):
    """One contact by phone: exactly one row per call, keyed by its channel id."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(64), unique=True)  # uniqueid or CallSid
    channel: Mapped[str] = mapped_column(String(16))
    caller_id: Mapped[int | None] = mapped_column(ForeignKey("callers.id"), index=True)
    caller_raw: Mapped[str] = mapped_column(String(64), default="")
    dnid: Mapped[str] = mapped_column(String(32), default="")
    line: Mapped[str | None] = mapped_column(String(32))
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"))
    menu_path: Mapped[str] = mapped_column(String(200), default="")
    arrived_at: Mapped[datetime] = mapped_column(index=True)
    queued_at: Mapped[datetime | None] = mapped_column()
    offered_at: Mapped[datetime | None] = mapped_column()
    answered_at: Mapped[datetime | None] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    outcome: Mapped[str] = mapped_column(String(24), index=True)
    wait_seconds: Mapped[float | None] = mapped_column(Float)
    agent: Mapped[str | None] = mapped_column(String(64))
    rating: Mapped[str | None] = mapped_column(String(24))
    callback_number: Mapped[str | None] = mapped_column(String(20))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)


class CaseEvent(Base):
    """The append-only audit trail: every change to a case and every read by staff."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str | None] = mapped_column(String(24))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class CaseCounter(Base):
    """The daily sequence behind case numbers such as 12345-20261127-000042."""

    __tablename__ = "case_counters"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


Index("ix_cases_caller_category", Case.caller_id, Case.category, Case.created_at)


# ---- work orders: reminders, supervision, ratings, knowledge base (migration 0002) ----


class Reminder(Base):
    """A reminder (催办) to a department that a deadline is near; one per case, kind, deadline."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("case_id", "kind", "deadline_at", name="uq_reminders_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # sign_for | handling
    deadline_at: Mapped[datetime] = mapped_column()
    department_id: Mapped[str | None] = mapped_column(ForeignKey("departments.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupervisionOrder(Base):
    """A supervision order (督办单) for an overdue case, to the department and its supervisor."""

    __tablename__ = "supervision_orders"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "deadline_at", name="uq_supervision_orders_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # sign_for | handling
    deadline_at: Mapped[datetime] = mapped_column()
    department_id: Mapped[str | None] = mapped_column(ForeignKey("departments.id"), index=True)
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()


class CaseRating(Base):
    """One 5-level rating per case and round (一事一评); a dissatisfied one starts a new round."""

    __tablename__ = "case_ratings"
    __table_args__ = (UniqueConstraint("case_id", "round", name="uq_case_ratings_round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    rating: Mapped[str] = mapped_column(String(24))
    resolved: Mapped[bool | None] = mapped_column()
    channel: Mapped[str] = mapped_column(String(16), default="")
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class KnowledgeArticle(Base):
    """A knowledge base article (知识库): what agents read to answer on the call."""

    __tablename__ = "knowledge_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str | None] = mapped_column(String(32), index=True)
    department_id: Mapped[str | None] = mapped_column(ForeignKey("departments.id"))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64), default="")


class KnowledgeToken(Base):
    """The search index: one row per article and jieba token, weighted (title counts more)."""

    __tablename__ = "knowledge_tokens"

    article_id: Mapped[int] = mapped_column(ForeignKey("knowledge_articles.id"), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    weight: Mapped[int] = mapped_column(Integer)


Index("ix_knowledge_tokens_token", KnowledgeToken.token)
