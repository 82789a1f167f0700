"""The knowledge base (知识库): articles agents answer from, with Chinese full-text search.

Text is segmented with jieba (search mode, so 住房公积金 also yields 公积金) and indexed in the
``knowledge_tokens`` table: one row per article and token, title tokens weighted higher. A
query is segmented the same way; articles rank by how many query tokens they contain, then by
weight. Plain SQL, so it behaves the same on SQLite and PostgreSQL. Supervisors and admins edit.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

import jieba
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from crm import audit
from crm.audit import Actor
from crm.errors import InvalidInput, NotFound
from crm.models import KnowledgeArticle, KnowledgeToken
from crm.moves import SUPERVISORS, require
from crm.types import utcnow

jieba.setLogLevel(logging.WARNING)

TITLE_WEIGHT = 3
BODY_WEIGHT = 1
TOKEN_MAX = 64
TITLE_MAX = 200
DEFAULT_LIMIT = 10
WORD_RE = re.compile(r"[\w\u4e00-\u9fff]")
STOPWORDS = frozenset(
    "的 了 和 与 及 或 是 在 有 吗 呢 吧 啊 我 你 他 她 我们 怎么 怎样 如何 什么 哪里 哪些 "
    "可以 能否 需要 请问 一下 这个 那个 办理 相关 问题".split()
)


def tokens(text: str) -> list[str]:
    """Search tokens of ``text``: jieba search-mode words, lower-cased, without stopwords."""
    words = [w.strip().lower() for w in jieba.cut_for_search(text or "")]
    words = [w[:TOKEN_MAX] for w in words if w and WORD_RE.search(w) and w not in STOPWORDS]
    longer = [w for w in words if len(w) > 1]
    return longer or words


def _weights(title: str, body: str) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for word in tokens(title):
        counts[word] += TITLE_WEIGHT
    for word in tokens(body):
        counts[word] += BODY_WEIGHT
    return dict(counts)


@dataclass
class ArticleInput:
    title: str
    body: str = ""
    category: str | None = None
    department_id: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None

    def checked(self) -> "ArticleInput":
        title = self.title.strip()
        if not title or len(title) > TITLE_MAX:
            raise InvalidInput(f"title must be 1..{TITLE_MAX} characters", field="title")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise InvalidInput("valid_to is before valid_from", field="valid_to")
        self.title = title
        return self


@dataclass(frozen=True)
class Hit:
    article: KnowledgeArticle
    matched: int  # distinct query tokens found
    score: int


def _reindex(session: Session, article: KnowledgeArticle) -> None:
    session.execute(delete(KnowledgeToken).where(KnowledgeToken.article_id == article.id))
    session.add_all(KnowledgeToken(article_id=article.id, token=t, weight=w)
                    for t, w in _weights(article.title, article.body).items())
    session.flush()


def _fill(article: KnowledgeArticle, data: ArticleInput, actor: Actor, now: datetime) -> None:
    for name in ("title", "body", "category", "department_id", "valid_from", "valid_to"):
        setattr(article, name, getattr(data, name))
    article.updated_at, article.updated_by = now, actor.name[:64]


def create_article(session: Session, *, data: ArticleInput, actor: Actor,
                   now: datetime | None = None) -> KnowledgeArticle:
    require(actor, SUPERVISORS)
    now = now or utcnow()
    article = KnowledgeArticle(created_at=now)
    _fill(article, data.checked(), actor, now)
    session.add(article)
    session.flush()
    _reindex(session, article)
    audit.record(session, actor, "kb_create", None, article_id=article.id, title=article.title)
    return article


def update_article(session: Session, *, article_id: int, data: ArticleInput, actor: Actor,
                   now: datetime | None = None) -> KnowledgeArticle:
    require(actor, SUPERVISORS)
    article = get_article(session, article_id)
    _fill(article, data.checked(), actor, now or utcnow())
    session.flush()
    _reindex(session, article)
    audit.record(session, actor, "kb_update", None, article_id=article.id, title=article.title)
    return article


def get_article(session: Session, article_id: int) -> KnowledgeArticle:
    article = session.get(KnowledgeArticle, article_id)
    if article is None:
        raise NotFound(f"no knowledge article {article_id}", article_id=article_id)
    return article


def search(session: Session, query: str, *, on: date | None = None, category: str | None = None,
           limit: int = DEFAULT_LIMIT) -> list[Hit]:
    """Articles valid on ``on`` (default: any) matching ``query``, best first."""
    wanted = sorted(set(tokens(query)))
    if not wanted:
        return []
    matched = func.count(KnowledgeToken.token).label("matched")
    score = func.sum(KnowledgeToken.weight).label("score")
    stmt = (
        select(KnowledgeArticle, matched, score)
        .join(KnowledgeToken, KnowledgeToken.article_id == KnowledgeArticle.id)
        .where(KnowledgeToken.token.in_(wanted))
        .group_by(KnowledgeArticle.id)
        .order_by(matched.desc(), score.desc(), KnowledgeArticle.id)
        .limit(limit)
    )
    if on is not None:
        stmt = stmt.where(
            or_(KnowledgeArticle.valid_from.is_(None), KnowledgeArticle.valid_from <= on),
            or_(KnowledgeArticle.valid_to.is_(None), KnowledgeArticle.valid_to >= on),
        )
    if category is not None:
        stmt = stmt.where(KnowledgeArticle.category == category)
    return [Hit(a, int(m), int(s)) for a, m, s in session.execute(stmt)]
