"""Write the body (the blocks between the content markers) and attachments of every article.

The same block list is rendered into the page and cleaned into the truth's ``body_text``, so the
two cannot drift apart.
"""

from __future__ import annotations

import random
from datetime import timedelta

from . import files, text, validity_texts, vocab
from .model import Block, Document, Image, Interpretation, Link, Site


def _p(line: str, align: str = "", strong: bool = False) -> Block:
    return Block([line], align=align, strong=strong)


def _signature(doc: Document, rng: random.Random) -> list[Block]:
    lines = [_p(name, "right") for name in doc.spec["issuers"]]
    lines.append(_p(text.signature_date(rng, doc.written), "right"))
    return lines


def _final_article(doc: Document, lines: list[str], n: int) -> list[str]:
    clause = doc.spec["clause"]
    # the truth of the article splitter (tests/test_articles_mirror.py): 第一条 … 第N条 printed
    doc.spec["articles"] = n if clause else n - 1
    return [*lines, text.article_label(n) + clause] if clause else lines


def document_body(doc: Document, site: Site) -> None:
    """Fill ``doc.body`` and ``doc.attachments``."""
    rng = random.Random(doc.seed)
    doc.spec["attachments_outside"] = rng.random() < site.style.attachments_outside
    if doc.spec.get("case_body"):  # a decision or list of the validity cases
        validity_texts.case_body(doc, rng)
        return
    form = doc.spec["form"]
    if form in ("rule", "decision"):
        doc.body = _rule_body(doc, rng)
        return
    blocks = [_p(doc.number_raw, "center")] if doc.layout == "C" else []
    blocks.append(_p(doc.spec["salutation"]))
    topic, org = doc.spec["topic"], doc.spec["issuers"][0]
    if form == "print":
        blocks += _print_body(doc, site, rng, topic, org)
    else:
        blocks += _notice_body(doc, site, rng, topic, org)
    doc.body = blocks


def _replaces(doc: Document) -> list[Block]:
    """原《…》（文号）同时废止 and the other lines about other documents (validity_texts)."""
    return [_p(line) for line in validity_texts.clause_lines(doc)]


def _print_body(doc: Document, site: Site, rng, topic: str, org: str) -> list[Block]:
    """关于印发《…》的通知: the notice, the signature, then the measure (or the measure attached)."""
    inner, self_word = doc.inner_title, doc.spec["self_word"]
    ask = rng.choice(["请认真贯彻执行。", "请结合实际认真抓好贯彻落实。", "请遵照执行。"])
    blocks = [_p(f"　　现将《{inner}》印发给你们，{ask}")]
    measure, n = text.measure_articles(rng, topic, doc.spec["law"], org, self_word)
    measure = _final_article(doc, measure, n)
    if doc.layout == "C":  # no table: the measure goes in an attachment, the term in the notice
        if doc.spec["clause"]:
            blocks.append(_p("　　" + doc.spec["clause"].replace("本", "该", 1)))
        blocks += _replaces(doc)
        ext = rng.choice(["pdf", "docx"])
        doc.attachments = [files.attachment(doc, 0, f"{inner}.{ext}", [inner, *measure])]
        blocks += files.attachment_blocks(doc)
        return blocks + _signature(doc, rng)
    blocks += _replaces(doc)
    blocks += _signature(doc, rng)
    if rng.random() < 0.6:
        blocks.append(_p("（此件主动公开）"))
    blocks.append(_p(inner, "center", strong=True))
    blocks += [_p(line, "center" if "章　" in line[:5] else "") for line in measure]
    blocks += _extra_attachment(doc, site, rng, topic)
    return blocks


def _extra_attachment(doc: Document, site: Site, rng, topic: str) -> list[Block]:
    """Some documents attach a form or a task list."""
    if rng.random() >= 0.25:
        return []
    if rng.random() < 0.5:
        name = f"{topic}申请表.docx"
        lines = [f"{topic}申请表", "申请单位（盖章）：", "法定代表人：", "统一社会信用代码：",
                 "联系人及电话：", "申请事项：", "申请理由：", f"{site.title}制"]  # fmt: skip
    else:
        name = f"{topic}重点任务分工.pdf"
        lines = [f"{topic}重点任务分工", "一、建立健全工作机制。牵头单位：" + doc.spec["issuers"][0],
                 "二、加强资金保障。牵头单位：省财政厅", "三、强化监督检查。牵头单位：省审计厅",
                 "四、做好宣传引导。配合单位：各设区市人民政府"]  # fmt: skip
    doc.attachments.append(files.attachment(doc, len(doc.attachments), name, lines))
    return files.attachment_blocks(doc)


