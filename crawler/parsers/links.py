"""What an article page links to: its 相关解读 / 原文 links and the files it attaches.

Every family shows the same two things in different markup, and these readers serve them all:

**Link blocks.** A document page links its interpretations, an interpretation page the document
it explains, under a label: ``相关解读``, ``政策解读：``, ``部门解读``, ``媒体视角``, ``图解：`` on a
document page; ``原文链接``, ``相关文件：``, ``政策文件：`` on an interpretation page; ``相关文章``,
``相关文档``, ``相关链接`` on both. The label may be a heading, a span before the links, a tab
that is itself a link without an address, or longer (``政策解读（文字版）``); the links follow in
the same element, in the next sibling (``<div class="title">部门解读</div><ul>…``), or one per
paragraph over the sibling paragraphs that follow. Navigation and sidebars (最新, 热点, 相关阅读)
have no such label and stay out; a 相关链接 block of a document page keeps only links that say
they are a 解读. Besides labelled blocks:

- a link whose own text says it is a 解读 of this very document (``《…若干措施》政策解读`` on the
  page of 关于印发…若干措施的通知), wherever it stands (the last paragraph of the body, a sidebar);
- an image-only button between the title and the body that opens an article of the same site
  (Hangzhou and Jiaxing's Hanweb templates draw their 政策解读 button as a picture);
- related posts a page carries as data (gkmlpt's ``related_posts``): :func:`json_links`.

**Attachments.** A link to a file by its path (``./P0….pdf``), by a parameter
(``downfile.jsp?filename=x.pdf``, ``file-download?fileUrl=/…/x.doc``), or to a download address
whose file type only the link text tells (``download?fileUrl=<token>`` → ``市政办发〔2022〕167号.pdf``;
neither: the type is read off the download); a link that downloads by script
(``onclick="downloadFj('x.docx','./W0….docx')"``); and file lists kept only in a page's script
(``var apps = [{name: "x.pdf", url: "…/P0….pdf"}]``).

Pure functions on parsed pages: no I/O, no clock.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from lxml import etree
from parsel import Selector

from corpus.store.identity import canonical_url
from corpus.store.normalize import normalize_title, squash_spaces, strip_all_spaces
from corpus.store.records import Attachment, PageLink

# ---------------------------------------------------------------- attachments

# Extensions of files that government pages attach.
FILE_EXTS = frozenset(
    ("pdf", "doc", "docx", "xls", "xlsx", "wps", "et", "ppt", "pptx", "zip", "rar", "7z", "ofd")
)
# Query parameters that name the file a download address serves: the name to show, then others.
_SHOW_PARAMS = ("showname", "showName")
_NAME_PARAMS = ("fileName", "filename", "name", "title")
_FILE_PARAMS = ("filename", "fileName", "fileUrl", "fileurl", "file", "path", "filePath", "url")
# The last path segment of a download address, without its extension, dashes and underscores
# (downfile.jsp, file-download, download, downloadFile.do, getFile).
_DOWNLOAD = re.compile(r"(?:file|attach)?down(?:load)?(?:file|attach(?:ment)?)?|getfile", re.I)
_NO_LINK = ("javascript:", "#", "mailto:", "tel:")


def file_ext(name: str) -> str:
    """``附件1.PDF`` → ``pdf``; no extension → ``""``."""
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def _known_ext(name: str) -> str:
    """The extension of ``name`` if it is one of a file pages attach, else ``""``."""
    ext = file_ext(name.strip())
    return ext if ext in FILE_EXTS else ""


def _text(el: etree._Element) -> str:
    """An element's text on one line, whitespace squashed (scripts and styles skipped)."""
    return squash_spaces(" ".join(t for t in el.xpath(".//text()[not(ancestor::script)]")))


