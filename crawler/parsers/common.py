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
    "制发单位": "issuer",  # Beijing 公积金's EasySite template
    "制发机关": "issuer",
    "成文日期": "written_date",
    "生成日期": "written_date",
    "公文生成日期": "written_date",  # Fujian's avalon template
    "印发日期": "written_date",
    # 发文日期 is the day the document was issued: its 成文日期 where the page shows a 发布日期 of
    # its own (Jiaxing), its 发布日期 where the page shows a 成文日期 beside it (see document_record).
    "发文日期": "issued_date",
    "文号": "doc_number",
    "发文字号": "doc_number",
    "文件编号": "doc_number",
    "备注/文号": "doc_number",  # Fujian's avalon template
    "发布日期": "published_date",
    "发布时间": "published_date",
    "公开日期": "published_date",
    "公开时间": "published_date",
    "公布日期": "published_date",
    "日期": "published_date",  # weak: 发布日期 and its kin win over it (WEAK_LABELS)
    "有效性": "validity",
    "效力状态": "validity",
    "时效": "validity",
    "信息时效性": "validity",
    "信息时效期": "validity",  # Changsha: a date (the end of the term), as the page's 有效性
    "文件有效性": "validity",
    "文件状态": "validity",
    # dates the page states for the document's start and end (the publisher's metadata; the
    # build weighs them after the document's own clauses: corpus.validity.terms)
    "施行日期": "effective_stated",
    "实施日期": "effective_stated",  # Beijing's TRS template: [实施日期]
    "生效日期": "effective_stated",  # Changsha: 生 效 日 期：
    "有效期至": "expiry_stated",
    "废止日期": "expiry_stated",  # Beijing: the first day no longer in force
    "失效日期": "expiry_stated",
    "统一编号": "unified_no",
    "统一登记号": "unified_no",
    "组配分类": "category",
    "关键词": "keywords",
    "主题词": "keywords",
    "信息来源": "source",
    "来源": "source",
    "标题": "title",
}
# Labels a more specific spelling of the same field wins over, wherever they stand on the page:
# the 日期 of a heading's date line against the table's 发布日期.
WEAK_LABELS = frozenset({"日期"})
_LABEL_TRIM = "【】[]:：〔〕"
_COLON = re.compile(r"[:：]")
# [有效性] 是 — a label in brackets, no colon (Beijing's TRS template).
_BRACKET_LABEL = re.compile(r"^\s*[\[【]\s*([^\]】]{1,12}?)\s*[\]】]\s*(.*)$", re.S)
# What templates print where a field has no value: 无, -, ----, 〔〕号 (an empty 文号), 暂无.
_PLACEHOLDER = re.compile(
    r"^(?:[-—–_/\\*.·…]*|无|暂无|空|null|none|undefined|[〔\[（(【]?[〕\]）)】]?第?号?)$", re.I
)


# A label inside a longer text: ``… 来源：市发改委`` (after a space; the label's characters may be
# padded: 索 引 号：).
_INNER_LABEL = re.compile(
    r"(?:^|\s)("
    + "|".join(
        "\\s*".join(map(re.escape, label)) for label in sorted(LABELS, key=len, reverse=True)
    )
    + r")\s*[:：]"
)


def clean_value(value: str) -> str:
    """A labelled value as stored: squashed, and empty where the page prints a placeholder."""
    value = squash_spaces(value)
    return "" if _PLACEHOLDER.match(strip_all_spaces(value)) else value


def label_key(text: str) -> str:
    """A label as ``LABELS`` spells it: ``【生 效 日 期】：`` → ``生效日期`` (no padding of any kind,
    no brackets or colon)."""
    return strip_all_spaces(text).strip(_LABEL_TRIM)


def label_field(text: str) -> str | None:
    """The field a label names: ``文      号:`` (padded with any kind of space) → ``doc_number``."""
    return LABELS.get(label_key(text))


def _split_label(text: str) -> tuple[str, str | None, str]:
    """``索引号：X`` → (field, label, value); a bare label gives an empty value; else no field.

    Also ``[有效性] 是``: a bracketed label, its value after it without a colon.
    """
    m = _COLON.search(text)
    if m:
        field = label_field(text[: m.start()])
        if field:
            return field, squash_spaces(text[: m.start()]), clean_value(text[m.end() :])
    field = label_field(text)
    if field:
        return field, squash_spaces(text).rstrip(":："), ""
    m = _BRACKET_LABEL.match(text)
    if m:
        field = label_field(m[1])
        if field:
            return field, squash_spaces(m[1]), clean_value(m[2])
    return "", None, ""


