"""Document pages on the structures real detail pages showed (docs/sites.md), with their truth.

Two extra sites (``mirror/more_sites.py``) serve them: ``zj-jst`` (Hanweb) and ``bj-zjw`` (TRS).
Their lists, interpretation pages and attachments are their family's own; each of their document
pages takes one *shape*, the template of a real page, drawn in turn over the column so that
every shape shows on two or three pages:

Hanweb (``zj-jst``):

* ``zoom_class`` – Lishui: the body in ``div.zoom`` (a class, no ContentStart markers), a
  ``table.xxgk_article`` of label cells without colons, labels padded with ideographic spaces
  (``索　引　号``, ``文　　号``, ``有　效　性``), ``发文日期`` as the only date of the table, a
  组配分类 that is no 主题分类; on every other page the 文号 cell says ``无``.
* ``easysite`` – Beijing's EasySite: empty ``ContentStart``/``ContentEnd`` metas in ``<head>``, the
  body in ``div.article``; ``<li><span>label：</span><p>value</p></li>`` with 文件有效性 and 制发单位;
  a 成文日期 written ``YYYY-MM-DD 00:00:00`` that a script cuts to the date.
* ``con_main`` – Hangzhou: ``<p>``s loose in ``div.con-main`` beside a share box and print/close
  links; the table in ``div#xxgkhide`` hidden inline and shown by the page's stylesheet
  (``!important``), with 公开日期 and 发布单位 and no 成文日期 (the signature's); an unrendered
  template field beside 主题分类; on every other page the 文号 cell says ``-``.
* ``signature_only`` – an old news-style page: no metadata at all; the issuer and the 成文日期 only
  in the signature block, which the measure the notice issues follows; 信息来源 names an office
  that is not the signer.
* ``repealed_title`` – Dalian: the heading and ``ArticleTitle`` open with ``[已废止]`` (the page's
  only word on validity); ``ul``/``li`` label rows (``gk-l1``/``gk-l2``), 主题分类 commented out.
* ``jpaas`` – Cixi's jpaas template: labels in ``<h1>`` elements of a flex grid (发布日期 and 成文日期
  in one row; a 规范性文件编号 beside the 文件编号); attachments behind
  ``/api-gateway/jpaas-web-server/front/document/file-download?fileUrl=…`` with no extension in the
  address or the link text (the answer's Content-Disposition and bytes tell the type); every
  interpretation of the document under ``政策解读（文字版）``, the first link beside the label and
  the others in the sibling paragraphs after it.

TRS (``bj-zjw``):

* ``beijing`` – ``ol.doc-info`` of ``[label] value`` items without colons; the 文号 split over three
  ``<span>``s (on every other page empty: ``""``, ``〔〕``, ``号``, which the script blanks); the
  ``[有效性]`` item holds 是 or 否 and the page's script shows 现行有效 or 失效 (the truth is what it
  shows); ``[实施日期]`` and ``[废止日期]`` (the day *after* the term's last day, as Beijing shows
  it), empty where the page states none — where the text starts later than it was written and
  its term has run out, the page's 实施日期 is the 成文日期 (the publisher's slip: the text's own
  clause is the truth); where the text states no term, the page alone states a five-year one
  (the truth's end of term is the page's); the body in ``div#mainText > div.view.TRS_UEDITOR``.
* ``chongqing`` – a label table with ``文件状态`` rows of which only one is visible (the others are
  ``display:none`` alternatives); the files only behind ``<a onclick="downloadFj('name',
  './W0….docx')">`` with no ``href`` (none in the body).
* ``changsha`` – ``div.wjxx`` items ``label：value`` with labels padded with ideographic spaces,
  公布日期, 生效日期 (the text's 施行日期, empty where it states none), 信息时效期 as the 有效性 (the
  term's last day where the text states one and the page no word: a date, as Changsha shows it), 公开责任部门 (a registering office, not the issuer), no issuer or
  成文日期 field; the body in ``div.content-main``; on every other page the 文号 is ``〔〕号``.
* ``fujian`` – Sanming's avalon template: 备注/文号 and 公文生成日期; four 有效性 items, all
  ``display:none``, of which ``ms-visible`` shows the one matching the page's code.
* ``wuhan`` – no table: the heading and ``<title>`` open with a column tag and the 文号
  (``【住房保障】京建发〔2024〕9号…``); 发布日期 and 来源 in one line.
* ``gansu`` – the body in ``div#detailContent``; no metadata, an empty 来源 and an office as
  ContentSource: issuer and 成文日期 only in the signature, which the measure follows.

The shapes rewrite the page's model (``assign``) to what the page shows — a placeholder 文号 is
no 文号, a scripted 有效性 is the word the script shows, a title's prefix is no part of the title —
so the truth (``mirror/groundtruth.py``) is written from the model as for every other page,
never by reading a page back. The pages themselves are drawn by ``mirror/realpages.py``.
"""

