"""The sites the mirror serves, as data: one entry per site, one port each from the base port.

Column ids, webids and unit ids of the portal are those the real portal uses; the department
sites' ids are invented but shaped like the real ones. Adding a site of a known family is one entry here.
"""

from __future__ import annotations

from .model import Column, Ref, Site, Style
from .more_sites import MORE_SITES

PORTAL = Site(
    name="jx-portal",
    title="江西省人民政府",
    short="省政府",
    family="hanweb",
    offset=0,
    webid=3,
    domain="www.jiangxi.gov.cn",
    idcode="3600000014",
    host_org="江西省人民政府办公厅",
    icp="赣ICP备05004238号",
    columns=[
        Column(64511, "389962", "规章", "rule", 60),
        Column(48469, "389995", "规范性文件", "normative", 200),
        Column(5868, "368486", "部门解读", "interpretation", 60),
    ],
    style=Style(
        quote='"',
        date_tag="span",
        xxgkhide_columns=(48469,),
        dataproxy="records",
        robots="allow",
        pubdate_seconds=0.0,
        layouts=(("A", 0.75), ("B", 0.25)),
        self_closed_meta=0.3,
        index_format="org",
    ),
)

NYNC = Site(
    name="jx-nync",
    title="江西省农业农村厅",
    short="省农业农村厅",
    family="hanweb",
    offset=1,
    webid=46,
    domain="nync.jiangxi.gov.cn",
    idcode="3600000036",
    host_org="江西省农业农村厅",
    icp="赣ICP备05004186号",
    columns=[
        Column(27784, "305681", "规范性文件", "normative", 100),
        Column(27786, "305690", "政策解读", "interpretation", 40),
    ],
    style=Style(
        quote='"',
        date_tag="span",
        padded=True,
        split_dates=True,
        absolute_links=True,
        truncate_titles=28,
        dataproxy="pages",
        robots="missing",
        pubdate_seconds=1.0,
        layouts=(("B", 0.5), ("C", 0.4), ("A", 0.1)),
        self_closed_meta=0.5,
        index_format="org",
    ),
)

STHJT = Site(
    name="jx-sthjt",
    title="江西省生态环境厅",
    short="省生态环境厅",
    family="hanweb",
    offset=2,
    webid=63,
    domain="sthjt.jiangxi.gov.cn",
    idcode="3600000052",
    host_org="江西省生态环境厅",
    icp="赣ICP备05004190号",
    prefix="/jxssthjt",
    columns=[
        Column(42150, "312455", "规范性文件", "normative", 80),
        Column(42153, "312470", "政策解读", "interpretation", 30),
    ],
    style=Style(
        quote="'",
        date_tag="b",
        number_spans=(42150,),
        dataproxy="records",
        lookahead=True,
        robots="disallow",
        pubdate_seconds=0.5,
        layouts=(("A", 0.5), ("C", 0.3), ("B", 0.2)),
        self_closed_meta=0.2,
        attachments_outside=0.5,
        index_format="dated",
        center_div=True,
    ),
)

# The Hanweb sites above, then the sites of the other families (and the extra, registry-test ones).
SITES: list[Site] = [PORTAL, NYNC, STHJT, *MORE_SITES]


def site_by_name(name: str) -> Site:
    """The site called ``name``."""
    return next(s for s in SITES if s.name == name)


def origin(site: Site, base_port: int, host: str = "127.0.0.1") -> str:
    """``http://127.0.0.1:{port}`` for a site served from ``base_port``."""
    return f"http://{host}:{base_port + site.offset}"


def url(ref: Ref, base_port: int) -> str:
    """The absolute URL of a page of the world."""
    return origin(site_by_name(ref.site), base_port) + ref.path


def href(ref: Ref, here: Site, base_port: int, absolute: bool = False) -> str:
    """A link to ``ref`` as written on a page of ``here``: a path on the same site, else a URL."""
    if ref.site == here.name and not absolute:
        return ref.path
    return url(ref, base_port)
