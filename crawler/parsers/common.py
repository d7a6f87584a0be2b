"""Family-independent helpers for article pages: text lines, label tables, signatures.

Every CMS family (Hanweb, TRS, gkmlpt, Jiangxi's new platform) shows the same things in
different markup: a disclosure table of labelled values, a body of block elements, attachments,
a 相关解读 block. These helpers read those shapes (links and attachments: ``crawler.parsers.links``);
the family parsers only say where to look.
All functions are pure (no I/O, no clock).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import lxml.html
from lxml import etree
from parsel import Selector

from corpus.store.normalize import (
    find_dates,
    find_doc_numbers,
    squash_spaces,
    strip_all_spaces,
)

# ---------------------------------------------------------------- HTML → lines

# Every block element starts and ends a line (CONTRACTS.md: p, div, h*, li, tr and their kin).
BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "tr",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "aside",
        "main",
        "blockquote",
        "pre",
        "center",
        "form",
        "fieldset",
        "legend",
        "caption",
        "figure",
        "figcaption",
        "address",
        "details",
        "summary",
        "br",
        "hr",
    ]
)
# Cells of one row stay on the row's line, separated by a space.
CELL_TAGS = frozenset({"td", "th"})
SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "iframe"})


def html_to_lines(html: str) -> list[str]:
    """The text lines of an HTML fragment: one per block element, whitespace squashed, no blanks.

    ``<p>第一条 <b>总则</b></p><table><tr><td>序号</td><td>名称</td></tr></table>`` gives
    ``["第一条 总则", "序号 名称"]``. Comments, scripts and styles give nothing.
    """
    if not html or not html.strip():
        return []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return element_lines(root)


def element_lines(element: etree._Element) -> list[str]:
    """The text lines of an lxml element, by the rule of :func:`html_to_lines`."""
    pieces: list[str] = []
    _walk(element, pieces)
    lines = (squash_spaces(line) for line in "".join(pieces).split("\n"))
    return [line for line in lines if line]


def _walk(el: etree._Element, out: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else None  # comments and PIs have no str tag
    if tag is not None and tag.lower() not in SKIP_TAGS:
        tag = tag.lower()
        block, cell = tag in BLOCK_TAGS, tag in CELL_TAGS
        out.append("\n" if block else " " if cell else "")
        if el.text:
            out.append(el.text)
        for child in el:
            _walk(child, out)
        out.append("\n" if block else " " if cell else "")
    if el.tail:
        out.append(el.tail)


def selector_lines(sel: Selector) -> list[str]:
    """The text lines of a parsel selector's element."""
    root = sel.root
    if isinstance(root, str):
        return [line for line in (squash_spaces(x) for x in root.split("\n")) if line]
    return element_lines(root)


def selector_text(sel: Selector) -> str:
    """All text of an element on one line, whitespace squashed."""
    return " ".join(selector_lines(sel))


# ---------------------------------------------------------------- noise

# Page furniture that is never part of a document. Each pattern is removed from a line; a line
# left with nothing but brackets and separators was pure furniture.
_NOISE_TOKENS = re.compile(
    r"(?:字体|字号)[:：]?[\[【]?(?:[大中小]|默认|特大|超大|标准)+[\]】]?"
    r"|打印本页|打印此页|打印|关闭本页|关闭窗口|关闭|收藏本页|收藏|保存本页"
    r"|分享到[:：]?|扫一扫在手机(?:上)?打开(?:当前页|本页)?|浏览次数[:：]?\d*|访问量[:：]?\d*"
)
_NOISE_LEFTOVER = re.compile(r"^[\[\]【】|｜/、:：()（）\-—·.。]*$")
# Line starts that only page furniture has. Not 主办单位/承办单位: a notice about an event may
# well list its 主办单位 in the body.
_NOISE_PREFIXES = (
    "当前位置",
    "您当前的位置",
    "您现在的位置",
    "上一篇",
    "下一篇",
    "是否打开信息无障碍浏览",
    "网站标识码",
    "免责声明",
)


