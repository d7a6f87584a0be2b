"""The mirror's sites of the other CMS families, as data: Jiangxi's new platform, TRS WCM, gkmlpt.

Each entry is one ``Site`` with the quirks its family shows on real hosts and the
vocabulary its documents are drawn from. Sites marked ``extra`` are served on ports after the
default ones but left out of ``sites_yaml()`` and ``truth()``: the registry tests add them to a
sites file by hand, one YAML entry each, to prove a new site of a known family needs no code.

Ports: base+3 … base+7 default sites, base+8 … base+11 extra sites (one per family), base+12 and
base+13 extra sites on the structures of real 2025 pages: a new-platform site whose column pages
hand ``loadPageData`` a ``var params`` object and carry their first items inline (some with a
relation JSON), and a TRS-like site whose list sits inside an HTML comment beside sidebars of
热点信息 and 最新 that link to detail pages; base+14 (Hanweb) and base+15 (TRS) extra sites whose
document pages take the structures real detail pages showed (``mirror/realshapes.py``).
"""

from __future__ import annotations

from .model import Column, Site, Style

# ---------------------------------------------------------------- vocabulary

_GXT_TOPICS = [
    ("工业园区标准化建设", "中华人民共和国中小企业促进法", "工业、交通"),
    ("中小企业公共服务平台认定", "中华人民共和国中小企业促进法", "工业、交通"),
    ("专精特新中小企业培育", "中华人民共和国中小企业促进法", "工业、交通"),
    ("工业互联网平台培育", "中华人民共和国网络安全法", "工业、交通"),
    ("省级企业技术中心认定", "中华人民共和国科学技术进步法", "科技、教育"),
    ("民用爆炸物品安全生产监督", "民用爆炸物品安全管理条例", "公安、安全、司法"),
    ("工业节能监察", "中华人民共和国节约能源法", "城乡建设、环境保护"),
    ("绿色制造体系建设", "中华人民共和国循环经济促进法", "城乡建设、环境保护"),
    ("新型工业化产业示范基地", "中华人民共和国中小企业促进法", "工业、交通"),
    ("数字经济发展专项资金", "中华人民共和国预算法", "财政、金融、审计"),
    ("制造业单项冠军企业培育", "中华人民共和国中小企业促进法", "工业、交通"),
    ("工业设计中心认定", "中华人民共和国科学技术进步法", "科技、教育"),
    ("化工园区认定", "危险化学品安全管理条例", "工业、交通"),
    ("软件和信息技术服务业发展", "中华人民共和国网络安全法", "工业、交通"),
    ("工业资源综合利用", "中华人民共和国循环经济促进法", "城乡建设、环境保护"),
    ("盐业市场监督", "食盐专营办法", "商贸、海关、旅游"),
    ("移动物联网应用推广", "中华人民共和国电信条例", "工业、交通"),
    ("智能制造示范工厂建设", "中华人民共和国科学技术进步法", "工业、交通"),
]

_NEW_PORTAL_TOPICS = [
    ("县域经济高质量发展", "中华人民共和国乡村振兴促进法", "综合政务"),
    ("城市更新行动", "中华人民共和国城乡规划法", "城乡建设、环境保护"),
    ("生育支持政策体系建设", "中华人民共和国人口与计划生育法", "卫生、体育"),
    ("银发经济发展", "中华人民共和国老年人权益保障法", "民政、扶贫、救灾"),
    ("低空经济发展", "中华人民共和国民用航空法", "工业、交通"),
    ("首发经济培育", "中华人民共和国电子商务法", "商贸、海关、旅游"),
    ("政务服务效能提升", "优化营商环境条例", "综合政务"),
    ("涉企行政检查规范", "中华人民共和国行政处罚法", "综合政务"),
    ("耕地保护激励", "中华人民共和国土地管理法", "国土资源、能源"),
    ("住房以旧换新", "中华人民共和国民法典", "城乡建设、环境保护"),
    ("设备更新和消费品以旧换新", "中华人民共和国循环经济促进法", "商贸、海关、旅游"),
    ("数据要素市场化配置", "中华人民共和国数据安全法", "综合政务"),
    ("就业优先政策落实", "中华人民共和国就业促进法", "劳动、人事、监察"),
    ("县域医共体建设", "中华人民共和国基本医疗卫生与健康促进法", "卫生、体育"),
    ("旅游业高质量发展", "中华人民共和国旅游法", "商贸、海关、旅游"),
    ("全域土地综合整治", "中华人民共和国土地管理法", "国土资源、能源"),
]