def attachment_for(url: str, text: str = "") -> Attachment | None:
    """The attachment a link to ``url`` with text ``text`` is, or None when it is no file.

    A file by its path (``/upload/x.docx``), by a parameter naming it
    (``downfile.jsp?classid=0&filename=….pdf&showname=附件1.pdf``,
    ``file-download?fileUrl=/cms_files/…/x.doc``), or a download address with parameters whose
    type only the link text tells (``download?fileUrl=<token>`` → ``….pdf``), else unknown
    (``ext`` empty: the download will tell). The name is a ``showname``-like parameter, else the
    link text, else the file's own name.
    """
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    shown = next((query[p][0].strip() for p in _SHOW_PARAMS if query.get(p)), "")
    named = next((query[p][0].strip() for p in _NAME_PARAMS if query.get(p)), "")
    text = squash_spaces(text)
    ext = _known_ext(parts.path)
    for param in () if ext else _SHOW_PARAMS + _FILE_PARAMS:
        ext = next((_known_ext(v) for v in query.get(param, ()) if _known_ext(v)), "")
        if ext:
            break
    segment = parts.path.rsplit("/", 1)[-1]
    if not ext:
        stem = re.sub(r"[-_]", "", segment.split(".", 1)[0])
        if not (parts.query and _DOWNLOAD.fullmatch(stem)):
            return None
        ext = _known_ext(named) or _known_ext(text)
    name = shown or text or named or unquote(segment)
    return Attachment(url=url, name=name, ext=ext)


# downloadFj('name.docx','./W0….docx') and the like: the quoted arguments of a click handler.
_QUOTED = re.compile(r"""(['"])((?:(?!\1).){1,500}?)\1""")


def _onclick_file(onclick: str, base_url: str, text: str) -> Attachment | None:
    """The file a click handler downloads: a quoted argument that is a path to a file (with a
    folder, or a bare TRS file name such as ``W020220615628897528530.docx``)."""
    args = [m[2].strip() for m in _QUOTED.finditer(onclick)]
    paths = [a for a in args if _known_ext(a) and ("/" in a or a.startswith(("W0", "P0")))]
    if not paths:
        return None
    names = [a for a in args if _known_ext(a) and a not in paths]
    return attachment_for(urljoin(base_url, paths[-1]), text or (names[0] if names else ""))


# {name: "x.pdf", url: "http://…/P0….pdf"} in a script (either order, any quotes).
_SCRIPT_FILE = re.compile(
    r"""\b(?:name|title|fileName|filename)\s*:\s*(['"])(?P<name>[^'"]{1,300})\1\s*,\s*"""
    r"""(?:url|href|path|fileUrl|fileurl|filePath)\s*:\s*(['"])(?P<url>[^'"]{1,500})\3"""
    r"""|\b(?:url|href|path|fileUrl|fileurl|filePath)\s*:\s*(['"])(?P<url2>[^'"]{1,500})\5\s*,\s*"""
    r"""(?:name|title|fileName|filename)\s*:\s*(['"])(?P<name2>[^'"]{1,300})\7"""
)


def script_attachments(sel: Selector, base_url: str) -> list[Attachment]:
    """Files listed only in a page's inline script as ``{name: …, url: …}`` objects.

    Fujian's TRS template keeps its attachments as ``var apps = [{name: "….pdf", url:
    "http://…/P0….pdf"}]`` and draws them by script.
    """
    found: list[Attachment] = []
    for script in sel.xpath("//script[not(@src)]/text()").getall():
        if "name" not in script and "title" not in script:
            continue
        for m in _SCRIPT_FILE.finditer(script):
            name, url = m["name"] or m["name2"], m["url"] or m["url2"]
            att = attachment_for(urljoin(base_url, url.strip()), name)
            if att is not None and att.ext:
                found.append(att)
    return found