def is_noise_line(line: str) -> bool:
    """True for a line of page furniture such as ``【字体：大 中 小】【打印本页】【关闭窗口】``."""
    s = strip_all_spaces(line)
    if not s:
        return True
    if s.startswith(_NOISE_PREFIXES) or re.search(r"ICP备\d+号", s):
        return True
    left = _NOISE_TOKENS.sub("", s)
    return left != s and bool(_NOISE_LEFTOVER.match(left))


def drop_noise(lines: Iterable[str]) -> list[str]:
    """Lines without page furniture."""
    return [line for line in lines if not is_noise_line(line)]


# ---------------------------------------------------------------- labelled values

# Disclosure-table labels, every spelling seen on the sites, mapped to one field name.
LABELS: dict[str, str] = {
    "索引号": "index_no",
    "主题分类": "subject",
    "发文机关": "issuer",
    "发布机构": "issuer",
    "发文机构": "issuer",
    "发文单位": "issuer",
    "发布单位": "issuer",
    "成文日期": "written_date",
    "生成日期": "written_date",
    "文号": "doc_number",
    "发文字号": "doc_number",
    "文件编号": "doc_number",
    "发布日期": "published_date",
    "发文日期": "published_date",
    "发布时间": "published_date",
    "有效性": "validity",
    "效力状态": "validity",
    "时效": "validity",
    "信息时效性": "validity",
    "统一编号": "unified_no",
    "统一登记号": "unified_no",
    "组配分类": "category",
    "关键词": "keywords",
    "主题词": "keywords",
    "信息来源": "source",
    "来源": "source",
    "标题": "title",
}
_LABEL_TRIM = "【】[]:：〔〕"
_COLON = re.compile(r"[:：]")


def label_field(text: str) -> str | None:
    """The field a label names: ``文      号:`` (padded with any kind of space) → ``doc_number``."""
    key = strip_all_spaces(text).strip(_LABEL_TRIM)
    return LABELS.get(key)


def _split_label(text: str) -> tuple[str, str | None, str]:
    """``索引号：X`` → (field, label, value); a bare label gives an empty value; else no field."""
    m = _COLON.search(text)
    if m:
        field = label_field(text[: m.start()])
        if field:
            return field, squash_spaces(text[: m.start()]), squash_spaces(text[m.end() :])
    field = label_field(text)
    if field:
        return field, squash_spaces(text).rstrip(":："), ""
    return "", None, ""


def read_labelled_values(cells: list[str]) -> dict[str, tuple[str, str]]:
    """Fields from a sequence of cell texts, as {field: (label as shown, value)}.

    Two shapes, mixed freely (the first occurrence of a field wins):

    - ``<td>索引号：014500353/2022-00123</td>`` — label and value in one cell;
    - ``<td><b>文      号:</b></td><td>赣府字〔2022〕1号</td>`` — a label cell, then its value.
    """
    found: dict[str, tuple[str, str]] = {}
    for i, text in enumerate(cells):
        field, label, value = _split_label(text)
        if not field or label is None:
            continue
        if not value and i + 1 < len(cells) and not _split_label(cells[i + 1])[0]:
            value = squash_spaces(cells[i + 1])
        found.setdefault(field, (label, value))
    return found


# Compiled once and run on the lxml tree: parsel would wrap every cell and text node found in a
# Selector of its own, which cost more than the search itself on a whole page.
_INNERMOST_CELLS = etree.XPath(".//*[self::td or self::th][not(.//td) and not(.//th)]")
_TEXT_NODES = etree.XPath(
    ".//text()[not(ancestor::script) and not(ancestor::style)]", smart_strings=False
)


def table_cells(sel: Selector) -> list[str]:
    """Texts of the innermost table cells under ``sel``, in document order."""
    return [" ".join(element_lines(cell)) for cell in _INNERMOST_CELLS(sel.root)]


def text_segments(sel: Selector) -> list[str]:
    """Every non-blank text node under ``sel`` (scripts and styles excluded), squashed."""
    return [s for s in (squash_spaces(n) for n in _TEXT_NODES(sel.root)) if s]


