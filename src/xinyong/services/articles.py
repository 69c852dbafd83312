"""Policy and news columns of the portal (政策法规, 工作动态, 典型案例), written in the console.

Articles are plain text: the portal escapes them and turns blank lines into paragraphs, so no markup
from a user ever reaches a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from xinyong.adapters.repositories.articles import ArticleRepository
from xinyong.demo.articles import DEMO_ARTICLES
from xinyong.domain.accounts import Permission
from xinyong.domain.audit import AuditEvent
from xinyong.domain.values import parse_date
from xinyong.errors import InvalidInput, NotFound
from xinyong.services.unit_of_work import UnitOfWork

CHANNELS = {"policy": "政策法规", "news": "工作动态", "cases": "典型案例"}
MAX_TITLE = 200
MAX_BODY = 50_000


@dataclass
class ArticleForm:
    channel: str
    title: str
    body: str
    source: str = ""
    published_on: str = ""


def _checked(form: ArticleForm) -> dict[str, Any]:
    problems = []
    if form.channel not in CHANNELS:
        problems.append(("channel", "请选择栏目", "choose a column"))
    title, body = form.title.strip(), form.body.strip().replace("\r\n", "\n")
    if not title or len(title) > MAX_TITLE:
        problems.append(("title", f"标题不能为空，且不超过{MAX_TITLE}字", f"a title of 1-{MAX_TITLE} characters"))
    if not body or len(body) > MAX_BODY:
        problems.append(("body", f"正文不能为空，且不超过{MAX_BODY}字", f"a body of 1-{MAX_BODY} characters"))
    day = None
    if form.published_on.strip():
        day = parse_date(form.published_on.strip())
        if day is None:
            problems.append(("published_on", "发布日期格式应为 YYYY-MM-DD", "published_on must be YYYY-MM-DD"))
    if problems:
        field, message, message_en = problems[0]
        raise InvalidInput(message, message_en, code="article.invalid", field=field)
    return {"channel": form.channel, "title": title, "body": body, "source": form.source.strip()[:200] or None,
            "published_on": day}


def save(uow: UnitOfWork, form: ArticleForm, article_id: int | None = None) -> int:
    """A new article (a draft) or changes to one; publishing is a separate step."""
    uow.actor.require(Permission.ARTICLES_MANAGE)
    values = _checked(form)
    repository = ArticleRepository(uow.connection)
    now = uow.clock.now()
    if article_id is None:
        article_id = repository.add({**values, "published": False, "created_at": now, "updated_at": now,
                                     "updated_by": uow.actor.name})
        uow.audit(AuditEvent("article.create", "article", article_id, detail={"title": values["title"]}))
    else:
        if repository.get(article_id) is None:
            raise NotFound("文章", "article", article_id)
        repository.update(article_id, {**values, "updated_at": now, "updated_by": uow.actor.name})
        uow.audit(AuditEvent("article.update", "article", article_id, detail={"title": values["title"]}))
    uow.commit()
    return article_id


def set_published(uow: UnitOfWork, article_id: int, published: bool) -> None:
    uow.actor.require(Permission.ARTICLES_MANAGE)
    repository = ArticleRepository(uow.connection)
    found = repository.get(article_id)
    if found is None:
        raise NotFound("文章", "article", article_id)
    values: dict[str, Any] = {"published": published}
    if published and found["published_on"] is None:
        values["published_on"] = uow.clock.today()
    repository.update(article_id, values)
    repository.touch(article_id, uow.clock.now(), uow.actor.name)
    uow.audit(AuditEvent("article.publish" if published else "article.withdraw", "article", article_id))
    uow.commit()


def for_console(uow: UnitOfWork, limit: int = 200) -> list[dict[str, Any]]:
    uow.actor.require(Permission.ARTICLES_MANAGE)
    return ArticleRepository(uow.connection).listing(None, False, limit)


def get_for_console(uow: UnitOfWork, article_id: int) -> dict[str, Any]:
    uow.actor.require(Permission.ARTICLES_MANAGE)
    found = ArticleRepository(uow.connection).get(article_id)
    if found is None:
        raise NotFound("文章", "article", article_id)
    return found


def published(uow: UnitOfWork, channel: str | None, limit: int = 20, offset: int = 0) -> list[dict[str, Any]]:
    """What the portal shows: published articles whose date has come, newest first."""
    return ArticleRepository(uow.connection).listing(channel, True, limit, offset, until=uow.clock.today())


def published_one(uow: UnitOfWork, article_id: int) -> dict[str, Any]:
    found = ArticleRepository(uow.connection).get(article_id)
    today: date = uow.clock.today()
    if found is None or not found["published"] or (found["published_on"] and found["published_on"] > today):
        raise NotFound("文章", "article", article_id)
    return found


def paragraphs(body: str) -> list[str]:
    """The body's paragraphs (separated by blank lines or line breaks), for escaped rendering."""
    return [p.strip() for p in body.split("\n") if p.strip()]


def add_demo_articles(uow: UnitOfWork) -> int:
    """The demo city's articles, published (only on a platform that has none yet)."""
    repository = ArticleRepository(uow.connection)
    if repository.listing(None, False, 1):
        return 0
    now = uow.clock.now()
    for channel, title, source, day, body in DEMO_ARTICLES:
        repository.add({"channel": channel, "title": title, "body": body, "source": source, "published": True,
                        "published_on": day, "created_at": now, "updated_at": now, "updated_by": uow.actor.name})
    return len(DEMO_ARTICLES)