def _is_weak(label: str) -> bool:
    return label_key(label) in WEAK_LABELS


def merge_field(found: dict[str, tuple[str, str]], field: str, label: str, value: str) -> None:
    """Keep the first value of ``field``, unless it came under a weak label and this one does not."""
    have = found.get(field)
    if have is None or (_is_weak(have[0]) and not _is_weak(label)):
        found[field] = (label, value)


def read_labelled_values(cells: list[str]) -> dict[str, tuple[str, str]]:
    """Fields from a sequence of cell texts, as {field: (label as shown, value)}.

    Two shapes, mixed freely (the first occurrence of a field wins, a weak label aside):

    - ``<td>索引号：014500353/2022-00123</td>`` — label and value in one cell;
    - ``<td><b>文      号:</b></td><td>赣府字〔2022〕1号</td>`` — a label cell, then its value.

    A placeholder (``无``, ``-``, ``〔〕号``) is an empty value.
    """
    found: dict[str, tuple[str, str]] = {}
    for i, text in enumerate(cells):
        field, label, value = _split_label(text)
        if not field or label is None:
            continue
        if not value and i + 1 < len(cells) and not _split_label(cells[i + 1])[0]:
            value = clean_value(cells[i + 1])
        merge_field(found, field, label, value)
    return found


# Compiled once and run on the lxml tree: parsel would wrap every cell and text node found in a
# Selector of its own, which cost more than the search itself on a whole page.
_INNERMOST_CELLS = etree.XPath(".//*[self::td or self::th][not(.//td) and not(.//th)]")
_TEXT_NODES = etree.XPath(
    ".//text()[not(ancestor::script) and not(ancestor::style)]", smart_strings=False
)
_TEXT_NODES_AT = etree.XPath(".//text()[not(ancestor::script) and not(ancestor::style)]")


def table_cells(sel: Selector) -> list[str]:
    """Texts of the innermost table cells under ``sel``, in document order."""
    return [" ".join(element_lines(cell)) for cell in _INNERMOST_CELLS(sel.root)]


def text_segments(sel: Selector) -> list[str]:
    """Every non-blank text node under ``sel`` (scripts and styles excluded), squashed."""
    return [s for s in (squash_spaces(n) for n in _TEXT_NODES(sel.root)) if s]


# Elements that hold a table's or a list's rows: a label's value is never looked for beyond one.
_ROW_HOLDERS = frozenset({"ul", "ol", "dl", "table", "tbody", "thead", "tr", "form"})
_LONGEST_VALUE = 80  # a text this long after a bare label is running text, not its value
_FORM_CONTROLS = etree.XPath(".//input[not(@type='hidden')] | .//select | .//textarea")


def _segments(sel: Selector) -> list[tuple[str, etree._Element]]:
    """(text, element holding it) for every non-blank text node, in document order.

    A text node that holds several labels (``日期：2025-02-26 11:54 来源：市发改委``) is cut at each.
    """
    out: list[tuple[str, etree._Element]] = []
    for node in _TEXT_NODES_AT(sel.root):
        text = squash_spaces(str(node))
        if not text:
            continue
        owner = node.getparent()
        if owner is None:
            continue
        if node.is_tail:
            owner = owner.getparent()
            if owner is None:
                continue
        cuts = [m.start(1) for m in _INNER_LABEL.finditer(text) if m.start(1) > 0]
        for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True):
            piece = text[a:b].strip()
            if piece:
                out.append((piece, owner))
    return out


def _inside(el: etree._Element, holder: etree._Element) -> bool:
    return el is holder or any(a is holder for a in el.iterancestors())