_HN_TOPICS = [
    ("油菜生产扶持", "中华人民共和国农业法", "农业、林业、水利"),
    ("柑橘产业提质增效", "中华人民共和国农业法", "农业、林业、水利"),
    ("稻渔综合种养", "中华人民共和国渔业法", "农业、林业、水利"),
    ("湘猪产业集群建设", "中华人民共和国畜牧法", "农业、林业、水利"),
    ("茶叶品牌培育", "中华人民共和国农产品质量安全法", "农业、林业、水利"),
    ("农机作业补贴", "中华人民共和国农业机械化促进法", "农业、林业、水利"),
    ("农村公共基础设施管护", "中华人民共和国乡村振兴促进法", "农业、林业、水利"),
    ("农产品仓储保鲜冷链设施建设", "中华人民共和国农业法", "农业、林业、水利"),
    ("农作物秸秆综合利用", "中华人民共和国循环经济促进法", "农业、林业、水利"),
    ("渔业安全生产", "中华人民共和国渔业法", "农业、林业、水利"),
    ("畜禽遗传资源保护", "中华人民共和国畜牧法", "农业、林业、水利"),
    ("农业品牌建设", "中华人民共和国农产品质量安全法", "农业、林业、水利"),
    ("乡村工匠培育", "中华人民共和国乡村振兴促进法", "农业、林业、水利"),
    ("耕地撂荒治理", "中华人民共和国土地管理法", "农业、林业、水利"),
    ("粮食生产功能区建设", "中华人民共和国粮食安全保障法", "农业、林业、水利"),
    ("兽医社会化服务", "中华人民共和国动物防疫法", "农业、林业、水利"),
]

_GZ_TOPICS = [
    ("磷石膏综合利用", "中华人民共和国固体废物污染环境防治法", "城乡建设、环境保护"),
    ("喀斯特地区石漠化综合治理", "中华人民共和国水土保持法", "城乡建设、环境保护"),
    ("赤水河流域生态保护", "中华人民共和国长江保护法", "城乡建设、环境保护"),
    ("锰污染综合治理", "中华人民共和国水污染防治法", "城乡建设、环境保护"),
    ("乌江流域水环境保护", "中华人民共和国水污染防治法", "城乡建设、环境保护"),
    ("生态环境损害修复", "中华人民共和国民法典", "城乡建设、环境保护"),
    ("酒类生产企业废水治理", "中华人民共和国水污染防治法", "城乡建设、环境保护"),
    ("煤矿矿井水污染防治", "中华人民共和国水污染防治法", "城乡建设、环境保护"),
    ("大气污染物排放监测", "中华人民共和国大气污染防治法", "城乡建设、环境保护"),
    ("生态文明建设示范区创建", "中华人民共和国环境保护法", "城乡建设、环境保护"),
    ("环境监测站运行", "中华人民共和国环境保护法", "城乡建设、环境保护"),
    ("土壤污染重点监管单位管理", "中华人民共和国土壤污染防治法", "城乡建设、环境保护"),
    ("电磁辐射环境管理", "中华人民共和国放射性污染防治法", "城乡建设、环境保护"),
    ("山地旅游景区环境保护", "中华人民共和国环境保护法", "城乡建设、环境保护"),
    ("农村黑臭水体治理", "中华人民共和国水污染防治法", "城乡建设、环境保护"),
]

