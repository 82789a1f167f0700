"""The knowledge base (知识库): Chinese search for all staff; supervisors and admins edit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy import select

from crm import knowledge
from crm.errors import InvalidInput
from crm.models import KnowledgeArticle
from crm.types import utcnow
from crm.workdays import LOCAL_TZ
from web.deps import StateDep, UserDep, actor_of
from web.pages import render
from web.schemas import CODE
from web.wo_schemas import ArticleIn
from web.wo_views import iso

router = APIRouter(prefix="/api/kb", tags=["knowledge"])
pages = APIRouter(include_in_schema=False)
ArticleId = Annotated[int, Path(ge=1, le=2**31 - 1)]
SNIPPET = 120
LATEST = 50
MAX_RESULTS = 50


def article_out(a: KnowledgeArticle, cfg, **extra) -> dict:
    cat, dept = cfg.categories.get(a.category or ""), cfg.departments.get(a.department_id or "")
    return {"id": a.id, "title": a.title, "body": a.body, "snippet": a.body[:SNIPPET],
            "category": a.category or "", "category_name": cat.name if cat else "",
            "department_id": a.department_id or "", "department_name": dept.name if dept else "",
            "valid_from": iso(a.valid_from), "valid_to": iso(a.valid_to),
            "updated_at": iso(a.updated_at), "updated_by": a.updated_by, **extra}


def _checked(body: ArticleIn, cfg) -> knowledge.ArticleInput:
    if body.category and body.category not in cfg.categories:
        raise InvalidInput(f"未知的事项分类 {body.category!r}", field="category")
    if body.department_id and body.department_id not in cfg.departments:
        raise InvalidInput(f"未知的承办单位 {body.department_id!r}", field="department_id")
    return knowledge.ArticleInput(**body.model_dump())


@router.get("", summary="Search articles (jieba segmentation); without q the latest ones")
def search(state: StateDep,
           q: Annotated[str, Query(max_length=200)] = "",
           category: Annotated[str | None, Query(pattern=CODE)] = None,
           include_expired: bool = False,
           limit: Annotated[int, Query(ge=1, le=MAX_RESULTS)] = knowledge.DEFAULT_LIMIT) -> dict:
    cfg, today = state.operator, utcnow().astimezone(LOCAL_TZ).date()
    with state.ctx.sessions() as db:
        if not q.strip():
            stmt = select(KnowledgeArticle).order_by(KnowledgeArticle.updated_at.desc(),
                                                     KnowledgeArticle.id.desc()).limit(LATEST)
            if category:
                stmt = stmt.where(KnowledgeArticle.category == category)
            return {"q": q, "items": [article_out(a, cfg) for a in db.scalars(stmt)]}
        hits = knowledge.search(db, q, on=None if include_expired else today,
                                category=category, limit=limit)
        return {"q": q, "tokens": knowledge.tokens(q),
                "items": [article_out(h.article, cfg, matched=h.matched, score=h.score)
                          for h in hits]}


@router.get("/{article_id}", summary="One article")
def get_article(article_id: ArticleId, state: StateDep) -> dict:
    with state.ctx.sessions() as db:
        return article_out(knowledge.get_article(db, article_id), state.operator)


@router.post("", summary="Create an article (supervisors, admins)", status_code=201)
def create_article(body: ArticleIn, user: UserDep, state: StateDep) -> dict:
    data = _checked(body, state.operator)
    with state.ctx.sessions.begin() as db:
        article = knowledge.create_article(db, data=data, actor=actor_of(user))
        return article_out(article, state.operator)


@router.put("/{article_id}", summary="Edit an article (supervisors, admins)")
def update_article(article_id: ArticleId, body: ArticleIn, user: UserDep,
                   state: StateDep) -> dict:
    data = _checked(body, state.operator)
    with state.ctx.sessions.begin() as db:
        article = knowledge.update_article(db, article_id=article_id, data=data,
                                           actor=actor_of(user))
        return article_out(article, state.operator)


@pages.get("/knowledge")
def knowledge_page(request: Request, user: UserDep, state: StateDep):
    cfg = state.operator
    return render(request, "knowledge.html", user=user,
                  categories=list(cfg.categories.values()),
                  departments=list(cfg.departments.values()))
