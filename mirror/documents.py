"""Draw the documents of a column (rules, normative documents) as ground facts.

Bodies are written later (``bodies.py``), once 文号 and article ids are known.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from . import facts, text, validity_cases, vocab
from .model import Column, Document, Site

TOPICS = {
    "jx-portal": vocab.PORTAL_TOPICS,
    "jx-nync": vocab.NYNC_TOPICS,
    "jx-sthjt": vocab.STHJT_TOPICS,
}


def weighted(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    """Pick a key from ``(key, weight)`` pairs."""
    keys = [k for k, _ in pairs]
    return rng.choices(keys, weights=[w for _, w in pairs])[0]


def make_documents(site: Site, column: Column, rng: random.Random) -> list[Document]:
    """All documents of a rule or normative column."""
    if column.kind == "rule":
        return _rules(site, column, rng)
    docs: list[Document] = []
    titles: set[str] = set()
    # The validity cases (decisions, lists …) take the last places of the column.
    count = column.count - validity_cases.RESERVED.get(site.name, 0)
    while len(docs) < count:
        special = len(docs) == 17 and site.name == "jx-portal"
        doc = _normative(site, column, rng, special, late=len(docs) in (3, 9))
        if doc.title in titles:
            continue
        titles.add(doc.title)
        docs.append(doc)
        room = len(docs) < count
        if room and doc.spec["form"] == "print" and doc.written.year >= 2019 and rng.random() < 0.1:
            docs.append(_old_version(site, column, rng, doc))
    case_rng = random.Random(f"{site.name}:{column.id}:case-documents")
    docs += validity_cases.add_cases(
        site,
        column,
        docs,
        new_doc=lambda written, title, code: _case_document(
            site, column, case_rng, written, title, code
        ),
        old_version=lambda new: _old_version(site, column, case_rng, new),
        # Only for a case no document fits (never with the default seed): drawn as the others.
        draw=lambda late: _normative(site, column, rng, special=False, late=late),
    )
    return docs


def _case_document(
    site: Site, column: Column, rng: random.Random, written: date, title: str, code: str
) -> Document:
    """A decision or list of the validity cases (its body is written by validity_texts)."""
    doc = _base(site, column, rng, written, "normative")
    issuer, _, salutation = vocab.ISSUERS[site.name][0]
    doc.title, doc.issuer, doc.subject = title, issuer, "综合政务"
    doc.layout = weighted(rng, tuple(p for p in site.style.layouts if p[0] != "C"))
    doc.source = _source(rng, site, issuer)
    doc.spec.update(code=code, issuers=[issuer], salutation=salutation, law="", form="decision")
    return doc


def _base(site: Site, column: Column, rng: random.Random, written: date, kind: str) -> Document:
    """A document with its dates, source and presentation seed set."""
    pub_day = min(written + timedelta(days=rng.randint(0, 14)), facts.LAST_DAY)
    return Document(
        site=site.name,
        column=column.id,
        kind=kind,
        title="",
        pub=facts.pub_time(rng, pub_day),
        source="",
        body=[],
        prefix=site.prefix,
        seed=rng.randrange(1 << 30),
        written=written,
    )


def _normative(
    site: Site, column: Column, rng: random.Random, special: bool, late: bool
) -> Document:
    """One normative document: a 印发 notice of a measure, or a notice/opinion of its own."""
    first = date(2026, 9, 1) if late else facts.FIRST_DAY
    written = facts.random_day(rng, first, facts.LAST_DAY - timedelta(days=6))
    doc = _base(site, column, rng, written, "normative")
    # Sites of the other families carry their own vocabulary (mirror/more_sites.py).
    issuers = vocab.ISSUERS.get(site.name) or site.vocab["issuers"]
    issuer, codes, salutation = rng.choice(issuers)
    topic, law, subject = rng.choice(TOPICS.get(site.name) or site.vocab["topics"])
    if special:  # the loose 文号 spelling 赣消办2025年13号, as a real office wrote it
        issuer, codes, topic, law = (
            "江西省消防安全委员会办公室",
            ("赣消办",),
            "消防安全",
            "中华人民共和国消防法",
        )
        salutation = "各设区市消防安全委员会，省消防安全委员会各成员单位："
        doc.written = written = date(2025, 6, 12)
        doc.pub = facts.pub_time(rng, date(2025, 6, 16))
    if rng.random() < 0.6 or special:
        inner, self_word, provisional = text.inner_title(rng, topic)
        doc.title = f"{issuer}关于印发《{inner}》的通知"
        doc.inner_title, form = inner, "print"
    else:
        doc.title, self_word = text.notice_title(rng, issuer, topic)
        provisional, form = False, "notice"
    issuers_shown = [issuer]
    if site.name != "jx-portal" and rng.random() < 0.1:
        issuers_shown.append(rng.choice(vocab.JOINT_PARTNERS))
    doc.issuer = "、".join(issuers_shown)
    doc.layout = weighted(rng, site.style.layouts)
    term = facts.make_term(rng, self_word, written, provisional, "normative", late)
    doc.effective, doc.expires = term.effective, term.expires
    doc.validity_raw = "" if doc.layout == "C" else facts.page_validity(rng, "normative", term)
    # The fields hold what the page shows: no table (C) shows no 主题分类; B omits it at times.
    doc.subject = "" if doc.layout == "C" or (doc.layout == "B" and rng.random() < 0.3) else subject
    doc.source = _source(rng, site, issuer)
    code = codes[0] if form == "print" else rng.choice(codes)
    doc.spec.update(
        topic=topic, law=law, form=form, self_word=self_word, clause=term.clause, code=code,
        salutation=salutation, issuers=issuers_shown, spelling="year" if special else "",
        number_in_title=site.name == "jx-portal" and form == "notice" and rng.random() < 0.1,
    )  # fmt: skip
    return doc


def _source(rng: random.Random, site: Site, issuer: str) -> str:
    """ContentSource / 信息来源 of a page: the issuer, or the office that posted it."""
    if site.name == "jx-portal":
        return rng.choice(["江西省人民政府办公厅", "省政府办公厅", issuer])
    return issuer if rng.random() < 0.7 else site.short


def _old_version(site: Site, column: Column, rng: random.Random, new: Document) -> Document:
    """An earlier version with the same title, repealed by ``new`` (its page says 废止)."""
    last = date(new.written.year - 2, new.written.month, 1)
    written = facts.random_day(rng, facts.FIRST_DAY, max(last, facts.FIRST_DAY))
    old = _base(site, column, rng, written, "normative")
    old.title, old.inner_title, old.issuer = new.title, new.inner_title, new.issuer
    old.layout = weighted(rng, tuple(p for p in site.style.layouts if p[0] != "C"))
    provisional = "暂行" in new.inner_title or "试行" in new.inner_title
    term = facts.make_term(rng, new.spec["self_word"], written, provisional, "normative")
    old.effective, old.expires = term.effective, term.expires
    old.validity_raw = facts.repealed_value(rng)
    old.subject, old.source = new.subject, _source(rng, site, new.spec["issuers"][0])
    old.spec.update({**new.spec, "clause": term.clause, "old": True, "number_in_title": False})
    new.spec["replaces"] = old
    # ``原《…》（文号）同时废止`` in the new version (mirror/validity_texts.py) repeals the old one.
    old.spec["acts"] = [("clause", "已废止", new)]
    new.spec["relations"] = [("replaces", old, "", "")]
    return old


def _rules(site: Site, column: Column, rng: random.Random) -> list[Document]:
    """Provincial government orders: one repeal/amend decision and plain rules."""
    topics = rng.sample(vocab.RULE_TOPICS, column.count - 1)
    docs = []
    for topic, law, subject in topics:
        written = facts.random_day(rng, facts.FIRST_DAY, date(2026, 10, 20))
        doc = _base(site, column, rng, written, "rule")
        word = "规定" if topic.endswith(("管理", "保护")) and rng.random() < 0.3 else "办法"
        doc.title = f"江西省{topic}{word}"
        term = facts.make_term(rng, f"本{word}", written, False, "rule")
        doc.effective, doc.expires = term.effective, term.expires
        doc.validity_raw = rng.choice(["现行有效", "有效"]) if rng.random() < 0.3 else ""
        doc.issuer, doc.subject, doc.source = "江西省人民政府", subject, "省司法厅"
        doc.layout = "A"
        doc.spec.update(
            topic=topic, law=law, form="rule", self_word=f"本{word}", clause=term.clause,
            issuers=[doc.issuer],
        )  # fmt: skip
        docs.append(doc)
    docs.sort(key=lambda d: d.written)
    decision = _decision(site, column, rng, docs)
    docs.append(decision)
    return docs


def _decision(site: Site, column: Column, rng: random.Random, rules: list[Document]) -> Document:
    """江西省人民政府关于废止和修改部分省政府规章的决定: repeals 3 and amends 3 older rules."""
    written = date(2024, 3, 18)
    doc = _base(site, column, rng, written, "rule")
    doc.title = "江西省人民政府关于废止和修改部分省政府规章的决定"
    eff = date(2024, 5, 1)
    doc.effective, doc.expires, doc.validity_raw = eff, None, ""
    doc.issuer, doc.subject, doc.source, doc.layout = "江西省人民政府", "综合政务", "省司法厅", "A"
    older = [r for r in rules if r.written < date(2023, 6, 1)]
    chosen = rng.sample(older, 7)
    repealed, amended, partly = chosen[:3], chosen[3:6], chosen[6]
    for r in repealed:
        r.validity_raw = facts.repealed_value(rng)
    for r in amended:
        r.validity_raw = "已修改"
    partly.validity_raw = "部分失效"
    validity_cases.declare(doc, repealed, "decision", "已废止", "repeals")
    validity_cases.declare(doc, amended, "decision", "已修改", "amends")
    doc.spec.update(
        topic="规章清理", form="decision", self_word="本决定", clause=f"本决定自{text.ymd(eff)}起施行。",
        issuers=[doc.issuer],
        repealed=repealed, amended=amended,
    )  # fmt: skip
    return doc