def text_fields(sel: Selector) -> dict[str, tuple[str, str]]:
    """Labelled values written as text around elements rather than in table cells.

    ``<li>发布机构：<span>…</span></li>``, ``<li>[发文字号] <span>京政办发</span><span>〔2023〕</span>
    <span>15号</span></li>`` (a value split over spans), ``<div class="flex"><h1>有效性：</h1><p>有效</p>
    </div>`` (label in a heading, value beside it), ``<ul><li class="gk-l1">索引号:</li><li class=
    "gk-l2">…</li></ul>``, ``<div class="row"><label>…</label><span>…</span></div>``. A bare
    label's value is the text that follows it inside its element, else inside that element's
    parent, up to the next label; a label that ends its list or table row has an empty value. Only
    a label alone in its element (``<b>文号：</b>``) whose parent holds nothing else takes the next
    text on the page, when it is short.
    """
    segs = _segments(sel)
    labels = [_split_label(text) for text, _ in segs]
    found: dict[str, tuple[str, str]] = {}
    for i, (field, label, value) in enumerate(labels):
        if not field or label is None:
            continue
        if not value:
            value = _value_after(segs, labels, i)
        merge_field(found, field, label, value)
    return found


def join_pieces(pieces: list[str]) -> str:
    """Pieces of one value (text of neighbouring elements) on one line: a space only between
    two Latin letters or digits. Chinese writes no spaces between words, so a value split over
    ``<span>京建发</span><span>〔2024〕</span><span>11号</span>`` is 京建发〔2024〕11号."""
    out = ""
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        if (
            out
            and out[-1].isascii()
            and out[-1].isalnum()
            and piece[0].isascii()
            and piece[0].isalnum()
        ):
            out += " "
        out += piece
    return out


def _value_after(segs: list, labels: list, i: int) -> str:
    """The value of the bare label ``segs[i]`` (see :func:`text_fields`)."""
    holder = segs[i][1]
    alone = squash_spaces("".join(holder.itertext())) == segs[i][0]  # <b>文号：</b>: fills it
    for _ in range(2):
        if _FORM_CONTROLS(holder):  # a search form's 文件状态 [不限 现行有效 已失效]: no value
            return ""
        taken: list[str] = []
        j = i + 1
        while j < len(segs) and _inside(segs[j][1], holder):
            if labels[j][0]:
                return clean_value(join_pieces(taken))
            taken.append(segs[j][0])
            j += 1
        if taken:
            return clean_value(join_pieces(taken))
        if holder.tag in _ROW_HOLDERS or holder.getparent() is None:
            return ""
        holder = holder.getparent()
        if holder.tag in ("body", "html"):
            break
        if holder.tag in _ROW_HOLDERS:  # a list or table: look in it once, never beyond
            taken = []
            j = i + 1
            while j < len(segs) and _inside(segs[j][1], holder) and not labels[j][0]:
                taken.append(segs[j][0])
                j += 1
            return clean_value(join_pieces(taken))
    nxt = segs[i + 1][0] if alone and i + 1 < len(segs) else ""
    if nxt and not labels[i + 1][0] and len(nxt) <= _LONGEST_VALUE:
        return clean_value(nxt)
    return ""


def page_fields(sel: Selector) -> dict[str, tuple[str, str]]:
    """Labelled values of a page (body excluded): table cells first, then text around elements.

    Text covers layouts like ``<li><label>发布机构：</label><span>…</span></li>`` (:func:`text_fields`).
    """
    fields = read_labelled_values(table_cells(sel))
    for field, (label, value) in text_fields(sel).items():
        merge_field(fields, field, label, value)
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
    if len(text) > 60 or not text.rstrip("）) \u3000").endswith(
        ("日", *"0123456789０１２３４５６７８９")
    ):
        return None  # a line of prose: no need to look for dates in it
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


# Words an issuing body's name ends with (a signature line is nothing but such names).
_ORG_ENDS = (
    "政府", "办公厅", "办公室", "委员会", "管委会", "领导小组", "小组", "总局", "局", "厅", "委",
    "办", "中心", "院", "部", "署", "会", "分行", "行", "公司", "处", "所", "站", "队", "社", "司",
    "室", "校", "馆", "团", "联", "府", "党组", "集团",
)  # fmt: skip
_SIGNATURE_LINES = 4  # at most this many issuer lines stand above a signature date


