"""Articles of the portal's policy and news columns (政策法规, 工作动态, 典型案例): write, publish, withdraw."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from xinyong.api.deps import UowDep
from xinyong.domain.accounts import Permission
from xinyong.errors import XinyongError
from xinyong.services import articles
from xinyong.services.unit_of_work import UnitOfWork
from xinyong.web.admin.common import ConsoleActor, console_router, done, page
from xinyong.web.templating import check_csrf

router = console_router()
Text = Annotated[str, Form()]


def _form_page(request: Request, article_id: int | None, form: dict[str, Any],
               error: XinyongError | None = None) -> HTMLResponse:
    return page(request, "admin/article_form.html", {
        "article_id": article_id, "form": form, "error": error, "channels": articles.CHANNELS,
    }, status_code=error.status if error else 200)


@router.get("/articles", response_class=HTMLResponse)
def article_list(request: Request, actor: ConsoleActor, uow: UowDep) -> HTMLResponse:
    return page(request, "admin/articles.html", {"articles": articles.for_console(uow),
                                                  "channels": articles.CHANNELS})


@router.get("/articles/new", response_class=HTMLResponse)
def new_article(request: Request, actor: ConsoleActor) -> HTMLResponse:
    actor.require(Permission.ARTICLES_MANAGE)
    return _form_page(request, None, {"channel": "news"})


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def edit_article(request: Request, article_id: int, actor: ConsoleActor, uow: UowDep) -> HTMLResponse:
    found = articles.get_for_console(uow, article_id)
    return _form_page(request, article_id, {**found, "published_on": found["published_on"] or ""})


def _save(request: Request, uow: UnitOfWork, article_id: int | None, form: articles.ArticleForm) -> Response:
    try:
        saved = articles.save(uow, form, article_id)
    except XinyongError as exc:
        return _form_page(request, article_id, vars(form), exc)
    return done(request, "文章已保存（发布后在门户显示）", f"/admin/articles/{saved}")


@router.post("/articles", response_class=HTMLResponse)
def create_article(request: Request, actor: ConsoleActor, uow: UowDep, channel: Text = "", title: Text = "",
                   body: Text = "", source: Text = "", published_on: Text = "", csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    return _save(request, uow, None, articles.ArticleForm(channel, title, body, source, published_on))


@router.post("/articles/{article_id}", response_class=HTMLResponse)
def update_article(request: Request, article_id: int, actor: ConsoleActor, uow: UowDep, channel: Text = "",
                   title: Text = "", body: Text = "", source: Text = "", published_on: Text = "",
                   csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    return _save(request, uow, article_id, articles.ArticleForm(channel, title, body, source, published_on))


@router.post("/articles/{article_id}/published", response_class=HTMLResponse)
def publish_article(request: Request, article_id: int, actor: ConsoleActor, uow: UowDep, published: Text = "",
                    csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    articles.set_published(uow, article_id, published == "1")
    return done(request, "已发布到门户" if published == "1" else "已从门户撤下", "/admin/articles")