_GD_TOPICS = [
    ("粤港澳大湾区规则衔接", "中华人民共和国立法法", "综合政务"),
    ("制造业当家", "中华人民共和国中小企业促进法", "工业、交通"),
    ("百县千镇万村高质量发展", "中华人民共和国乡村振兴促进法", "农业、林业、水利"),
    ("海洋经济发展", "中华人民共和国海域使用管理法", "国土资源、能源"),
    ("跨境电子商务综合试验区建设", "中华人民共和国电子商务法", "商贸、海关、旅游"),
    ("珠三角产业有序转移", "中华人民共和国中小企业促进法", "工业、交通"),
    ("华侨农场改革发展", "中华人民共和国归侨侨眷权益保护法", "民政、扶贫、救灾"),
    ("粤东西北地区振兴", "中华人民共和国预算法", "财政、金融、审计"),
    ("人工智能产业发展", "中华人民共和国科学技术进步法", "科技、教育"),
    ("海上风电项目建设", "中华人民共和国可再生能源法", "国土资源、能源"),
    ("广东技工培养", "中华人民共和国职业教育法", "劳动、人事、监察"),
    ("岭南文化保护传承", "中华人民共和国非物质文化遗产法", "科技、教育"),
    ("南粤家政服务提升", "中华人民共和国就业促进法", "劳动、人事、监察"),
    ("绿美广东生态建设", "中华人民共和国森林法", "农业、林业、水利"),
    ("港口岸线资源管理", "中华人民共和国港口法", "工业、交通"),
    ("低空飞行服务保障", "中华人民共和国民用航空法", "工业、交通"),
    ("省级新区建设", "中华人民共和国城乡规划法", "城乡建设、环境保护"),
]

_SLT_TOPICS = [
    ("水利工程运行管理", "中华人民共和国水法", "农业、林业、水利"),
    ("小型水库安全管理", "水库大坝安全管理条例", "农业、林业、水利"),
    ("农村供水工程建设", "中华人民共和国水法", "农业、林业、水利"),
    ("水土保持补偿费征收", "中华人民共和国水土保持法", "农业、林业、水利"),
    ("鄱阳湖水利枢纽调度", "中华人民共和国防洪法", "农业、林业、水利"),
    ("山洪灾害防御", "中华人民共和国防洪法", "农业、林业、水利"),
    ("取水许可管理", "取水许可和水资源费征收管理条例", "农业、林业、水利"),
]

_DRC_TOPICS = [
    ("省重点建设项目管理", "政府投资条例", "综合政务"),
    ("价格认定", "中华人民共和国价格法", "商贸、海关、旅游"),
    ("节能审查", "中华人民共和国节约能源法", "国土资源、能源"),
    ("社会信用修复", "中华人民共和国行政处罚法", "综合政务"),
    ("企业投资项目核准和备案", "企业投资项目核准和备案管理条例", "综合政务"),
    ("粮食储备轮换", "中华人民共和国粮食安全保障法", "商贸、海关、旅游"),
    ("电力需求侧管理", "中华人民共和国电力法", "国土资源、能源"),
]

_HB_TOPICS = [
    ("长江岸线生态修复", "中华人民共和国长江保护法", "城乡建设、环境保护"),
    ("汉江流域水质保护", "中华人民共和国水污染防治法", "城乡建设、环境保护"),
    ("湖泊生态环境保护", "中华人民共和国环境保护法", "城乡建设、环境保护"),
    ("磷化工企业污染治理", "中华人民共和国水污染防治法", "城乡建设、环境保护"),
    ("江汉平原农业面源污染防治", "中华人民共和国土壤污染防治法", "城乡建设、环境保护"),
    ("环境应急物资储备", "中华人民共和国突发事件应对法", "城乡建设、环境保护"),
    ("生态环境监测网络建设", "中华人民共和国环境保护法", "城乡建设、环境保护"),
]

_RST_TOPICS = [
    ("技能人才评价", "中华人民共和国劳动法", "劳动、人事、监察"),
    ("失业保险稳岗返还", "失业保险条例", "劳动、人事、监察"),
    ("工伤保险待遇调整", "工伤保险条例", "劳动、人事、监察"),
    ("博士后科研工作站管理", "中华人民共和国科学技术进步法", "劳动、人事、监察"),
    ("人力资源服务机构管理", "人力资源市场暂行条例", "劳动、人事、监察"),
    ("灵活就业人员社会保险", "中华人民共和国社会保险法", "劳动、人事、监察"),
    ("港澳台居民就业服务", "中华人民共和国就业促进法", "劳动、人事、监察"),
]