from __future__ import annotations

from datetime import timedelta

from . import files
from .facts import PAGE_DAY
from .model import Block, Document, Interpretation, Link, Site
from .validity import EXPIRED, REPEALED, term_end

# The shapes, in the order they take documents (the most demanding first).
HANWEB_SHAPES = ("jpaas", "signature_only", "repealed_title", "zoom_class", "easysite", "con_main")
TRS_SHAPES = ("gansu", "wuhan", "changsha", "chongqing", "beijing", "fujian")
GATEWAY = "/api-gateway/jpaas-web-server/front/document/file-download"
OFFICE = {"hanweb": "办公室", "trs": "政策法规处"}  # a source naming an office, not the signer
TAGS = ("【住房保障】", "【房地产】", "【建筑业】", "【物业管理】")
PLACEHOLDERS = {"zoom_class": "无", "con_main": "-", "changsha": "〔〕号", "beijing": "〔〕号"}


def shapes_of(site: Site) -> tuple[str, ...]:
    """The shapes a site's document pages take."""
    return HANWEB_SHAPES if site.family == "hanweb" else TRS_SHAPES


# ---------------------------------------------------------------- the model


def assign(site: Site, docs: list[Document], interps: list[Interpretation]) -> None:
    """Give each document of ``site`` a shape and make its model say what that page shows."""
    explaining: dict[int, list[Interpretation]] = {}
    for interp in sorted(interps, key=lambda i: (i.pub, i.article_id)):
        for target in interp.spec.get("targets") or []:
            explaining.setdefault(id(target), []).append(interp)
    by_number = {
        id(t) for i in interps if i.spec.get("mode") == "number" for t in i.spec["targets"]
    }
    taken: dict[str, list[Document]] = {shape: [] for shape in shapes_of(site)}
    remaining = list(docs)
    while remaining:  # in rounds: each shape takes the first document it fits, in turn
        before = len(remaining)
        for shape in shapes_of(site):
            fit = [d for d in remaining if _eligible(shape, d, explaining)]
            if shape == "jpaas":  # the document with most interpretations first
                fit.sort(key=lambda d: -len(explaining.get(id(d), [])))
            if fit:
                taken[shape].append(fit[0])
                remaining.remove(fit[0])
        assert len(remaining) < before, "every document fits a shape that takes any"
    for shape, chosen in taken.items():
        hidden = [d for d in chosen if _may_hide_number(d, by_number)]
        # Every other page of the shape prints a placeholder for its 文号 (one at least, where
        # the shape has another page to show a number).
        hidden = hidden[1::2] or (hidden[-1:] if len(chosen) > 1 else [])
        for doc in chosen:
            doc.spec["shape"] = shape
            if shape in PLACEHOLDERS and doc in hidden:
                doc.spec["number_shown"] = PLACEHOLDERS[shape]
                doc.number_raw, doc.number = "", None
            FIT[shape](site, doc, explaining.get(id(doc), []))


def _single(doc: Document) -> bool:
    return len(doc.spec["issuers"]) == 1