def _notice_body(doc: Document, site: Site, rng, topic: str, org: str) -> list[Block]:
    """A notice or opinion: opening, numbered sections, term, signature."""
    blocks = [
        _p(("　　" if i == 0 else "") + line)
        for i, line in enumerate(text.notice_paragraphs(rng, topic))
    ]
    if rng.random() < 0.3:
        deadline = text.ymd(doc.written.replace(day=28, month=12))
        blocks.append(_p(f"　　各地各有关单位要于{deadline}前将贯彻落实情况报送{org}。"))
    if doc.spec["clause"]:
        blocks.append(_p("　　" + doc.spec["clause"]))
    blocks += _replaces(doc)
    blocks += _extra_attachment(doc, site, rng, topic)
    blocks += _signature(doc, rng)
    if doc.layout != "C" and rng.random() < 0.5:
        blocks.append(_p("（此件主动公开）"))
    return blocks


def _governor(year: int) -> str:
    return [name for since, name in vocab.GOVERNORS if since <= year][-1]


def _rule_body(doc: Document, rng: random.Random) -> list[Block]:
    """A provincial government order: the order, the governor's signature, then the rule."""
    number = doc.number_raw.split("令", 1)[1]
    meeting = doc.written - timedelta(days=rng.randint(5, 20))
    eff = text.ymd(doc.effective)
    blocks = [
        _p("江西省人民政府令", "center", strong=True),
        _p(number, "center"),
        _p(f"　　《{doc.title}》已经{text.ymd(meeting)}省人民政府第{rng.randint(5, 60)}次常务会议"
           f"审议通过，现予公布，自{eff}起施行。"),
        _p(f"省长　{_governor(doc.written.year)}", "right"),
        _p(text.signature_date(rng, doc.written), "right"),
        _p(doc.title, "center", strong=True),
    ]  # fmt: skip
    if doc.spec["form"] == "decision":
        return blocks + _decision_lines(doc)
    lines, n = text.measure_articles(
        rng, doc.spec["topic"], doc.spec["law"], "省人民政府", doc.spec["self_word"]
    )
    lines = _final_article(doc, lines, n)
    return blocks + [_p(line, "center" if "章　" in line[:5] else "") for line in lines]


def _history(rule: Document) -> str:
    return f"（{text.ymd(rule.written)}江西省人民政府令{rule.number_raw.split('令', 1)[1]}公布）"


def _decision_lines(doc: Document) -> list[Block]:
    """The body of the repeal/amend decision: which rules go, which change."""
    repealed, amended = doc.spec["repealed"], doc.spec["amended"]
    lines = ["　　为维护法制统一，根据国家有关法律法规的规定，省人民政府对现行有效的省政府规章进行了清理。经清理，省人民政府决定：",
             f"　　一、对下列{text.cn_number(len(repealed))}件省政府规章予以废止："]  # fmt: skip
    lines += [f"　　{i}.{r.title}{_history(r)}" for i, r in enumerate(repealed, 1)]
    lines.append(f"　　二、对下列{text.cn_number(len(amended))}件省政府规章的部分条款予以修改：")
    for i, r in enumerate(amended, 1):
        lines.append(f"　　（{text.cn_number(i)}）{r.title}{_history(r)}")
        lines.append("　　将第三条中的“统筹规划”修改为“统筹规划、依法管理”。")
    lines.append("　　上述规章根据本决定作相应修改，重新公布。")
    lines.append("　　" + doc.spec["clause"])
    return [_p(line) for line in lines]