_JTT_TOPICS = [
    ("农村公路养护管理", "中华人民共和国公路法", "工业、交通"),
    ("道路运输安全生产", "中华人民共和国道路运输条例", "工业、交通"),
    ("内河航道保护", "中华人民共和国航道法", "工业、交通"),
    ("港口危险货物作业", "中华人民共和国港口法", "工业、交通"),
    ("公路超限运输治理", "公路安全保护条例", "工业、交通"),
    ("城市公共交通优先发展", "中华人民共和国道路交通安全法", "工业、交通"),
    ("交通建设工程质量监督", "建设工程质量管理条例", "城乡建设、环境保护"),
    ("网络预约出租汽车经营服务", "中华人民共和国道路运输条例", "工业、交通"),
]

_JYT_TOPICS = [
    ("中小学课后服务", "中华人民共和国教育法", "科技、教育"),
    ("学前教育普惠发展", "中华人民共和国学前教育法", "科技、教育"),
    ("乡村教师生活补助", "中华人民共和国教师法", "科技、教育"),
    ("职业院校技能大赛", "中华人民共和国职业教育法", "科技、教育"),
    ("校外培训机构监管", "中华人民共和国未成年人保护法", "科技、教育"),
    ("学生资助资金管理", "中华人民共和国预算法", "财政、金融、审计"),
    ("中小学教材管理", "中华人民共和国教育法", "科技、教育"),
    ("高校毕业生就业创业", "中华人民共和国就业促进法", "劳动、人事、监察"),
]


_ZJ_TOPICS = [
    ("保障性租赁住房运营", "中华人民共和国城市房地产管理法", "城乡建设、环境保护"),
    ("住房公积金缴存", "住房公积金管理条例", "城乡建设、环境保护"),
    ("物业服务收费", "物业管理条例", "城乡建设、环境保护"),
    ("建筑施工安全生产", "建设工程安全生产管理条例", "城乡建设、环境保护"),
    ("房地产经纪机构备案", "中华人民共和国城市房地产管理法", "城乡建设、环境保护"),
    ("城镇老旧小区改造", "中华人民共和国城乡规划法", "城乡建设、环境保护"),
    ("建设工程消防验收", "中华人民共和国消防法", "城乡建设、环境保护"),
    ("装配式建筑推广", "中华人民共和国建筑法", "城乡建设、环境保护"),
]

_BJ_TOPICS = [
    ("住房租赁市场管理", "中华人民共和国城市房地产管理法", "城乡建设、环境保护"),
    ("既有建筑节能改造", "中华人民共和国节约能源法", "城乡建设、环境保护"),
    ("商品房预售资金监管", "中华人民共和国城市房地产管理法", "城乡建设、环境保护"),
    ("建筑业企业资质管理", "中华人民共和国建筑法", "城乡建设、环境保护"),
    ("共有产权住房管理", "中华人民共和国民法典", "城乡建设、环境保护"),
    ("城市更新实施单元划定", "中华人民共和国城乡规划法", "城乡建设、环境保护"),
    ("住宅专项维修资金管理", "物业管理条例", "城乡建设、环境保护"),
    ("建设工程质量检测", "建设工程质量管理条例", "城乡建设、环境保护"),
]


def _vocab(topics, issuers, index_org, decoy, id_start) -> dict:
    return {
        "topics": topics,
        "issuers": issuers,
        "index_org": index_org,
        "decoys": [decoy],
        "id_start": id_start,
    }


# ---------------------------------------------------------------- Jiangxi new platform

GXT = Site(
    name="jx-gxt",
    title="江西省工业和信息化厅",
    short="省工业和信息化厅",
    family="jxnew",
    offset=3,
    webid=0,
    domain="gxt.jiangxi.gov.cn",
    idcode="3600000041",
    host_org="江西省工业和信息化厅",
    icp="赣ICP备05004212号",
    code="jxsgyhxxht",
    columns=[
        Column(1, "371204", "规范性文件", "normative", 50, code="gfxwj"),
        Column(2, "371219", "解读材料", "interpretation", 18, code="jdcl"),
    ],
    style=Style(layouts=(("C", 0.5), ("A", 0.5)), attachments_outside=0.4),
    quirks={
        "array_fields": True,  # the jpage call posts webSiteCode[] / channelCode[]
        "template": "department",  # 发布机构：</strong><span>…</span> list, no table
        "column_path": "{site}/{channel}/index.html",
    },
    vocab=_vocab(
        _GXT_TOPICS,
        [
            (
                "江西省工业和信息化厅",
                ("赣工信规字", "赣工信规字", "赣工信字"),
                "各设区市工业和信息化局，赣江新区经济发展局，厅机关各处室：",
            )
        ],
        "014501401",
        ("工业和信息化部关于印发《工业领域数据安全能力提升实施方案》的通知", "工业和信息化部"),
        1_740_000,
    ),
)