def page_fields(sel: Selector) -> dict[str, tuple[str, str]]:
    """Labelled values of a page (body excluded): table cells first, then loose text nodes.

    Loose text covers layouts like ``<li><label>发布机构：</label><span>…</span></li>``.
    """
    fields = read_labelled_values(table_cells(sel))
    for field, value in read_labelled_values(text_segments(sel)).items():
        fields.setdefault(field, value)
    return fields


# ---------------------------------------------------------------- head metas


_METAS = etree.XPath("//meta[@name and @content]")


def head_metas(sel: Selector) -> dict[str, str]:
    """``<meta name="PubDate" content="2022-05-25 10:31">`` tags as {name: content}."""
    metas: dict[str, str] = {}
    for meta in _METAS(sel.root):
        name = meta.get("name").strip()
        content = squash_spaces(meta.get("content"))
        if name and content:
            metas.setdefault(name, content)
    return metas


# ---------------------------------------------------------------- body facts


def _is_date_line(text: str) -> tuple[str, str] | None:
    """(raw, ISO) if ``text`` ends with a date and holds nothing else but a short signer."""
    dates = find_dates(text)
    if not dates:
        return None
    raw, iso = dates[-1]
    head, _, tail = text.rpartition(raw)
    if strip_all_spaces(tail).strip("）)"):
        return None
    head = strip_all_spaces(head).strip("（(")
    if len(head) > 30 or re.search(r"[，。；;,、：:]", head) or re.search(r"\d", head):
        return None
    return raw, iso


def signature_date(lines: list[str], window: int = 8) -> tuple[str, str] | None:
    """The date under a document's signature: the last date-only line near the end of the body.

    ``江西省农业农村厅`` / ``2023年3月8日`` (or ``二〇二三年三月八日``, also with ○ or Ｏ for zero) →
    (raw, ISO). A clause such as ``本办法自2023年4月1日起施行。`` is not a signature.
    """
    for line in reversed(lines[-window:]):
        found = _is_date_line(line)
        if found:
            return found
    return None


def _whole_doc_number(text: str) -> tuple[str, str] | None:
    """(raw, canonical) if ``text`` is nothing but one 文号."""
    found = find_doc_numbers(text)
    if len(found) != 1:
        return None
    raw, canon = found[0]
    rest = strip_all_spaces(text.replace(raw, "", 1))
    return (squash_spaces(raw), canon) if not rest.strip("()（）[]【】") else None


def leading_doc_number(lines: list[str], window: int = 4) -> tuple[str, str] | None:
    """A 文号 standing alone on one of the first lines of the body (a centred paragraph).

    Also the two-line rule form ``江西省人民政府令`` / ``第252号``.
    """
    head = lines[:window]
    for i, line in enumerate(head):
        found = _whole_doc_number(line)
        if found:
            return found
        nxt = head[i + 1] if i + 1 < len(head) else ""
        if strip_all_spaces(line).endswith("政府令") and re.fullmatch(
            r"第\s*[0-9０-９]+\s*号", strip_all_spaces(nxt)
        ):
            return _whole_doc_number(line + nxt)
    return None


def title_doc_number(title: str) -> tuple[str, str] | None:
    """The 文号 in a title's closing parentheses: ``…的通知（赣府发〔2022〕1号）``.

    Brackets may nest (``…（赣农规（2023）2号）``); a 文号 elsewhere in the title does not count.
    """
    found = find_doc_numbers(title)
    if not found:
        return None
    raw, canon = found[-1]
    tail = strip_all_spaces(title[title.rfind(raw) + len(raw) :])
    return (squash_spaces(raw), canon) if tail in ("）", ")") else None


# ---------------------------------------------------------------- interpretations

_FORMS: list[tuple[str, tuple[str, ...]]] = [
    ("视频", ("视频",)),
    ("图解", ("图解", "一图读懂", "图说")),
    ("答记者问", ("答记者问", "新闻发布会")),
    ("专家解读", ("专家",)),
    ("起草说明", ("起草说明",)),
]


def interpretation_form(title: str) -> str:
    """The form of an interpretation from its title (CONTRACTS.md: the first match wins)."""
    for form, words in _FORMS:
        if any(w in title for w in words):
            return form
    return "文字解读"