def interpretation_bodies(
    interps: list[Interpretation], sites: dict[str, Site], pool: list[Document]
) -> None:
    """Every interpretation's body, oldest first, and its links: what it explains (the truth),
    and its entry in the 相关解读 of each document it is linked from (modes ``both``, ``doc``)."""
    for interp in sorted(interps, key=lambda i: (i.pub, i.article_id)):
        interpretation_body(interp, sites[interp.site], pool)
        interp.explains = [t.ref for t in interp.spec["targets"]]
        if interp.spec["mode"] in ("both", "doc"):
            for target in interp.spec["targets"]:
                target.interpretations.append(interp.ref)


def interpretation_body(interp: Interpretation, site: Site, pool: list[Document]) -> None:
    """Fill an interpretation's body: lead, headed sections, maybe a passing quote, 原文链接."""
    rng = random.Random(interp.seed)
    interp.spec["attachments_outside"] = rng.random() < site.style.attachments_outside
    mode, targets, topic = interp.spec["mode"], interp.spec["targets"], interp.spec["topic"]
    blocks = [_p(_lead(interp, rng))]
    org = targets[0].spec["issuers"][0] if targets else interp.source
    blocks += [
        _p(("　　" if i % 2 else "") + line)
        for i, line in enumerate(text.interpretation_sections(rng, topic, org))
    ]
    if pool and rng.random() < 0.12:  # a document quoted only in passing: not what is explained
        other = rng.choice([d for d in pool if d not in targets and d.site == interp.site])
        blocks.append(
            _p(f"　　文件与《{other.inner_title or other.title}》等政策相互衔接，形成政策合力。")
        )
    if interp.form == "图解":
        blocks.insert(1, Block([Image(f"/picture/0/{interp.seed:x}.png")], align="center"))
        if rng.random() < 0.3:
            lines = [interp.title, *[b.text.strip() for b in blocks[2:7]]]
            interp.attachments = [files.attachment(interp, 0, f"{topic}政策图解.pdf", lines)]
            blocks += files.attachment_blocks(interp)
    if mode in ("both", "interp"):
        interp.links = [t.ref for t in targets]
        if interp.links_inside:
            blocks.append(_link_block(targets))
    interp.body = blocks


def _link_block(targets: list[Document]) -> Block:
    """原文链接：《…》 (one document) or 相关文件：《…》、《…》 (several)."""
    parts: list = ["原文链接：" if len(targets) == 1 else "相关文件："]
    for i, t in enumerate(targets):
        shown = t.title if "《" in t.title else f"《{t.title}》"
        parts += (["、"] if i else []) + [Link(shown, ref=t.ref)]
    return Block(parts)


def _lead(interp: Interpretation, rng: random.Random) -> str:
    """The first paragraph: quotes the document, names only its 文号, or stays vague."""
    mode, targets = interp.spec["mode"], interp.spec["targets"]
    tail = "为便于社会公众准确理解和把握文件精神，现就有关内容解读如下："
    if mode == "decoy":
        return f"　　近日，{interp.spec['national_issuer']}印发了《{interp.spec['quote']}》。{tail}"
    # Two documents of different issuers: both named (省政府、省政府办公厅印发了《A》和《B》).
    who = "、".join(dict.fromkeys(t.spec["issuers"][0] for t in targets))
    if mode == "number":
        return f"　　近日，{who}印发了{targets[0].number_raw}文件，对{interp.spec['topic']}工作作出部署。{tail}"
    if mode in ("both", "interp", "doc") and rng.random() < 0.3:
        return f"　　近日，{who}出台了{interp.spec['topic']}方面的政策文件。{tail}"
    names = "和".join(f"《{_quote(t, interp, i)}》" for i, t in enumerate(targets))
    # Hard cases of the linker (mirror/interpretations.py): another document named as the basis
    # (依据《B》), or after the subject (in passing, or the older version it repeals).
    basis = f"依据{interp.spec['basis']}，" if interp.spec.get("basis") else ""
    extra = interp.spec.get("lead_extra", "")
    return f"　　近日，{who}{basis}印发了{names}（以下简称《{_short(targets[0])}》）。{extra}{tail}"


def _quote(doc: Document, interp: Interpretation, i: int) -> str:
    return interp.spec["quote"] if i == 0 else (doc.inner_title or doc.title)


def _short(doc: Document) -> str:
    """办法, 细则, 通知 … as the text calls the document after first naming it."""
    return doc.spec["self_word"][1:]