NEW_PORTAL = Site(
    name="jx-portal-new",
    title="江西省人民政府",
    short="省政府",
    family="jxnew",
    offset=4,
    webid=0,
    domain="www.jiangxi.gov.cn",
    idcode="3600000014",
    host_org="江西省人民政府办公厅",
    icp="赣ICP备05004238号",
    code="jxszf",
    columns=[
        Column(11, "389995", "省政府文件", "normative", 40, code="col72576"),
        Column(12, "368486", "政策解读", "interpretation", 16, code="col5868"),
    ],
    style=Style(layouts=(("A", 1.0),), attachments_outside=0.0),
    quirks={
        "array_fields": False,  # plain webSiteCode / channelCode field names
        "template": "portal",  # a 信息公开 table above the title
        "column_path": "{site}/col/{channel}/index.html",
    },
    vocab=_vocab(
        _NEW_PORTAL_TOPICS,
        [
            ("江西省人民政府", ("赣府发", "赣府字"), "各设区市人民政府，省政府各部门："),
            ("江西省人民政府办公厅", ("赣府厅发", "赣府厅字"), "各设区市人民政府，省政府各部门："),
        ],
        "000014349",
        ("国务院关于促进服务消费高质量发展的意见", "国务院"),
        3_900_000,
    ),
)

# ---------------------------------------------------------------- TRS WCM

HN = Site(
    name="hn-nynct",
    title="湖南省农业农村厅",
    short="省农业农村厅",
    family="trs",
    offset=5,
    webid=0,
    domain="agri.hunan.gov.cn",
    idcode="4300000024",
    host_org="湖南省农业农村厅",
    icp="湘ICP备05000811号",
    province="湖南省",
    columns=[
        Column(21, "", "规范性文件", "normative", 48, code="/xxgk/gfxwj/"),
        Column(22, "", "政策解读", "interpretation", 16, code="/xxgk/zcjd/"),
    ],
    style=Style(layouts=(("A", 0.6), ("B", 0.2), ("C", 0.2)), attachments_outside=0.3),
    quirks={
        "charset": "utf-8",
        "per_page": 20,
        "pager": "pages",  # createPageHTML(pages, current0, "index", "html")
        "prefix": "index",
        "suffix": "html",
        "stub_page": True,  # the pager announces one page more, served as a near-empty stub
        "body_class": "TRS_Editor",
    },
    vocab=_vocab(
        _HN_TOPICS,
        [
            (
                "湖南省农业农村厅",
                ("湘农发", "湘农规", "湘农联"),
                "各市州农业农村局，厅机关各处室、直属各单位：",
            )
        ],
        "11430000006148961R",
        ("农业农村部关于印发《农业品牌精品培育计划》的通知", "农业农村部"),
        610_000,
    ),
)

GZ = Site(
    name="gz-sthjt",
    title="贵州省生态环境厅",
    short="省生态环境厅",
    family="trs",
    offset=6,
    webid=0,
    domain="sthj.guizhou.gov.cn",
    idcode="5200000043",
    host_org="贵州省生态环境厅",
    icp="黔ICP备05003457号",
    province="贵州省",
    columns=[
        Column(31, "", "规范性文件", "normative", 45, code="/zwgk/zcwj/gfxwj/"),
        Column(32, "", "政策解读", "interpretation", 14, code="/zwgk/zcjd/"),
    ],
    style=Style(layouts=(("A", 0.5), ("C", 0.5)), attachments_outside=0.2),
    quirks={
        # Quirk of real hosts: an older TRS host serving GBK while its HTTP header says UTF-8 on
        # article pages and names no charset on list pages.
        "charset": "gbk",
        "per_page": 15,
        "pager": "container",  # createPageHTML('page_div', pages, current1, 'list', 'shtml', total)
        "prefix": "list",
        "suffix": "shtml",
        "body_class": "trs_editor_view TRS_UEDITOR",
    },
    vocab=_vocab(
        _GZ_TOPICS,
        [
            (
                "贵州省生态环境厅",
                ("黔环规", "黔环通", "黔环发"),
                "各市（州）生态环境局，厅机关各处（室）、直属各单位：",
            )
        ],
        "11520000MB1L04433X",
        ("生态环境部关于印发《关于进一步优化环境影响评价工作的意见》的通知", "生态环境部"),
        880_000,
    ),
)