def is_issuer_line(text: str) -> bool:
    """True for a line that is only the names of issuing bodies, as signed under a document:
    ``杭州市房地产平稳健康发展领导小组办公室``, ``甘肃省财政厅  国家税务总局甘肃省税务局``."""
    parts = squash_spaces(text).split(" ")
    if not parts or len(parts) > 8 or not all(2 <= len(p) <= 40 for p in parts):
        return False
    return all(
        re.fullmatch(r"[\u4e00-\u9fff（）()、]+", p) and p.endswith(_ORG_ENDS) for p in parts
    )


def signature_block(lines: list[str]) -> tuple[str, str, str] | None:
    """(issuer, raw date, ISO) of the first signature in the body: issuer lines, then a date line.

    The signature of a notice stands wherever the notice ends — at the end of the body, or before
    the measure, plan or annex the notice issues (``…现印发给你们。`` / ``白银市人民政府办公室`` /
    ``2022年10月6日`` / ``（此件公开发布）`` / the plan). Several issuers may sign on several lines;
    their names are joined with a space. Also ``长沙市人民政府办公厅 2018年6月25日`` on one line.
    """
    for i, line in enumerate(lines):
        found = _is_date_line(line)
        if not found:
            continue
        raw, iso = found
        head = line[: line.rfind(raw)].strip()
        if head:
            if is_issuer_line(head):
                return squash_spaces(head), raw, iso
            continue
        names = []
        for above in reversed(lines[max(0, i - _SIGNATURE_LINES) : i]):
            if not is_issuer_line(above):
                break
            names.insert(0, squash_spaces(above))
        if names:
            return " ".join(names), raw, iso
    return None


def same_body(short: str, full: str) -> bool:
    """True when ``short`` names a body ``full`` names, perhaps shortened (``省政府办公厅`` for
    ``江西省人民政府办公厅``): its characters appear in ``full`` in order, and it ends as one of the
    names in ``full`` ends."""
    names = squash_spaces(full).split(" ")
    short, full = strip_all_spaces(short), strip_all_spaces(full)
    if not short or not full:
        return False
    rest = iter(full)
    return all(c in rest for c in short) and any(n.endswith(short[-1]) for n in names)


# ---------------------------------------------------------------- titles

# A status in front of a title: [已废止]…, 【失效】…, （失效）… (Dalian, Beijing's script).
_TITLE_STATUS = re.compile(
    r"^\s*[\[【（(〔]\s*((?:已|全文|部分)?(?:废止|失效|修改|修订)|(?:现行|全文)?有效|尚未生效|未生效)"
    r"\s*[\]】）)〕]\s*"
)
_TITLE_TAG = re.compile(r"^\s*【[^【】]{1,8}】\s*")  # 【贷款】…: a column's tag


def title_status(title: str) -> tuple[str, str]:
    """(title without it, the status word) for a title that opens with its page's status."""
    m = _TITLE_STATUS.match(title)
    return (title[m.end() :].strip(), m[1]) if m else (title, "")


def title_without_tag(title: str) -> str:
    """A title without the column's tag it opens with: ``【贷款】…`` → ``…``."""
    rest = _TITLE_TAG.sub("", title, count=1)
    return rest if len(rest) > 4 else title


def title_prefix_number(title: str) -> tuple[str, tuple[str, str] | None]:
    """(title, (raw, canonical) 文号) for a document title that opens with its 文号 and then a
    title of its own: ``武公中规〔2026〕2号武汉住房公积金管理中心关于…的通知`` → the title from 武汉…
    (``赣府厅发〔2015〕18号文件政策解读`` is one phrase: its 文号 stays)."""
    found = find_doc_numbers(title[:40])
    if found:
        raw, canon = found[0]
        rest = title[len(raw) :].strip()
        if title.startswith(raw) and "关于" in rest[:40]:
            return rest, (squash_spaces(raw), canon)
    return title, None


_REGISTRATION = re.compile(r"[A-Za-z]{2,8}-?\d{4}-?\d{3,6}")


def _whole_doc_number(text: str) -> tuple[str, str] | None:
    """(raw, canonical) if ``text`` is nothing but one 文号."""
    found = find_doc_numbers(text)
    if len(found) != 1:
        return None
    raw, canon = found[0]
    rest = strip_all_spaces(text.replace(raw, "", 1)).strip("()（）[]【】")
    # Beside it may stand the document's registration number (Changsha: CSCR-2018-01025).
    return (squash_spaces(raw), canon) if not rest or _REGISTRATION.fullmatch(rest) else None


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