def _eligible(shape: str, doc: Document, explaining: dict) -> bool:
    if shape in ("signature_only", "gansu"):  # a signature the measure follows, one signer
        return doc.spec["form"] == "print" and _single(doc)
    if shape == "jpaas":
        return bool(explaining.get(id(doc)))
    if shape == "wuhan":
        return bool(doc.number) and not doc.number_in_title and _single(doc)
    if shape == "changsha":
        return _single(doc)
    return True


def _may_hide_number(doc: Document, by_number: set[int]) -> bool:
    """A 文号 no other page names: not an old version's (its successor cites it), not one an
    interpretation names by number."""
    return not (doc.spec.get("old") or doc.spec.get("replaces") or id(doc) in by_number)


def _no_metadata(site: Site, doc: Document) -> None:
    """A page with no metadata: nothing but the signature says who and when."""
    doc.index_no = doc.subject = doc.validity_raw = doc.number_raw = ""
    doc.number = None
    doc.source = OFFICE[site.family]


def _fit_zoom_class(site: Site, doc: Document, _: list) -> None:
    """A 有　效　性 cell that always says something: 失效 once the term had ended when the page was
    last edited, else 有效 (where the page had not said otherwise)."""
    doc.subject = ""  # the table shows a 组配分类, no 主题分类
    if not doc.validity_raw:
        ended = doc.expires is not None and doc.expires < PAGE_DAY
        doc.validity_raw = "失效" if ended else "有效"


def _fit_easysite(site: Site, doc: Document, _: list) -> None:
    doc.index_no = ""  # the template shows no 索引号


def _fit_con_main(site: Site, doc: Document, _: list) -> None:
    pass


def _fit_signature_only(site: Site, doc: Document, _: list) -> None:
    _no_metadata(site, doc)


def _fit_repealed_title(site: Site, doc: Document, _: list) -> None:
    doc.validity_raw = "已废止"
    doc.subject = ""  # in an HTML comment


def _fit_jpaas(site: Site, doc: Document, explaining: list[Interpretation]) -> None:
    """Files behind the gateway, named without extension; every interpretation linked."""
    if not doc.attachments:
        name = f"{doc.inner_title or doc.title}.pdf"
        lines = [doc.title, *(b.text.strip() for b in doc.body if b.text.strip())]
        doc.attachments = [files.attachment(doc, "original", name, lines)]
        doc.body.append(Block(["附件：", Link(name, href=doc.attachments[0].href)]))
    moved: dict[str, tuple[str, str]] = {}
    for att in doc.attachments:
        old = att.href
        stem = att.filename.rsplit(".", 1)[0]
        att.link = f"{GATEWAY}?fileUrl=/cms_files/jcms1/web{site.webid}/site/attach/0/{stem}"
        att.showname = att.showname.rsplit(".", 1)[0]
        moved[old] = (att.href, att.showname)
    _relink(doc, moved)
    for interp in explaining:
        if interp.ref not in doc.interpretations:
            doc.interpretations.append(interp.ref)


def _stated(doc: Document, effective: tuple[str, str], expiry: tuple[str, str]) -> None:
    """What the page's metadata states of the term: ``spec["page_dates"]`` = (施行 label, value,
    end label, value) as shown; a label with no value states nothing (its label is "")."""
    doc.spec["page_dates"] = tuple(x for pair in (effective, expiry) for x in _shown(*pair))


def _shown(label: str, value: str) -> tuple[str, str]:
    return (label, value) if value else ("", "")


def _beijing_dates(doc: Document) -> None:
    """[实施日期] and [废止日期] (the first day no longer in force) of a Beijing page; see the
    module docstring for the slip and the term only the page states."""
    shown = doc.effective
    if doc.effective and doc.written < doc.effective and doc.expires and doc.expires < PAGE_DAY:
        shown = doc.written  # the publisher's slip: the text's own 施行日期 stays the truth
    no_term = doc.expires is None and not doc.spec.get("problems")
    if no_term and doc.effective and doc.kind != "rule" and not doc.spec.get("acts"):
        doc.expires = term_end(doc.effective, 5)  # stated by the page alone
    repealed = (doc.expires + timedelta(days=1)).isoformat() if doc.expires else ""
    _stated(doc, ("实施日期", shown.isoformat() if shown else ""), ("废止日期", repealed))