def attachments(sel: Selector, base_url: str) -> list[Attachment]:
    """Every file a page attaches, in page order, each once (see :func:`attachment_for`).

    Links (``<a href>``) and elements that download by script (``onclick``, Chongqing's TRS
    template: ``<a onclick="downloadFj('x.docx','./W0….docx')">`` without ``href``), then the
    file lists kept in inline scripts.
    """
    found: dict[str, Attachment] = {}
    for el in sel.root.iter():
        if not isinstance(el.tag, str):
            continue
        href = (el.get("href") or "").strip() if el.tag == "a" else ""
        att = None
        if href and not href.startswith(_NO_LINK):
            att = attachment_for(urljoin(base_url, href), _text(el))
        elif el.get("onclick"):
            att = _onclick_file(el.get("onclick"), base_url, _text(el))
        if att is not None:
            found.setdefault(att.url, att)
    for att in script_attachments(sel, base_url):
        found.setdefault(att.url, att)
    return list(found.values())


# ---------------------------------------------------------------- link blocks

# Labels of the blocks that link a document's interpretations …
INTERPRETATION_LABELS = (
    "相关解读", "政策解读", "部门解读", "专家解读", "媒体解读", "媒体视角", "解读文章", "解读材料",
    "相关政策解读", "文件解读", "图文解读", "文字解读", "视频解读", "图解", "一图读懂",
)  # fmt: skip
# … those that link an interpretation's document …
DOCUMENT_LABELS = (
    "原文链接", "相关文件", "政策原文", "文件原文", "原文件", "相关政策文件", "政策文件",
)  # fmt: skip
# … and those either kind of page uses for the other (which one, the link's own text says).
SHARED_LABELS = ("相关文章", "相关文档", "相关链接")
LABELS = INTERPRETATION_LABELS + DOCUMENT_LABELS + SHARED_LABELS

# Words that make a link's text an interpretation's (解读, 图解, 一图读懂, 答记者问 …).
_INTERPRETATION_WORDS = re.compile(r"解读|图解|一图|图说|答记者问|问答|解答|视频|发布会|起草说明")
# What a label may carry after its words: a colon, closing brackets, or an aside (（文字版）).
_LABEL_REST = re.compile(r"^(?:[（(][^）)]{1,8}[）)])?[:：】\]》>»]*$")
_LABEL_LEAD = "【[「<●·•"
_MORE = re.compile(r"^(?:更多|查看更多|more)", re.I)
_BLOCK_TAGS = frozenset((
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table", "tbody", "tr", "td", "th", "section",
    "article", "aside", "h1", "h2", "h3", "h4", "h5", "h6", "center", "form", "header", "footer",
    "nav", "main",
))  # fmt: skip
# Text beside the links of a continuation line: bullets, numbering, a short aside (（文字）).
_DECORATION = re.compile(r"^[\d①-⑳一二三四五六七八九十年月日.、．,，;；●·•\-—|｜/:：>»]*$")
_ASIDE = re.compile(r"[（(【\[][^）)】\]]{0,8}[）)】\]]")
_MAX_BLOCK_LINKS = 12  # more: a whole region of the page, not a block
_SKIP = frozenset({"script", "style", "noscript", "template", "head", "title", "iframe"})


def label_of(text: str | None, labels: Iterable[str] = LABELS) -> str | None:
    """The label ``text`` is (``相关解读：``, ``【政策解读】``, ``政策解读（文字版）``), or None."""
    if not text:
        return None
    key = strip_all_spaces(text).lstrip(_LABEL_LEAD)
    if not key or len(key) > 16:
        return None
    for label in sorted(labels, key=len, reverse=True):
        if key.startswith(label) and _LABEL_REST.match(key[len(label) :]):
            return label
    return None


def says_interpretation(text: str) -> bool:
    """True when a link's text names an interpretation (…政策解读, 图解：…, 一图读懂…)."""
    return bool(_INTERPRETATION_WORDS.search(text))


def _usable(href: str | None) -> bool:
    href = (href or "").strip()
    return bool(href) and not href.startswith(_NO_LINK)


