"""The admin console (``/admin``): one router made of the pages of each duty.

Every page but the login form needs a logged-in user (else ``303 /admin/login?next=…``) and the
permission of its duty (else 403); every form carries the session's CSRF token.
"""

from __future__ import annotations

from fastapi import APIRouter

from xinyong.web import forms  # noqa: F401  (registers the template filters)
from xinyong.web.admin import (
    accounts,
    archive,
    articles,
    auth,
    bulletins,
    collection,
    lists,
    oversight,
    reports,
    rights,
)

router = APIRouter(include_in_schema=False)
for _part in (auth, archive, collection, bulletins, rights, lists, reports, articles, accounts, oversight):
    router.include_router(_part.router)

__all__ = ["router"]