def _fit_beijing(site: Site, doc: Document, _: list) -> None:
    """否 (shown as 失效) where the page had said so or the term had ended when it was last edited,
    else 是 (现行有效)."""
    doc.index_no = ""  # the template shows no 索引号
    _beijing_dates(doc)
    ended = doc.expires is not None and doc.expires < PAGE_DAY
    doc.validity_raw = "失效" if ended or doc.validity_raw in EXPIRED + REPEALED else "现行有效"
    doc.number_raw = doc.number or ""  # three spans: code, 〔year〕, N号


def _fit_chongqing(site: Site, doc: Document, _: list) -> None:
    doc.subject = ""
    doc.validity_raw = doc.validity_raw or "现行有效"
    doc.body = [b for b in doc.body if not _links_a_file(b, doc)]
    if not doc.attachments:
        lines = [doc.title, *(b.text.strip() for b in doc.body if b.text.strip())]
        doc.attachments = [files.attachment(doc, "download", f"{doc.title}.docx", lines)]
    folder = doc.path.rsplit("/", 1)[0]
    for k, att in enumerate(doc.attachments):
        att.link = f"{folder}/W0{doc.pub:%Y%m%d}{doc.article_id % 100000:05d}{k}.{att.ext}"


def _fit_changsha(site: Site, doc: Document, _: list) -> None:
    doc.subject = ""
    doc.source = doc.issuer  # no issuer field: ContentSource names the signer
    end = ("", "")
    if doc.expires and not doc.validity_raw:  # 信息时效期: the term's last day, where other
        doc.validity_raw = doc.expires.isoformat()  # pages say 有效 (the page's field as shown)
        end = ("信息时效期", doc.validity_raw)
    _stated(doc, ("生效日期", doc.effective.isoformat() if doc.effective else ""), end)


def _fit_fujian(site: Site, doc: Document, _: list) -> None:
    doc.subject = ""
    if doc.validity_raw in EXPIRED:
        doc.validity_raw = "失效"
    elif doc.validity_raw in REPEALED:
        doc.validity_raw = "废止"
    else:
        doc.validity_raw = "有效"


def _fit_wuhan(site: Site, doc: Document, _: list) -> None:
    doc.index_no = doc.subject = doc.validity_raw = ""
    doc.number_raw = doc.number or ""
    doc.source = doc.issuer


def _fit_gansu(site: Site, doc: Document, _: list) -> None:
    _no_metadata(site, doc)


FIT = {
    "zoom_class": _fit_zoom_class,
    "easysite": _fit_easysite,
    "con_main": _fit_con_main,
    "signature_only": _fit_signature_only,
    "repealed_title": _fit_repealed_title,
    "jpaas": _fit_jpaas,
    "beijing": _fit_beijing,
    "chongqing": _fit_chongqing,
    "changsha": _fit_changsha,
    "fujian": _fit_fujian,
    "wuhan": _fit_wuhan,
    "gansu": _fit_gansu,
}


def _links_a_file(block: Block, doc: Document) -> bool:
    """A 附件 line of the body: a link to one of the document's files."""
    hrefs = {a.href for a in doc.attachments}
    return any(isinstance(p, Link) and p.ref is None and p.href in hrefs for p in block.parts)


def _relink(doc: Document, moved: dict[str, tuple[str, str]]) -> None:
    """Body links to moved attachments: their new address and the name they now show."""
    for block in doc.body:
        for part in block.parts:
            if isinstance(part, Link) and part.ref is None and part.href in moved:
                part.href, part.text = moved[part.href]
