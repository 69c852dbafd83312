"""Parts of names in the demo city: 字号 characters, 行业 words, organisational forms, shops,
institutions, social organisations, surnames and given-name characters.

Every string here is plain text without quotes, backslashes, tabs or newlines: the generator pastes
them into JSON and COPY text without escaping (tests check it).
"""

from __future__ import annotations

# 字号 (trade names) are two of these characters: 71 × 70 ordered pairs.
TRADE_CHARS = (
    "恒达瑞丰金盛华信宏远鑫源天成永泰润汇通嘉禾新锦昌隆德邦宇宸海博卓越精诚安康荣泽景明正弘佳乐聚鼎"
    "联创铭睿星辰广运凯旭晟骏立中方圆智合和美宝利兴福"
)

# 行业 words, with the industry (所属行业) and business scope (经营范围) a registration shows, and the
# licence group (texts.LICENCES) the enterprise most often applies for.
INDUSTRIES: tuple[tuple[str, str, str, str], ...] = (
    ("科技", "科技推广和应用服务业", "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；软件开发", "general"),
    ("信息技术", "软件和信息技术服务业", "软件开发；信息系统集成服务；数据处理和存储支持服务", "general"),
    ("建筑工程", "房屋建筑业", "建设工程施工；建筑劳务分包；住宅室内装饰装修", "construction"),
    ("建设工程", "土木工程建筑业", "建设工程施工；市政设施管理；园林绿化工程施工", "construction"),
    ("装饰工程", "建筑装饰、装修和其他建筑业", "住宅室内装饰装修；建筑装饰材料销售", "construction"),
    ("餐饮管理", "餐饮业", "餐饮服务；食品销售；餐饮管理", "food"),
    ("食品", "食品制造业", "食品生产；食品销售；农副产品销售", "food"),
    ("酒店管理", "住宿业", "住宿服务；餐饮服务；酒店管理", "food"),
    ("商贸", "批发业", "日用百货销售；五金产品批发；建筑材料销售", "general"),
    ("贸易", "批发业", "货物进出口；技术进出口；针纺织品销售", "general"),
    ("物流", "道路运输业", "道路货物运输（不含危险货物）；国内货物运输代理；普通货物仓储服务", "transport"),
    ("运输", "道路运输业", "道路旅客运输经营；道路货物运输", "transport"),
    ("生物医药", "医药制造业", "药品生产；医学研究和试验发展；生物化工产品技术研发", "medicine"),
    ("医药", "零售业", "药品零售；医疗器械销售；保健食品销售", "medicine"),
    ("医疗器械", "专用设备制造业", "第二类医疗器械生产；医疗器械销售", "medicine"),
    ("化工", "化学原料和化学制品制造业", "化工产品生产；化工产品销售（不含许可类化工产品）", "hazardous"),
    ("新材料", "化学原料和化学制品制造业", "新材料技术研发；合成材料制造；塑料制品销售", "environment"),
    ("机械", "通用设备制造业", "通用设备制造；机械零件、零部件加工", "environment"),
    ("机电设备", "通用设备制造业", "机电设备销售；机械设备安装；电气设备修理", "general"),
    ("汽车零部件", "汽车制造业", "汽车零部件及配件制造；汽车零配件批发", "environment"),
    ("电子", "计算机、通信和其他电子设备制造业", "电子元器件制造；电子产品销售", "environment"),
    ("光电", "电气机械和器材制造业", "光伏设备及元器件制造；照明器具制造", "environment"),
    ("新能源", "电力、热力生产和供应业", "太阳能发电技术服务；储能技术服务；新能源原动设备销售", "environment"),
    ("纺织", "纺织业", "面料纺织加工；针纺织品及原料销售", "environment"),
    ("服饰", "纺织服装、服饰业", "服装制造；服装服饰批发", "general"),
    ("玩具", "文教、工美、体育和娱乐用品制造业", "玩具制造；玩具销售；工艺美术品制造", "general"),
    ("漆器", "文教、工美、体育和娱乐用品制造业", "工艺美术品及礼仪用品制造（象牙及其制品除外）；非物质文化遗产保护",
     "general"),
    ("牙刷", "日用化学产品制造", "日用口腔清洁用品生产；日用百货销售；酒店用品销售", "general"),
    ("船舶", "铁路、船舶、航空航天和其他运输设备制造业", "船舶制造；船舶修理；船舶设计", "environment"),
    ("环保", "生态保护和环境治理业", "环境保护专用设备制造；污水处理及其再生利用；固体废物治理", "environment"),
    ("园林绿化", "公共设施管理业", "园林绿化工程施工；城市绿化管理；花卉种植", "construction"),
    ("房地产开发", "房地产业", "房地产开发经营；物业管理", "construction"),
    ("物业管理", "房地产业", "物业管理；家政服务；停车场服务", "general"),
    ("文化传媒", "文化艺术业", "文艺创作；广告设计、代理；组织文化艺术交流活动", "culture"),
    ("旅游开发", "商务服务业", "旅游业务；旅游开发项目策划咨询；游览景区管理", "culture"),
    ("教育咨询", "教育", "教育咨询服务（不含涉许可审批的教育培训活动）", "general"),
    ("企业管理咨询", "商务服务业", "企业管理咨询；信息咨询服务；市场营销策划", "general"),
    ("人力资源", "商务服务业", "劳务派遣服务；人力资源服务；职业中介活动", "labour"),
    ("农业发展", "农业", "谷物种植；蔬菜种植；农产品的生产、销售、加工、运输、贮藏", "agriculture"),
    ("水产养殖", "渔业", "水产养殖；水产品批发；水产品零售", "agriculture"),
    ("供应链管理", "商务服务业", "供应链管理服务；国内贸易代理", "general"),
    ("电气", "电气机械和器材制造业", "配电开关控制设备制造；电线、电缆经营", "environment"),
    ("钢结构", "金属制品业", "金属结构制造；钢结构工程施工", "construction"),
    ("汽车销售", "零售业", "汽车新车销售；二手车经纪；机动车修理和维护", "transport"),
)

