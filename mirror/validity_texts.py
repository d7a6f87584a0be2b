"""The texts of the validity cases: decisions, official lists (tables in attachments), clauses.

Written as the real ones are: a decision lists the documents it repeals or amends in
numbered items or in a table attached to it; a department's list notice attaches its 现行有效目录
and its 废止、失效目录 as DOCX tables; a new document ends with ``原《…》（文号）同时废止``; a later
notice stops one article or policy of a document (``《…》（文号）第五条停止执行``, ``停止执行《…》
（文号）中的…政策``, ``废止《…》（文号）第八条``) or moves its term (``将《…》（文号）的有效期延长至…``). A
table row is a line whose cells are separated by tabs (``files`` renders it as a DOCX table row,
or as one drawn line of a PDF).
"""

from __future__ import annotations

import random
from datetime import date

from . import files, text
from .model import Block, Document
from .validity_cases import quote_title


def _p(line: str, align: str = "") -> Block:
    return Block([line], align=align)


def _signature(doc: Document, rng: random.Random) -> list[Block]:
    return [_p(doc.issuer, "right"), _p(text.signature_date(rng, doc.written), "right")]


def _row(i: int, doc: Document, when: date, rng: random.Random) -> str:
    """序号, 文件名称, 文号, date: the 文号 as the page spells it or canonical."""
    number = doc.number_raw if rng.random() < 0.5 else (doc.number or doc.number_raw)
    return f"{i}\t{doc.title}\t{number}\t{text.ymd(when)}"


def _named(doc: Document, rng: random.Random) -> str:
    """《…》 as a decision item names a document: the measure, or the full title with 〈〉."""
    if doc.inner_title and rng.random() < 0.5:
        wrapper = doc.title.replace(f"《{doc.inner_title}》", f"〈{doc.inner_title}〉")
        return f"《{wrapper}》"
    return f"《{quote_title(doc)}》"


def case_body(doc: Document, rng: random.Random) -> None:
    """Fill ``doc.body`` and ``doc.attachments`` of a case document (``spec["case_body"]``)."""
    writer = {
        "repeal_table": _repeal_table,
        "repeal_future": _repeal_future,
        "list_notice": _list_notice,
        "amend_decision": _amend_decision,
        "repeal_pdf": _repeal_pdf,
        "expire_undated": _expire_undated,
        "partial_notice": _partial_notice,
        "extend_notice": _extend_notice,
        "adjust_notice": _adjust_notice,
    }[doc.spec["case_body"]]
    lines = writer(doc, rng)
    blocks = [_p(doc.spec["salutation"])] + [_p("　　" + line) for line in lines]
    doc.body = blocks + files.attachment_blocks(doc) + _signature(doc, rng)


def _table(
    doc: Document, rng: random.Random, heading: str, targets: list[Document], extra=()
) -> list[str]:
    rows = [_row(i, t, t.written, rng) for i, t in enumerate(targets, 1)]
    for title, number, when in extra:
        rows.append(f"{len(rows) + 1}\t{title}\t{number}\t{text.ymd(when)}")
    return [heading, "序号\t文件名称\t文号\t成文日期", *rows]


def _repeal_table(doc: Document, rng: random.Random) -> list[str]:
    targets, n = doc.spec["items"], len(doc.spec["items"]) + 1
    heading = "废止的省政府行政规范性文件目录"
    lines = ["附件", *_table(doc, rng, heading, targets, [doc.spec["unmatched"]])]
    doc.attachments = [files.attachment(doc, "validity:0", f"{heading}.docx", lines)]
    return [
        "为维护法制统一，省人民政府对省政府行政规范性文件进行了全面清理。"
        f"经清理，省人民政府决定对{text.cn_number(n)}件省政府行政规范性文件予以废止（目录见附件）。",
        doc.spec["clause"],
    ]


def _repeal_future(doc: Document, rng: random.Random) -> list[str]:
    repealed, amended = doc.spec["repealed"], doc.spec["amended"]
    lines = ["为维护法制统一，省人民政府对省政府行政规范性文件进行了清理。经清理，省人民政府决定：",
             f"一、对下列{text.cn_number(len(repealed))}件省政府行政规范性文件予以废止："]  # fmt: skip
    lines += [f"{i}.{_named(t, rng)}（{t.number_raw}）" for i, t in enumerate(repealed, 1)]
    lines.append(f"二、对下列{text.cn_number(len(amended))}件省政府行政规范性文件予以修改：")
    for i, t in enumerate(amended, 1):
        lines.append(f"{i}.{_named(t, rng)}（{t.number_raw}）")
        lines.append("将第三条中的“按照有关规定”修改为“按照国家和省有关规定”。")
    return [*lines, doc.spec["clause"]]