# ---------------------------------------------------------------- Guangdong gkmlpt

GD = Site(
    name="gd-gov",
    title="广东省人民政府",
    short="省政府",
    family="gkmlpt",
    offset=7,
    webid=0,
    domain="www.gd.gov.cn",
    idcode="4400000119",
    host_org="广东省人民政府办公厅",
    icp="粤ICP备05070829号",
    province="广东省",
    code="2",  # SID
    columns=[
        Column(41, "", "规范性文件", "normative", 60, code="5"),
        Column(42, "", "政策解读", "interpretation", 16, code="7"),
    ],
    style=Style(layouts=(("A", 1.0),), attachments_outside=1.0),
    quirks={"per_page": 20},
    vocab=_vocab(
        _GD_TOPICS,
        [
            (
                "广东省人民政府",
                ("粤府", "粤府函"),
                "各地级以上市人民政府，省政府各部门、各直属机构：",
            ),
            (
                "广东省人民政府办公厅",
                ("粤府办", "粤办函"),
                "各地级以上市人民政府，省政府各部门、各直属机构：",
            ),
        ],
        "006939748",
        ("国务院关于加快经济社会发展全面绿色转型的意见", "国务院"),
        4_310_000,
    ),
)

# ---------------------------------------------------------------- extra sites (registry tests)

SLT = Site(
    name="jx-slt",
    title="江西省水利厅",
    short="省水利厅",
    family="hanweb",
    offset=8,
    webid=71,
    domain="slt.jiangxi.gov.cn",
    idcode="3600000055",
    host_org="江西省水利厅",
    icp="赣ICP备05004307号",
    columns=[
        Column(33584, "318210", "规范性文件", "normative", 14),
        Column(33587, "318222", "政策解读", "interpretation", 5),
    ],
    style=Style(layouts=(("A", 0.6), ("C", 0.4)), dataproxy="records", robots="allow"),
    vocab=_vocab(
        _SLT_TOPICS,
        [("江西省水利厅", ("赣水规", "赣水字"), "各设区市水利（务）局，厅机关各处室：")],
        "014501452",
        ("水利部关于印发《水利工程标准化管理评价办法》的通知", "水利部"),
        2_600_000,
    ),
    extra=True,
)

DRC = Site(
    name="jx-drc",
    title="江西省发展和改革委员会",
    short="省发展改革委",
    family="jxnew",
    offset=9,
    webid=0,
    domain="drc.jiangxi.gov.cn",
    idcode="3600000031",
    host_org="江西省发展和改革委员会",
    icp="赣ICP备05004193号",
    code="jxsfzhggwyh",
    columns=[
        Column(51, "522756", "规范性文件", "normative", 14, code="col14590"),
        Column(52, "522761", "政策解读", "interpretation", 5, code="col14593"),
    ],
    style=Style(layouts=(("C", 0.6), ("A", 0.4))),
    quirks={
        "array_fields": True,
        "template": "department",
        "column_path": "{site}/col/{channel}/index.html",
    },
    vocab=_vocab(
        _DRC_TOPICS,
        [
            (
                "江西省发展和改革委员会",
                ("赣发改规", "赣发改价格"),
                "各设区市发展改革委，委机关各处室：",
            )
        ],
        "014501307",
        ("国家发展改革委关于印发《企业投资项目事中事后监管办法》的通知", "国家发展改革委"),
        1_520_000,
    ),
    extra=True,
)