# 企业类型 codes (code table enterprise_type) with weights and the form ending the name.
ENTERPRISE_FORMS: tuple[tuple[str, float, str], ...] = (
    ("llc_natural_person_controlled", 32, "有限公司"),
    ("llc_natural_person_sole", 20, "有限公司"),
    ("llc", 14, "有限责任公司"),
    ("llc_legal_person_sole", 5, "有限公司"),
    ("llc_foreign_invested", 2, "有限公司"),
    ("joint_stock_unlisted", 4, "股份有限公司"),
    ("joint_stock_listed", 0.3, "股份有限公司"),
    ("sole_proprietorship", 6, "经营部"),
    ("general_partnership", 3, "中心（普通合伙）"),
    ("limited_partnership", 3, "合伙企业（有限合伙）"),
    ("farmers_cooperative", 4, "专业合作社"),
    ("branch", 3, "有限公司分公司"),
    ("collective", 0.7, "厂"),
)
PLACES = ("扬州", "江苏", "扬州市")

SHOPS = (
    "小吃店", "便利店", "五金店", "理发店", "水果店", "服装店", "餐馆", "面馆", "烟酒店", "建材经营部", "手机店",
    "家电维修部", "茶社", "早点店", "包子铺", "足浴店", "母婴用品店", "干洗店", "花店", "农资店", "日用品商店",
    "副食品店", "汽车修理部", "美容院", "眼镜店", "文具店", "酒行", "粮油店", "卤菜店", "烧饼店", "浴室",
    "废品回收站", "装潢材料店", "鲜肉店", "水产店", "蔬菜店", "麻辣烫店", "奶茶店", "药房", "摄影部",
)
SHOP_GROUPS = {
    "小吃店": "food", "餐馆": "food", "面馆": "food", "早点店": "food", "包子铺": "food", "卤菜店": "food",
    "烧饼店": "food", "麻辣烫店": "food", "奶茶店": "food", "茶社": "food", "副食品店": "food", "鲜肉店": "food",
    "水产店": "food", "粮油店": "food", "烟酒店": "tobacco", "酒行": "tobacco", "药房": "medicine",
    "理发店": "hygiene", "足浴店": "hygiene", "美容院": "hygiene", "浴室": "hygiene",
    "汽车修理部": "transport", "废品回收站": "environment",
}

# Institutions (事业单位, USCC 12…) and social organisations (社会团体 51, 民办非企业单位 52, 基金会 53).
INSTITUTIONS = (
    "中学", "实验小学", "幼儿园", "卫生院", "社区卫生服务中心", "人民医院", "中医院", "疾病预防控制中心", "图书馆",
    "档案馆", "检验检测中心", "公证处", "农业技术推广中心", "水利工程管理处", "城市照明管理处", "职业高级中学",
    "妇幼保健院", "文化馆", "博物馆", "不动产登记中心",
)
INSTITUTION_GROUPS = {"卫生院": "medicine", "社区卫生服务中心": "medicine", "人民医院": "medicine",
                      "中医院": "medicine", "妇幼保健院": "medicine", "疾病预防控制中心": "medicine"}
SOCIAL_ORGANISATIONS: tuple[tuple[str, str], ...] = (
    ("51", "协会"), ("51", "商会"), ("51", "学会"), ("51", "研究会"), ("51", "联合会"), ("51", "促进会"),
    ("52", "培训学校"), ("52", "养老院"), ("52", "社会工作服务中心"), ("52", "艺术培训中心"), ("52", "康复中心"),
    ("53", "慈善基金会"), ("53", "教育基金会"),
)
SOCIAL_TOPICS = ("餐饮", "建筑业", "物流", "软件", "漆器", "玉器", "园林", "古琴", "书法", "盆景", "烹饪", "旅游",
                 "电子商务", "青年创业", "老年体育", "志愿者", "家政服务", "汽车维修", "食品安全", "中医药")

# The hundred most common surnames, roughly by frequency, and given-name characters.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁浩俊峰建国志文东海林兵亮健云龙晨宇轩博锋成康凯永春"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲桂英萍红燕琳婷雪慧颖倩洁梅琴云莉佳丹欣怡悦璐婧蓉晶月萱琪妍雯薇楠"