def _list_notice(doc: Document, rng: random.Random) -> list[str]:
    current, repealed, expired = doc.spec["current"], doc.spec["repealed"], doc.spec["expired"]
    issuer = doc.issuer
    first = ["附件1", *_table(doc, rng, f"{issuer}现行有效行政规范性文件目录", current)]
    second = ["附件2", f"{issuer}废止、失效行政规范性文件目录",
              *_table(doc, rng, f"一、废止的行政规范性文件（{len(repealed) + 1}件）", repealed,
                      [doc.spec["unmatched"]]),
              *_table(doc, rng, f"二、失效的行政规范性文件（{len(expired)}件）", expired)]  # fmt: skip
    doc.attachments = [
        files.attachment(doc, "validity:0", "现行有效行政规范性文件目录.docx", first),
        files.attachment(doc, "validity:1", "废止、失效行政规范性文件目录.docx", second),
    ]
    return [
        "根据行政规范性文件管理有关规定，我厅对截至2025年11月30日制定的行政规范性文件进行了全面清理。"
        f"经清理，继续有效的行政规范性文件{len(current)}件，废止的{len(repealed) + 1}件，"
        f"宣布失效的{len(expired)}件。现将目录予以公布。",
    ]


def _amend_decision(doc: Document, rng: random.Random) -> list[str]:
    (target,) = doc.spec["amended"]
    topic = target.spec["topic"]
    return [
        f"经研究，决定对《{target.inner_title}》（{target.number_raw}）作如下修改：",
        f"一、将第五条中的“{topic}工作”修改为“{topic}相关工作”。",
        "二、将第八条中的“每年”修改为“每年度”。",
        f"《{target.inner_title}》根据本决定作相应修改，重新公布。",
        doc.spec["clause"],
    ]


def _repeal_pdf(doc: Document, rng: random.Random) -> list[str]:
    targets = doc.spec["items"]
    rows = [
        f"{i}\t{t.title}\t{t.number_raw}\t{text.ymd(t.pub.date())}"
        for i, t in enumerate(targets, 1)
    ]
    lines = ["废止的行政规范性文件目录", "序号\t文件名称\t文号\t发布日期", *rows]
    doc.attachments = [files.attachment(doc, "validity:0", "废止的行政规范性文件目录.pdf", lines)]
    return [
        "为维护法制统一，我厅对本厅制定的行政规范性文件进行了清理，"
        f"决定对{text.cn_number(len(targets))}件行政规范性文件予以废止（目录见附件）。",
        doc.spec["clause"],
    ]


def _expire_undated(doc: Document, rng: random.Random) -> list[str]:
    targets = doc.spec["items"]
    lines = [f"经清理，决定对下列{text.cn_number(len(targets))}件行政规范性文件宣布失效："]
    lines += [f"{i}.{_named(t, rng)}（{t.number_raw}）" for i, t in enumerate(targets, 1)]
    return [*lines, doc.spec["clause"]]


def _named_with_number(doc: Document) -> str:
    """《…》（文号）: how a notice names the document it changes."""
    return f"《{quote_title(doc)}》（{doc.number_raw}）"


def _extension(doc: Document, until: date, rng: random.Random) -> str:
    """将《X》（文号）的有效期延长至… or 《X》（文号）有效期延长至… (both seen on real notices)."""
    if rng.random() < 0.5:
        return f"将{_named_with_number(doc)}的有效期延长至{text.ymd(until)}。"
    return f"{_named_with_number(doc)}有效期延长至{text.ymd(until)}。"


def _partial_notice(doc: Document, rng: random.Random) -> list[str]:
    """One article of a document stops; a policy of another stops (停止执行《X》中的…政策)."""
    article, policy = doc.spec["stops"]
    return [
        "为进一步优化营商环境，减轻市场主体负担，经研究，决定：",
        f"一、{_named_with_number(article)}第五条停止执行。",
        f"二、停止执行{_named_with_number(policy)}中的项目资金奖励政策。",
        "各地在执行中遇到的问题，请及时报告。" + doc.spec["clause"],
    ]


def _extend_notice(doc: Document, rng: random.Random) -> list[str]:
    """The 有效期 of each document moved to a new last day, one sentence each."""
    lines = ["为保持政策的连续性和稳定性，经评估，决定延长下列行政规范性文件的有效期："]
    for i, (target, until) in enumerate(doc.spec["extends"], 1):
        lines.append(f"{text.cn_number(i)}、{_extension(target, until, rng)}")
    return [*lines, doc.spec["clause"]]


def _adjust_notice(doc: Document, rng: random.Random) -> list[str]:
    """From 2027: one article of a document repealed (废止《X》第八条), another's term moved."""
    (repealed,) = doc.spec["stops"]
    ((moved, until),) = doc.spec["extends"]
    return [
        "经研究，决定对部分行政规范性文件作如下调整：",
        f"一、废止{_named_with_number(repealed)}第八条。",
        f"二、{_extension(moved, until, rng)}",
        doc.spec["clause"],
    ]


def clause_lines(doc: Document) -> list[str]:
    """The lines an ordinary document carries about others: 同时废止 and citations."""
    lines = []
    old = doc.spec.get("replaces")
    if old:
        number = "" if doc.spec.get("bare_clause") else f"（{old.number_raw}）"
        lines.append(f"原《{old.inner_title}》{number}同时废止。")
    for t in doc.spec.get("repeals", []):
        lines.append(f"《{quote_title(t)}》（{t.number_raw}）同时废止。")
    for t in doc.spec.get("cites", []):
        lines.append(f"具体要求按照《{quote_title(t)}》（{t.number_raw}）有关规定办理。")
    return lines