HB = Site(
    name="hb-sthjt",
    title="湖北省生态环境厅",
    short="省生态环境厅",
    family="trs",
    offset=10,
    webid=0,
    domain="sthjt.hubei.gov.cn",
    idcode="4200000066",
    host_org="湖北省生态环境厅",
    icp="鄂ICP备05003446号",
    province="湖北省",
    columns=[
        Column(61, "", "规范性文件", "normative", 14, code="/fbjd/zc/gfxwj/"),
        Column(62, "", "政策解读", "interpretation", 5, code="/fbjd/zc/zcjd/"),
    ],
    style=Style(layouts=(("A", 0.5), ("B", 0.5))),
    quirks={
        "charset": "utf-8",
        "per_page": 6,
        "pager": "createPage",  # createPage(pages, current0, "index", "shtml")
        "prefix": "index",
        "suffix": "shtml",
        "body_class": "TRS_Editor",
    },
    vocab=_vocab(
        _HB_TOPICS,
        [("湖北省生态环境厅", ("鄂环发", "鄂环规"), "各市、州、直管市、神农架林区生态环境局：")],
        "011043207",
        ("生态环境部关于印发《长江流域水生态考核指标评分细则》的通知", "生态环境部"),
        455_000,
    ),
    extra=True,
)

RST = Site(
    name="gd-rst",
    title="广东省人力资源和社会保障厅",
    short="省人力资源社会保障厅",
    family="gkmlpt",
    offset=11,
    webid=0,
    domain="hrss.gd.gov.cn",
    idcode="4400000132",
    host_org="广东省人力资源和社会保障厅",
    icp="粤ICP备05008327号",
    province="广东省",
    code="200025",
    columns=[
        Column(71, "", "规范性文件", "normative", 14, code="505"),
        Column(72, "", "解读文件", "interpretation", 5, code="507"),
    ],
    style=Style(layouts=(("A", 1.0),)),
    quirks={"per_page": 5},
    vocab=_vocab(
        _RST_TOPICS,
        [
            (
                "广东省人力资源和社会保障厅",
                ("粤人社规", "粤人社发"),
                "各地级以上市人力资源社会保障局，厅机关各处室：",
            )
        ],
        "006940020",
        ("人力资源社会保障部关于印发《技能人才薪酬分配指引》的通知", "人力资源社会保障部"),
        5_120_000,
    ),
    extra=True,
)

# ---------------------------------------------------------------- extra sites on real 2025 pages

JTT = Site(
    name="jx-jtt",
    title="江西省交通运输厅",
    short="省交通运输厅",
    family="jxnew",
    offset=12,
    webid=0,
    domain="jtt.jiangxi.gov.cn",
    idcode="3600000061",
    host_org="江西省交通运输厅",
    icp="赣ICP备05004266号",
    code="jxsjtyst",
    columns=[
        Column(81, "380061", "规范性文件", "normative", 24, code="col42871"),
        Column(82, "380067", "政策解读", "interpretation", 8, code="col42874"),
    ],
    style=Style(layouts=(("C", 0.5), ("A", 0.5)), attachments_outside=0.3),
    quirks={
        "array_fields": True,
        "template": "department",
        "column_path": "{site}/col/{channel}/index.html",
        # The 2025 department template (seen on Jiangxi's 生态环境厅): no jpage call; a ``var
        # params`` object handed to loadPageData, the first items inline in ``var listData``
        # (each with a relationUrl; a relation JSON where ``relation`` is 1), the count in
        # ``var channelsTagSelf``, and ``<base href>``.
        "column_template": "loadPageData",
        "inline_items": 20,
    },
    vocab=_vocab(
        _JTT_TOPICS,
        [("江西省交通运输厅", ("赣交规字", "赣交运字"), "各设区市交通运输局，厅直各单位：")],
        "014501425",
        ("交通运输部关于印发《农村公路养护管理办法》的通知", "交通运输部"),
        2_150_000,
    ),
    extra=True,
)

