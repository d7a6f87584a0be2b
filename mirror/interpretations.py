"""Draw the interpretations of a column: what each explains and how (if at all) it links to it.

Link modes, from the linker's point of view:
``both`` (相关解读 on the document and 原文链接 on the interpretation), ``interp`` (原文链接 only),
``doc`` (相关解读 only), ``title`` (no link; the title quotes 《…》), ``lead`` (no link; the first
lines quote it), ``number`` (no link; only the 文号 is named), ``decoy`` (a national document).
"""

from __future__ import annotations

import random
from datetime import timedelta

from . import facts, vocab
from .documents import weighted
from .model import Column, Document, Interpretation, Site

MODES = (
    ("both", 0.35),
    ("interp", 0.2),
    ("doc", 0.15),
    ("title", 0.15),
    ("lead", 0.1),
    ("number", 0.05),
)
FORMS = (
    ("文字解读", 0.55),
    ("图解", 0.2),
    ("答记者问", 0.08),
    ("专家解读", 0.07),
    ("起草说明", 0.05),
    ("视频", 0.05),
)
CROSS_SITE = 12  # portal 部门解读 items explaining department documents


def form_of(title: str) -> str:
    """The interpretation form its title announces (CONTRACTS.md; first match wins)."""
    rules = [
        ("视频", ("视频",)),
        ("图解", ("图解", "一图读懂", "图说")),
        ("答记者问", ("答记者问", "新闻发布会")),
        ("专家解读", ("专家",)),
        ("起草说明", ("起草说明",)),
    ]
    return next((form for form, words in rules if any(w in title for w in words)), "文字解读")


def quoted(doc: Document, rng: random.Random) -> str:
    """How an interpretation quotes a document: the printed measure, or the title less its issuer."""
    if doc.inner_title:
        return doc.inner_title
    title = doc.title.split("（")[0] if doc.number_in_title else doc.title
    if doc.kind != "rule" and "关于" in title and rng.random() < 0.6:
        return title[title.index("关于") :]
    return title


def make_interpretations(
    site: Site, column: Column, docs: list[Document], rng: random.Random
) -> list[Interpretation]:
    """The interpretations of ``column``; ``docs`` are every site's documents."""
    own = [d for d in docs if d.site == site.name and not d.spec.get("old")]
    own = [d for d in own if d.spec["form"] != "decision"]
    rng.shuffle(own)
    others = [d for d in docs if d.site != site.name and not d.spec.get("old")]
    cross = rng.sample(others, CROSS_SITE) if site.name == "jx-portal" else []
    decoys = vocab.NATIONAL_DECOYS[site.name]
    result: list[Interpretation] = []
    previous: list[Document] = []
    for _ in range(column.count - len(decoys)):
        if cross:
            targets = [cross.pop()]
        elif previous and rng.random() < 0.12:
            targets = previous  # a second interpretation (often 图解) of the same documents
        elif rng.random() < 0.06:
            targets = [own.pop(), own.pop()]
        else:
            targets = [own.pop()]
        result.append(_interpretation(site, column, rng, targets, targets is previous))
        previous = targets
    result += [_decoy(site, column, rng, title, issuer) for title, issuer in decoys]
    return result


def _interpretation(
    site: Site, column: Column, rng: random.Random, targets: list[Document], second: bool
) -> Interpretation:
    """One interpretation of ``targets``."""
    first = targets[0]
    cross = first.site != site.name
    mode = weighted(rng, MODES)
    if len(targets) > 1 or cross:
        mode = rng.choice(["both", "interp"])
    if mode == "number" and not first.number:
        mode = "title"
    form = weighted(rng, FORMS)
    if second and form == "文字解读":
        form = rng.choice(["图解", "视频"])
    latest = max(t.pub for t in targets)
    day = min(latest.date() + timedelta(days=rng.randint(0, 3)), facts.LAST_DAY)
    interp = Interpretation(
        site=site.name, column=column.id, kind="interpretation", title="",
        pub=max(facts.pub_time(rng, day), latest), source=_source(rng, site, first),
        body=[], prefix=site.prefix, seed=rng.randrange(1 << 30),
    )  # fmt: skip
    q = quoted(first, rng)
    interp.title = _title(rng, form, mode, q, first, interp.source)
    interp.form = form_of(interp.title)
    interp.links_inside = rng.random() < 0.7
    interp.spec.update(mode=mode, targets=targets, quote=q, topic=first.spec["topic"])
    return interp


def _source(rng: random.Random, site: Site, doc: Document) -> str:
    """Who posted the interpretation."""
    if doc.site != site.name:
        return {"jx-nync": "江西省农业农村厅", "jx-sthjt": "江西省生态环境厅"}[doc.site]
    if site.name == "jx-portal":
        return rng.choice(["省政府办公厅", "省司法厅", "省发展改革委", "省财政厅"])
    return site.title if rng.random() < 0.6 else site.short


def _title(rng: random.Random, form: str, mode: str, q: str, doc: Document, source: str) -> str:
    """A title for the form; quoting 《…》 always in ``title`` mode, sometimes otherwise."""
    topic = doc.spec["topic"]
    if mode == "number":
        return f"{doc.number_raw}文件政策解读"
    if mode == "title" or (mode != "lead" and rng.random() < 0.5):
        options = {
            "文字解读": [f"《{q}》政策解读", f"解读：《{q}》", f"《{q}》解读"],
            "图解": [f"一图读懂《{q}》", f"图解：《{q}》", f"图说《{q}》"],
            "答记者问": [f"{source}有关负责人就《{q}》答记者问"],
            "专家解读": [f"专家解读《{q}》"],
            "起草说明": [f"关于《{q}》的起草说明"],
            "视频": [f"视频解读：《{q}》"],
        }
    else:
        options = {
            "文字解读": [f"{topic}政策解读", f"解读：我省出台{topic}新举措"],
            "图解": [f"一图读懂：我省{topic}新政", f"图解：{topic}政策要点"],
            "答记者问": [f"{source}有关负责人就{topic}政策答记者问"],
            "专家解读": [f"专家解读：{topic}政策亮点"],
            "起草说明": [f"{topic}政策文件起草说明"],
            "视频": [f"视频：{topic}政策怎么看"],
        }
    return rng.choice(options[form])


def _decoy(
    site: Site, column: Column, rng: random.Random, title: str, issuer: str
) -> Interpretation:
    """An interpretation of a national document with a title close to one of ours."""
    day = facts.random_day(rng, facts.FIRST_DAY + timedelta(days=400))
    interp = Interpretation(
        site=site.name, column=column.id, kind="interpretation",
        title=rng.choice([f"《{title}》解读", f"一图读懂《{title}》"]),
        pub=facts.pub_time(rng, day), source=site.title, body=[], prefix=site.prefix,
        seed=rng.randrange(1 << 30),
    )  # fmt: skip
    interp.form = form_of(interp.title)
    interp.spec.update(mode="decoy", targets=[], quote=title, national_issuer=issuer, topic=title)
    return interp
