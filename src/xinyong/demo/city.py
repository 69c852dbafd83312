"""The demo city: 扬州市 (Yangzhou, 321000), its districts, county and county-level cities, and the
source departments that send it credit information.

Division codes and their history are GB/T 2260 as python-stdnum's ``cn/loc`` database has them: a
citizen ID must carry an area code that existed in the holder's birth year (江都 was 321026 江都县
until 1994, 321088 江都市 until 2011, 321012 江都区 since; before 1983 the 3224xx codes of 扬州地区).
"""

from __future__ import annotations

from dataclasses import dataclass

from xinyong.demo.codes import area_code_valid, uscc

PROVINCE = "江苏省"
CITY_CODE = "321000"
CITY_NAME = "扬州市"


@dataclass(frozen=True)
class District:
    code: str
    name: str  # 广陵区
    full: str  # 扬州市广陵区 (a county-level city or county stands alone: 高邮市)
    short: str  # 广陵
    court: str  # the basic people's court's case-number code (苏1002)
    history: tuple[str, ...]  # every area code the place has had, newest first
    streets: tuple[str, ...]
    weight: float  # share of the city's subjects


DISTRICTS: tuple[District, ...] = (
    District("321002", "广陵区", "扬州市广陵区", "广陵", "苏1002", ("321002", "321011", "322401"),
             ("文昌中路", "东关街", "国庆路", "广陵路", "运河南路", "运河北路", "解放北路", "泰州路", "渡江路",
              "沙湾南路", "头桥镇人民路", "湾头镇壁虎路"), 0.17),
    District("321003", "邗江区", "扬州市邗江区", "邗江", "苏1003", ("321003", "321027", "322427"),
             ("文昌西路", "扬子江北路", "扬子江中路", "邗江中路", "江阳西路", "维扬路", "念泗路", "博物馆路",
              "真州北路", "瓜洲镇古渡路", "杭集镇曙光路", "甘泉街道甘泉路"), 0.24),
    District("321012", "江都区", "扬州市江都区", "江都", "苏1012", ("321012", "321088", "321026", "322426"),
             ("龙川北路", "龙城路", "仙城路", "长江路", "工农路", "文昌东路", "邵伯镇运河路", "小纪镇纪北路",
              "大桥镇江平路", "宜陵镇宜平路"), 0.19),
    District("321023", "宝应县", "宝应县", "宝应", "苏1023", ("321023", "322423"),
             ("叶挺路", "苏中路", "安宜东路", "宝应大道", "白田路", "氾水镇人民路", "射阳湖镇湖滨路",
              "曹甸镇中心路"), 0.12),
    District("321081", "仪征市", "仪征市", "仪征", "苏1081", ("321081", "329002", "321029", "322429"),
             ("真州中路", "解放东路", "工农南路", "大庆北路", "扬州路", "新城镇仪扬路", "月塘镇捺山路",
              "青山镇江扬路"), 0.13),
    District("321084", "高邮市", "高邮市", "高邮", "苏1084", ("321084", "321022", "322422"),
             ("海潮东路", "屏淮路", "文游路", "通湖路", "蝶园路", "北海路", "三垛镇人民路", "界首镇界北路",
              "临泽镇临川路"), 0.15),
)

# Where an organisation's USCC division points: the city's own registration authority or a district's.
ORGANISATION_DIVISIONS: tuple[str, ...] = (CITY_CODE, *(d.code for d in DISTRICTS))


def area_codes_for_birth(district: District, year: int) -> tuple[str, ...]:
    """The area codes a person of ``district`` born in ``year`` may carry (stdnum accepts each); the
    city's own code when none of the district's existed that year."""
    found = tuple(code for code in district.history if area_code_valid(code, year))
    return found or tuple(code for code in (CITY_CODE, "322400") if area_code_valid(code, year))


@dataclass(frozen=True)
class Department:
    key: str
    name: str
    uscc: str
    division: str
    penalty_doc: str  # document-number prefix of its penalty decisions, before the year: "扬市监罚"


_DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    # key, name, penalty document prefix
    ("scjg", "扬州市市场监督管理局", "扬市监罚"),
    ("spj", "扬州市行政审批局", "扬审批罚"),
    ("sw", "国家税务总局扬州市税务局", "扬税稽罚"),
    ("sthj", "扬州市生态环境局", "扬环罚字"),
    ("zjj", "扬州市住房和城乡建设局", "扬住建罚字"),
    ("rsj", "扬州市人力资源和社会保障局", "扬人社监罚字"),
    ("yjj", "扬州市应急管理局", "(扬)应急罚"),
    ("jtj", "扬州市交通运输局", "扬交执罚"),
    ("wjw", "扬州市卫生健康委员会", "扬卫医罚"),
    ("cgj", "扬州市城市管理局", "扬城管罚"),
    ("xf", "扬州市消防救援支队", "扬消行罚决字"),
    ("fgw", "扬州市发展和改革委员会", "扬发改罚"),
    ("gaj", "扬州市公安局", "扬公(治)行罚决字"),
    ("zrzy", "扬州市自然资源和规划局", "扬自然资规罚"),
    ("ybj", "扬州市医疗保障局", "扬医保罚"),
    ("wlj", "扬州市文化广电和旅游局", "扬文旅罚"),
    ("nyj", "扬州市农业农村局", "扬农罚"),
    ("slj", "扬州市水利局", "扬水罚"),
    ("jyj", "扬州市教育局", "扬教罚"),
    ("mzj", "扬州市民政局", "扬民罚"),
    ("swj", "扬州市商务局", "扬商务罚"),
    ("tjj", "扬州市统计局", "扬统罚"),
    ("wmb", "扬州市精神文明建设指导委员会办公室", "扬文明罚"),
    ("zjfy", "扬州市中级人民法院", "扬中法罚"),
    *((f"fy{d.code[-4:]}", f"{d.full}人民法院", f"{d.short}法罚") for d in DISTRICTS),
)

# Government bodies (机关, registration authority 1, category 1): "11" + 321000 + an organisation code.
DEPARTMENTS: tuple[Department, ...] = tuple(
    Department(key, name, uscc("11", CITY_CODE, f"0{1415000 + 37 * i:07d}"), CITY_CODE, prefix)
    for i, (key, name, prefix) in enumerate(_DEPARTMENTS)
)
DEPARTMENT_INDEX: dict[str, int] = {d.key: i for i, d in enumerate(DEPARTMENTS)}
COURT_OF_DISTRICT: dict[str, str] = {d.code: f"fy{d.code[-4:]}" for d in DISTRICTS}
INTERMEDIATE_COURT = ("zjfy", "苏10")

# Market-regulation bureaus that register and supervise subjects in each division.
REGULATOR_OF_DIVISION: dict[str, str] = {
    CITY_CODE: "扬州市市场监督管理局",
    **{d.code: f"{d.full}市场监督管理局" for d in DISTRICTS},
}