def article_url(url: str, own_url: str = "") -> bool:
    """True for an address a related page can have: not a file, a site's root, a directory (a
    column's listing) or the page itself."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or attachment_for(url) is not None:
        return False
    path = parts.path or "/"
    if path.endswith("/") or re.fullmatch(r"/(?:index|default)\.\w+", path):
        return False  # a site's home or a column's listing
    return not own_url or canonical_url(url) != canonical_url(own_url)


def _label_owners(
    root: etree._Element, labels: tuple[str, ...]
) -> Iterator[tuple[etree._Element, str]]:
    """(element holding the text, label) for every text that is one of ``labels``.

    A label is an element's own text or the text after a child (``<div><i></i>部门解读</div>``),
    never a link's text — except a link that goes nowhere (a tab: ``<a>相关文档</a>``).
    """
    firsts = {label[0] for label in labels}  # a text without any of them holds no label
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP:
            continue
        owned = [(el, el.text)]
        parent = el.getparent()
        if parent is not None:
            owned.append((parent, el.tail))
        for owner, text in owned:
            if not text or not any(c in text for c in firsts):
                continue
            if owner.tag == "a" and _usable(owner.get("href")):
                continue
            label = label_of(text, labels)
            if label:
                yield owner, label


def _line(el: etree._Element) -> etree._Element:
    """The nearest block element holding ``el`` (``el`` itself when it is one)."""
    while el.tag not in _BLOCK_TAGS and el.getparent() is not None:
        el = el.getparent()
    return el


def _anchors(el: etree._Element) -> list[etree._Element]:
    return [a for a in el.iter("a") if _usable(a.get("href"))]


def _links_only(el: etree._Element) -> bool:
    """True for a line that holds links and nothing else but bullets, numbers or an aside."""
    if not isinstance(el.tag, str) or not _anchors(el):
        return False
    rest = "".join(t for t in el.xpath(".//text()[not(ancestor::a) and not(ancestor::script)]"))
    rest = _ASIDE.sub("", strip_all_spaces(rest))
    return bool(_DECORATION.match(rest))


def _blank(el: etree._Element) -> bool:
    if not isinstance(el.tag, str):
        return True  # a comment
    return el.tag in _SKIP or (not strip_all_spaces(_text(el)) and not el.xpath(".//a|.//img"))


def _continuation(line: etree._Element) -> list[etree._Element]:
    """The links of the lines after ``line`` that hold only links (a block over paragraphs)."""
    found: list[etree._Element] = []
    for sib in line.itersiblings():
        if _blank(sib):
            continue
        if not _links_only(sib):
            break  # a line of text, or the next label (图解：…): the block ends
        found += _anchors(sib)
    return found


def _block_anchors(owner: etree._Element, order: dict) -> list[etree._Element]:
    """The links of the block ``owner`` labels: in its line after the label and in the link lines
    after it; a label alone in its wrappers (``<ul><li><a>相关文档</a></li></ul>``) is looked for
    one wrapper up, never in an element that holds other blocks too."""
    node = _line(owner)
    for _ in range(4):
        inside = _after(owner, [a for a in _anchors(node) if a is not owner], order)
        if inside:
            return inside + _continuation(node)
        following = _continuation(node)
        if following:
            return following
        parent = node.getparent()
        if parent is None or any(not _blank(s) for s in parent if s is not node):
            break
        node = parent
    return []


def _after(
    owner: etree._Element, anchors: list[etree._Element], order: dict
) -> list[etree._Element]:
    """The ``anchors`` that come after the label in the page (a block's links follow its label).

    ``order`` maps each element to its place in the page, filled on first use.
    """
    if not order:
        order.update((el, i) for i, el in enumerate(owner.getroottree().getroot().iter()))
    here = order.get(owner, -1)
    return [a for a in anchors if order.get(a, -1) > here]


def link_blocks(
    sel: Selector,
    base_url: str,
    role: str,
    *,
    own_url: str = "",
) -> list[PageLink]:
    """Links of the labelled blocks of a page whose counterpart is ``role`` (see the module).

    ``role`` is ``interpretation`` on a document page: 解读 blocks give all their links, shared
    ones (相关文章, 相关链接 …) those whose text says 解读. On an interpretation page it is
    ``document``: 原文 blocks give all their links, the others those whose text does not say 解读.
    """
    own = {"interpretation": INTERPRETATION_LABELS, "document": DOCUMENT_LABELS}[role]
    labels = own + SHARED_LABELS + (INTERPRETATION_LABELS if role == "document" else ())
    links: dict[str, PageLink] = {}
    order: dict = {}
    for owner, label in _label_owners(sel.root, labels):
        anchors = _block_anchors(owner, order)
        if len(anchors) > _MAX_BLOCK_LINKS or any(_MORE.match(_text(a)) for a in anchors):
            continue  # a region of the page, or a column's box with its 更多 link: no block
        for a in anchors:
            text = (_text(a) or squash_spaces(a.get("title") or "")).lstrip("●·•▪■◆ ")
            if _MORE.match(text) or label_of(text):
                continue
            if label not in own and says_interpretation(text) != (role == "interpretation"):
                continue
            url = urljoin(base_url, a.get("href").strip())
            if article_url(url, own_url or base_url):
                links.setdefault(canonical_url(url), PageLink(url, text, role, label))  # type: ignore[arg-type]
    return list(links.values())


# ---------------------------------------------------------------- links that say what they are

# 关于印发《X》的通知 → X: the title's subject, what an interpretation of it names.
_SUBJECT_HEAD = re.compile(r"^.*?(?:关于印发|关于转发|印发|转发|关于)")
_SUBJECT_TAIL = re.compile(r"(?:的通知|的决定|的意见|的公告|的通告|的批复|的函)$")


def title_subject(title: str) -> str:
    """What a document's title is about, normalised: ``X`` of ``…关于印发《X》的通知``."""
    key = normalize_title(title)
    quoted = re.findall(r"《([^《》]{4,})》", squash_spaces(title))
    if quoted:
        return normalize_title(quoted[-1])
    return _SUBJECT_TAIL.sub("", _SUBJECT_HEAD.sub("", key)) or key


def named_interpretations(
    sel: Selector, base_url: str, title: str, *, own_url: str = ""
) -> list[PageLink]:
    """Links whose own text says they are a 解读 of this document (``《X》政策解读``, ``图解：X``).

    The text must name the title's subject (at least six characters of it, whole): a list of
    other documents' interpretations in a sidebar names other subjects.
    """
    subject = title_subject(title)
    if len(subject) < 6:
        return []
    found: list[PageLink] = []
    for a in sel.root.iter("a"):
        href = a.get("href")
        if not _usable(href):
            continue
        text = _text(a) or squash_spaces(a.get("title") or "")
        if not says_interpretation(text) or subject not in normalize_title(text):
            continue
        url = urljoin(base_url, href.strip())
        if article_url(url, own_url or base_url):
            found.append(PageLink(url, text, "interpretation", "解读"))
    return found


def _title_element(root: etree._Element, title: str) -> etree._Element | None:
    """The element of the page's body that shows ``title`` as its whole text (not ``<title>``)."""
    want = normalize_title(title)
    body = root.find(".//body")
    for el in (body if body is not None else root).iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP:
            continue
        text = "".join(el.itertext())
        if len(title) <= len(text) <= 3 * len(title) + 200 and normalize_title(text) == want:
            return el
    return None


def _body_start(sel: Selector, body_css: tuple[str, ...]) -> etree._Element | None:
    """Where the body starts: the ContentStart meta (Hanweb), else the first body container."""
    for meta in sel.root.iter("meta"):
        if (meta.get("name") or "").strip().lower() == "contentstart":
            return meta
    for css in body_css:
        found = sel.css(css)
        if found:
            return found[0].root
    return None


def image_buttons(
    sel: Selector,
    base_url: str,
    title: str,
    role: str,
    body_css: tuple[str, ...] = (),
    *,
    own_url: str = "",
) -> list[PageLink]:
    """Picture-only links between the title and the body that open an article of the same site.

    Hangzhou's and Jiaxing's Hanweb templates show the 政策解读 of a document as a picture
    button under its title (``<a href="…/art_…_1820958.html"><img src="….jpg"></a>``, no text);
    a picture whose ``alt`` or ``title`` names it counts wherever it stands in that stretch.
    """
    candidates = [
        a
        for a in sel.root.iter("a")
        if _usable(a.get("href")) and not _text(a) and a.find(".//img") is not None
    ]
    if not candidates:
        return []
    start, end = _title_element(sel.root, title), _body_start(sel, body_css)
    if start is None or end is None:
        return []
    order = {el: i for i, el in enumerate(sel.root.iter())}
    host = urlsplit(base_url).netloc.split(":")[0]
    found: list[PageLink] = []
    for a in candidates:
        if not order[start] < order[a] < order[end]:
            continue
        url = urljoin(base_url, a.get("href").strip())
        if urlsplit(url).netloc.split(":")[0] != host or not article_url(url, own_url or base_url):
            continue
        img = a.find(".//img")
        said = squash_spaces(img.get("alt") or img.get("title") or "")
        found.append(PageLink(url, said, role, said or "图片按钮"))  # type: ignore[arg-type]
    return found


def page_links(
    sel: Selector,
    base_url: str,
    role: str,
    *,
    title: str = "",
    own_url: str = "",
    body_css: tuple[str, ...] = (),
) -> list[PageLink]:
    """Every link a page shows to its counterparts (``role``), each once, blocks first.

    A document page (``role="interpretation"``): its labelled blocks, the links that name
    themselves a 解读 of it and its picture buttons; an interpretation page (``"document"``): its
    labelled blocks and picture buttons.
    """
    found = link_blocks(sel, base_url, role, own_url=own_url)
    if title and role == "interpretation":
        found += named_interpretations(sel, base_url, title, own_url=own_url)
    if title:
        found += image_buttons(sel, base_url, title, role, body_css, own_url=own_url)
    return merged(found)


def merged(*groups: Iterable[PageLink]) -> list[PageLink]:
    """``groups`` of links as one list, each address once (the first one seen wins)."""
    out: dict[str, PageLink] = {}
    for group in groups:
        for link in group:
            out.setdefault(canonical_url(link.url), link)
    return list(out.values())


# ---------------------------------------------------------------- links carried as data


def json_array(text: str, key: str) -> list:
    """The JSON array written after ``"key":`` in a page's script (``[]`` when there is none)."""
    at = text.find(f'"{key}"')
    if at < 0:
        return []
    start = text.find("[", at)
    if start < 0 or text[at + len(key) + 2 : start].strip(" :") != "":
        return []
    try:
        value, _ = json.JSONDecoder().raw_decode(text, start)
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def json_links(
    items: list, base_url: str, role: str, label: str, *, own_title: str = ""
) -> list[PageLink]:
    """Related pages given as data (``[{"title": …, "url": …}, …]``) as links of ``role``.

    A related page with the page's own title is a copy of the page (gkmlpt relates a document
    to its republication on the portal), not its counterpart; on an interpretation page
    (``role="document"``) a related page whose title says 解读 is another interpretation.
    """
    own = normalize_title(own_title) if own_title else None
    found: list[PageLink] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        href = item.get("url") or item.get("link") or item.get("href")
        if not isinstance(href, str) or not href.strip():
            continue
        title = squash_spaces(str(item.get("title") or ""))
        if own and normalize_title(title) == own:
            continue
        if role == "document" and says_interpretation(title):
            continue
        found.append(PageLink(urljoin(base_url, href.strip()), title, role, label))  # type: ignore[arg-type]
    return found