JYT = Site(
    name="gs-jyt",
    title="甘肃省教育厅",
    short="省教育厅",
    family="trs",
    offset=13,
    webid=0,
    domain="jyt.gansu.gov.cn",
    idcode="6200000027",
    host_org="甘肃省教育厅",
    icp="陇ICP备05000397号",
    province="甘肃省",
    columns=[
        Column(91, "", "文件通知", "normative", 23, code="/jyt/c110634/"),
        Column(92, "", "政策解读", "interpretation", 7, code="/jyt/c110641/"),
    ],
    style=Style(layouts=(("A", 0.5), ("C", 0.5))),
    quirks={
        "charset": "utf-8",
        "per_page": 10,
        "pager": "container",  # createPageHTML('page_div', pages, current1, 'zwgklist', 'shtml', total)
        "prefix": "zwgklist",
        "suffix": "shtml",
        "body_class": "TRS_Editor",
        # Gansu's 教育厅 (2025): the list, pager call included, inside an HTML comment in an empty
        # <ul> (painted by script); item pages named by a bare number, no t-date; sidebars of
        # 热点信息 (the other column's pages) and 最新 (the column's newest) beside it.
        "list_in_comment": True,
        "plain_names": True,
        "sidebar": True,
    },
    vocab=_vocab(
        _JYT_TOPICS,
        [("甘肃省教育厅", ("甘教发", "甘教规"), "各市（州）教育局，兰州新区教育和体育局：")],
        "11620000013911037K",
        ("教育部关于印发《中小学教材管理办法》的通知", "教育部"),
        174_100_000,
    ),
    extra=True,
)

# ---------------------------------------------------------------- extra sites on real detail pages

# Two sites whose document pages take, page by page, the structures real detail pages showed
# (docs/sites.md; the shapes and their truth are in mirror/realshapes.py): a Hanweb site with the
# templates of Zhejiang, Liaoning, Gansu and EasySite pages, a TRS site with those of Beijing,
# Chongqing, Changsha, Fujian, Wuhan and Gansu. Their lists and interpretation pages are their
# family's own.

ZJ = Site(
    name="zj-jst",
    title="浙江省住房和城乡建设厅",
    short="省建设厅",
    family="hanweb",
    offset=14,
    webid=3412,
    domain="jst.zj.gov.cn",
    idcode="3300000037",
    host_org="浙江省住房和城乡建设厅",
    icp="浙ICP备05003560号",
    province="浙江省",
    columns=[
        Column(1229159376, "7541240", "行政规范性文件", "normative", 16),
        Column(1229159380, "7541252", "政策解读", "interpretation", 8),
    ],
    style=Style(layouts=(("A", 1.0),), dataproxy="records", robots="allow"),
    quirks={"detail_shapes": True},
    vocab=_vocab(
        _ZJ_TOPICS,
        [
            (
                "浙江省住房和城乡建设厅",
                ("浙建", "浙建规", "浙建房"),
                "各市、县（市、区）住房城乡建设主管部门，厅机关各处室：",
            )
        ],
        "002482153",
        ("住房城乡建设部关于印发《城市更新行动实施方案》的通知", "住房城乡建设部"),
        2_480_000,
    ),
    extra=True,
)

BJ = Site(
    name="bj-zjw",
    title="北京市住房和城乡建设委员会",
    short="市住房城乡建设委",
    family="trs",
    offset=15,
    webid=0,
    domain="zjw.beijing.gov.cn",
    idcode="1100000068",
    host_org="北京市住房和城乡建设委员会",
    icp="京ICP备05060933号",
    province="北京市",
    columns=[
        Column(101, "", "规范性文件", "normative", 18, code="/zwxx/gfxwj/"),
        Column(102, "", "政策解读", "interpretation", 7, code="/zwxx/zcjd/"),
    ],
    style=Style(layouts=(("A", 1.0),)),
    quirks={
        "charset": "utf-8",
        "per_page": 10,
        "pager": "pages",  # createPageHTML(pages, current0, "index", "html")
        "prefix": "index",
        "suffix": "html",
        "body_class": "TRS_Editor",
        "detail_shapes": True,
    },
    vocab=_vocab(
        _BJ_TOPICS,
        [
            (
                "北京市住房和城乡建设委员会",
                ("京建发", "京建法"),
                "各区住房城乡建设委（房管局），经济技术开发区开发建设局，各有关单位：",
            )
        ],
        "11110000000021135M",
        (
            "住房城乡建设部关于印发《房屋市政工程生产安全重大事故隐患判定标准》的通知",
            "住房城乡建设部",
        ),
        4_780_000,
    ),
    extra=True,
)

MORE_SITES: list[Site] = [GXT, NEW_PORTAL, HN, GZ, GD, SLT, DRC, HB, RST, JTT, JYT, ZJ, BJ]
