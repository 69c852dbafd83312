"""Collection bulletins (归集情况通报) by month, their Excel download, and the live submission monitor."""

from __future__ import annotations

from datetime import date

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from xinyong.api.deps import PlatformDep, UowDep
from xinyong.services import bulletins
from xinyong.services.bulletins import CYCLE_DAYS_LABELS, add_months, month_period
from xinyong.web.admin.collection import CHANNELS, STATUS_LABELS
from xinyong.web.admin.common import ConsoleActor, console_router, page

router = console_router()

MONITOR_REFRESH_SECONDS = 30


def _month(value: str, today: date) -> tuple[str, date, date]:
    text = value.strip() or today.strftime("%Y-%m")
    start, end = month_period(text)
    return start.strftime("%Y-%m"), start, end


@router.get("/bulletins", response_class=HTMLResponse)
def bulletin_page(request: Request, actor: ConsoleActor, uow: UowDep, platform: PlatformDep,
                  month: str = "") -> HTMLResponse:
    label, start, end = _month(month, platform.clock.today())
    report = bulletins.bulletin(uow, platform.catalogue(uow), start, end)
    return page(request, "admin/bulletins.html", {
        "report": report, "month": label, "cycles": CYCLE_DAYS_LABELS,
        "previous": add_months(start, -1).strftime("%Y-%m"), "next": add_months(start, 1).strftime("%Y-%m"),
        "has_next": add_months(start, 1) <= platform.clock.today(),
        "with_reasons": [row for row in report.departments if row.reasons],
    })


@router.get("/bulletins.xlsx")
def bulletin_download(request: Request, actor: ConsoleActor, uow: UowDep, platform: PlatformDep,
                      month: str = "") -> Response:
    label, start, end = _month(month, platform.clock.today())
    report = bulletins.bulletin(uow, platform.catalogue(uow), start, end)
    return Response(bulletins.bulletin_xlsx(report),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": f'attachment; filename="bulletin-{label}.xlsx"',
                             "cache-control": "no-store"})


@router.get("/monitor", response_class=HTMLResponse)
def monitor_page(request: Request, actor: ConsoleActor, uow: UowDep, platform: PlatformDep) -> HTMLResponse:
    rows = bulletins.monitor(uow, platform.catalogue(uow))
    response = page(request, "admin/monitor.html", {
        "rows": rows, "channels": CHANNELS, "statuses": STATUS_LABELS, "refresh": MONITOR_REFRESH_SECONDS,
        "now": platform.clock.now(),
    })
    return response
