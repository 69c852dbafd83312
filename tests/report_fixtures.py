"""A small city for report and review tests: one enterprise with a registration record, a penalty still
published, one whose window ended long ago, and a list entry; and helpers that read PDFs back with the
poppler and zbar command-line tools, as a person's software would."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.factories import ENTERPRISE_USCC, MARKET_REGULATOR_USCC, penalty_values
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import system_actor
from xinyong.services import records

COMPANY = "扬州市示例科技有限公司"
LEGAL_REP = "王五"
LEGAL_REP_ID = "11010519491231002X"
CURRENT_PENALTY = "扬市监罚〔2026〕12号"
EXPIRED_PENALTY = "扬市监罚〔2019〕3号"


@dataclass
class City:
    subject_id: int
    department_id: int
    current_penalty_id: int
    expired_penalty_id: int


def build_city(platform: Platform, department_id: int) -> City:
    actor = system_actor("test")
    catalogue_values = {
        "qy_mc": COMPANY, "qy_shxym": ENTERPRISE_USCC, "qy_fddbr": LEGAL_REP, "qy_clrq": "2015-03-01",
        "qy_djjg": "扬州市市场监督管理局", "qy_jyfw": "软件开发；信息技术咨询服务",
    }
    with platform.uow(actor) as uow:
        catalogue = platform.catalogue(uow)
        registration = records.submit(uow, catalogue, "enterprise_registration", department_id, catalogue_values, "api")
        current = records.submit(uow, catalogue, "administrative_penalty", department_id, penalty_values(
            cf_wsh=CURRENT_PENALTY, cf_fr_zjlx="身份证", cf_fr_zjhm=LEGAL_REP_ID), "api")
        expired = records.submit(uow, catalogue, "administrative_penalty", department_id, penalty_values(
            cf_wsh=EXPIRED_PENALTY, cf_jdrq="2019-01-10", cf_nr="警告", cf_cflb="警告", cf_nr_fk=None), "api")
    return City(registration.record.subject_id, department_id, current.record.id, expired.record.id)


def market_regulator(platform: Platform) -> int:
    from tests.conftest import make_department

    return make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")


def pdf_text(pdf: bytes, directory: Path) -> str:
    path = directory / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def qr_of_first_page(pdf: bytes, directory: Path) -> str:
    path = directory / "report.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(path), str(directory / "page")],
                   check=True)
    image = next(directory.glob("page*.png"))
    found = subprocess.run(["zbarimg", "-q", "--raw", str(image)], check=True, capture_output=True, text=True)
    return found.stdout.strip()
