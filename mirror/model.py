"""The mirror's data model: sites (as data), and the documents and interpretations they publish.

The world is generated once, independent of the port it is served on: pages refer to each other
by ``Ref`` (site name + path) and become absolute URLs only when rendered or written to the truth.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Ref:
    """A page of the world: which site, and its path on that site."""

    site: str
    path: str


@dataclass
class Column:
    """A list column (规章, 规范性文件, 政策解读 …) of a site."""

    id: int
    unitid: str
    title: str
    kind: str  # rule | normative | interpretation
    count: int
    code: str = ""  # other families: channel code, TRS column directory, gkmlpt category id


@dataclass
class Style:
    """How one site renders what every site of its family renders.

    Each field is a quirk seen on a real site; a new site of a known family is a new ``Style``.
    """

    quote: str = '"'  # attribute quotes in list items
    date_tag: str = "span"  # "span" → <span class="bt-data-time">, "b" → <b>
    padded: bool = False  # heavy whitespace padding inside list items
    split_dates: bool = False  # list dates split over lines
    absolute_links: bool = False  # list links carry scheme and host
    xxgkhide_columns: tuple[int, ...] = ()  # columns whose links end in ?xxgkhide=1
    number_spans: tuple[int, ...] = ()  # columns whose items show 文号 and 索引号 spans
    truncate_titles: int = 0  # list text cut to this many characters (full title in @title)
    dataproxy: str = "records"  # "records" (POST start/end) or "pages" (GET ?page=N)
    lookahead: bool = False  # each later group repeats the previous group's last record
    robots: str = "allow"  # "allow" | "missing" (404) | "disallow"
    pubdate_seconds: float = 0.0  # share of PubDate values carrying seconds
    layouts: tuple[tuple[str, float], ...] = (("A", 1.0),)  # disclosure table layouts, weights
    self_closed_meta: float = 0.3  # share of pages with <meta name="ContentStart"/>
    attachments_outside: float = 0.0  # share of pages listing attachments after the content
    index_format: str = "org"  # "org" → 000014349/2022-00018, "dated" → 2026-02-00018
    center_div: bool = False  # centred body lines are <div>s rather than <p>s


@dataclass
class Site:
    """One website of the mirror, served on base port + ``offset``."""

    name: str
    title: str
    family: str  # hanweb (later: trs, gkmlpt, jxnew)
    offset: int
    webid: int
    domain: str
    idcode: str  # 网站标识码
    host_org: str  # 主办单位
    icp: str
    columns: list[Column]
    style: Style
    prefix: str = ""  # site-code prefix such as /jxssthjt
    short: str = ""  # short name used in running text, e.g. 省农业农村厅
    faults: dict = field(default_factory=dict)  # switchable faults, none yet
    # Other CMS families (mirror/families.py): their site code (jxnew siteCode, gkmlpt SID),
    # family-specific rendering quirks, and the vocabulary their documents are drawn from.
    code: str = ""
    province: str = "江西省"
    quirks: dict = field(default_factory=dict)
    vocab: dict = field(default_factory=dict)
    extra: bool = False  # served, but left out of sites_yaml() and truth() (registry tests)
    layout_changed: bool = False  # serve a redesigned list layout the crawler cannot read

    def column(self, column_id: int) -> Column | None:
        """The column with this id, if the site has it."""
        return next((c for c in self.columns if c.id == column_id), None)


@dataclass
class Link:
    """An inline hyperlink inside a block of text."""

    text: str
    ref: Ref | None = None  # a page of the world
    href: str = ""  # or a site-relative href (attachments)


@dataclass
class Image:
    """An inline picture (图解 pages); it adds no text."""

    src: str
    text: str = ""


@dataclass
class Block:
    """One block element (a line of body text): plain text, links and pictures, maybe aligned."""

    parts: list[str | Link | Image]
    align: str = ""  # "", "center", "right"
    strong: bool = False

    @property
    def text(self) -> str:
        """The block's text as a reader sees it."""
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)


@dataclass
class Attachment:
    """A file attached to a page: its stored name and the text lines it holds."""

    filename: str  # {32 hex}.{ext}
    showname: str
    ext: str
    lines: list[str]
    link: str = ""  # the download path on sites of other families (mirror/families.py)

    @property
    def href(self) -> str:
        """The site-relative download link, as Hanweb writes it (showname percent-encoded)."""
        if self.link:
            return self.link
        return (
            "/module/download/downfile.jsp?classid=0"
            f"&filename={self.filename}&showname={urllib.parse.quote(self.showname)}"
        )


@dataclass(eq=False)
class Article:
    """What documents and interpretations share: where they live and how they are shown."""

    site: str
    column: int
    kind: str
    title: str
    pub: datetime  # PubDate
    source: str  # ContentSource / 信息来源
    body: list[Block]
    attachments: list[Attachment] = field(default_factory=list)
    article_id: int = 0
    prefix: str = ""  # the site's site-code prefix (/jxssthjt)
    seed: int = 0  # per-page randomness for presentation (noise spellings, padding)
    spec: dict = field(default_factory=dict, repr=False)  # generation-time facts, not rendered

    @property
    def ref(self) -> Ref:
        """Where the page lives (set once the article id is assigned)."""
        return Ref(self.site, self.path)

    url_path: str = ""  # set for sites of other families (mirror/families.py)

    @property
    def path(self) -> str:
        """``{prefix}/art/{YYYY}/{M}/{D}/art_{COL}_{ID}.html`` (month and day not zero-padded)."""
        if self.url_path:
            return self.url_path
        d = self.pub
        name = f"art_{self.column}_{self.article_id}.html"
        return f"{self.prefix}/art/{d.year}/{d.month}/{d.day}/{name}"


@dataclass(eq=False)
class Document(Article):
    """A rule or normative document and its ground facts."""

    number_raw: str = ""  # the 文号 exactly as the page shows it
    number: str | None = None  # canonical
    number_in_title: bool = False
    issuer: str = ""
    written: date | None = None
    layout: str = "A"  # A: label:value cells, B: <td><b>label</b></td><td>value</td>, C: none
    validity_raw: str = ""
    index_no: str = ""
    subject: str = ""
    unified_no: str = ""
    effective: date | None = None
    expires: date | None = None
    inner_title: str = ""  # the printed document's title inside 关于印发《…》的通知
    interpretations: list[Ref] = field(default_factory=list)  # shown in 相关解读


@dataclass(eq=False)
class Interpretation(Article):
    """An interpretation (政策解读) and what it really explains."""

    form: str = "文字解读"
    explains: list[Ref] = field(default_factory=list)  # truth
    links: list[Ref] = field(default_factory=list)  # 原文链接 / 相关文件 links shown
    links_inside: bool = True  # the 原文链接 line sits inside the content markers


@dataclass
class Reply:
    """What a family renderer answers; the server turns it into an HTTP response."""

    status: int
    body: str | bytes
    content_type: str = "text/html"
    headers: dict[str, str] = field(default_factory=dict)
