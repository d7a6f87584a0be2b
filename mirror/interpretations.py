"""Draw the interpretations of a column: what each explains and how (if at all) it links to it.

Link modes, from the linker's point of view:
``both`` (相关解读 on the document and 原文链接 on the interpretation), ``interp`` (原文链接 only),
``doc`` (相关解读 only), ``title`` (no link; the title quotes 《…》), ``lead`` (no link; the first
lines quote it), ``number`` (no link; only the 文号 is named), ``decoy`` (a national document).

Every column also carries the hard cases of the linker, drawn first and named in
``spec["case"]`` (``link_cases`` lists them by URL, beside the truth):

* ``decoy_national`` – a national document (vocab.NATIONAL_DECOYS);
* ``decoy_twin_measure`` – a national measure named like one of ours less 江西省
  (《农作物种子生产经营实施细则》 beside 《江西省农作物种子生产经营实施细则》);
* ``decoy_twin_notice`` – a national notice whose 关于… part is one of ours word for word, quoted
  without its issuer (《关于进一步加强X工作的通知》) and attributed to a ministry in the lead;
* ``old_version`` / ``new_version`` – each of two documents with the same title explained in its
  own time; the newer's lead also names the older one's 文号 as repealed (原《X》（…）同时废止);
* ``pair_quoted`` – one interpretation of two documents, no hyperlink, both quoted;
* ``passing_in_lead`` – another document named in the lead, as a basis (依据《B》) or in passing;
* ``number_only`` – only the 文号 named;
* ``cross_quoted`` / ``cross_doc_link`` – on another site than the document, found by its quoted
  title / by the 相关解读 link on the document's page only;
* ``posted_late`` – on another site, published after the document was signed but before the
  document's own page went up (the interpretation is older than the page it explains).

The ordinary ones are ``plain``, ``second`` (another interpretation, often 图解, of the same
documents), ``pair_linked`` and ``cross_linked``.
"""

from __future__ import annotations

import random
from datetime import timedelta

from . import facts, vocab
from .catalog import url
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
# Title templates per form: quoting the document (《{q}》), or naming only its topic.
QUOTING = {
    "文字解读": ("《{q}》政策解读", "解读：《{q}》", "《{q}》解读"),
    "图解": ("一图读懂《{q}》", "图解：《{q}》", "图说《{q}》"),
    "答记者问": ("{source}有关负责人就《{q}》答记者问",),
    "专家解读": ("专家解读《{q}》",),
    "起草说明": ("关于《{q}》的起草说明",),
    "视频": ("视频解读：《{q}》",),
}
ON_TOPIC = {
    "文字解读": ("{topic}政策解读", "解读：我省出台{topic}新举措"),
    "图解": ("一图读懂：我省{topic}新政", "图解：{topic}政策要点"),
    "答记者问": ("{source}有关负责人就{topic}政策答记者问",),
    "专家解读": ("专家解读：{topic}政策亮点",),
    "起草说明": ("{topic}政策文件起草说明",),
    "视频": ("视频：{topic}政策怎么看",),
}
CROSS_SITE = 12  # portal 部门解读 items explaining department documents
# Who issues the national twins of each site's documents (ministry, its general office).
NATIONAL_TWINS = {
    "jx-portal": ("国务院", "国务院办公厅"),
    "jx-nync": ("农业农村部", "农业农村部办公厅"),
    "jx-sthjt": ("生态环境部", "生态环境部办公厅"),
}


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
    # Ordinary interpretations pop from the end: mostly recent documents, as offices interpret
    # far more since the 2022 plan asked for 90% (the 解读率 rises over the years).
    own.sort(key=lambda d: d.written.year + rng.uniform(0, 4))
    others = [d for d in docs if d.site != site.name and not d.spec.get("old")]
    others = [d for d in others if d.spec["form"] != "decision"]
    result = _hard_cases(site, column, docs, own, others, rng)
    cross_linked = CROSS_SITE - sum(
        1 for i in result if i.spec["case"].startswith(("cross", "post"))
    )
    taken = {t for i in result for t in i.spec["targets"]}
    cross = rng.sample([d for d in others if d not in taken], cross_linked) if _portal(site) else []
    decoys = vocab.NATIONAL_DECOYS[site.name]
    previous: list[Document] = []
    for _ in range(column.count - len(result) - len(decoys)):
        if cross:
            targets, case = [cross.pop()], "cross_linked"
        elif previous and rng.random() < 0.12:
            targets, case = previous, "second"  # another interpretation (often 图解) of them
        elif rng.random() < 0.06:
            targets, case = [own.pop(), own.pop()], "pair_linked"
        else:
            targets, case = [own.pop()], "plain"
        result.append(_interpretation(site, column, rng, targets, case, second=case == "second"))
        previous = targets
    result += [
        decoy(site, column, rng, title, issuer, case="decoy_national") for title, issuer in decoys
    ]
    return result


def _portal(site: Site) -> bool:
    return site.name == "jx-portal"


def _hard_cases(
    site: Site,
    column: Column,
    docs: list[Document],
    own: list[Document],
    others: list[Document],
    rng: random.Random,
) -> list[Interpretation]:
    """The hard cases of this column (see the module docstring); pops what they use off ``own``."""
    out = []

    def make(targets: list[Document], mode: str, case: str, **spec) -> Interpretation:
        interp = _interpretation(site, column, rng, targets, case, mode=mode, **spec)
        out.append(interp)
        return interp

    def take(pred) -> Document:
        doc = next(d for d in own if pred(d))
        own.remove(doc)
        return doc

    # Twins: national documents named like ours; explained after ours, so dates cannot tell.
    measure = take(lambda d: d.inner_title.startswith("江西省"))
    out.append(_twin(site, column, rng, measure, measure.inner_title[len("江西省") :], "measure"))
    notice = take(lambda d: d.spec["form"] == "notice" and not d.number_in_title)
    bare = notice.title[notice.title.index("关于") :]
    out.append(_twin(site, column, rng, notice, bare, "notice"))
    own += [measure, notice]  # ours are explained for real, by the first ordinary ones
    # Two versions with one title, each explained in its own time.
    old = rng.choice([d for d in docs if d.site == site.name and d.spec.get("old")])
    new = next(d for d in own if d.spec.get("replaces") is old)
    own.remove(new)
    make([old], rng.choice(["title", "lead"]), "old_version")
    repealed = f"原《{old.inner_title}》（{old.number_raw}）同时废止。"
    make([new], "title", "new_version", lead_extra=repealed)
    # One interpretation of two documents, with no hyperlink.
    pair = [take(lambda d: True), take(lambda d: True)]
    make(pair, rng.choice(["title", "lead"]), "pair_quoted")
    # Another document in the lead: as the basis of the subject, or in passing after it.
    subject, other = take(lambda d: True), take(lambda d: True)
    other_name = f"《{other.inner_title or other.title}》"
    if rng.random() < 0.5:
        make([subject], "lead", "passing_in_lead", basis=other_name)
    else:
        make([subject], "lead", "passing_in_lead", lead_extra=f"该文件与{other_name}相互衔接。")
    own.append(other)
    make([take(lambda d: d.number and d.kind == "normative")], "number", "number_only")
    # Interpretations on another site than their document.
    if _portal(site):
        for _ in range(2):
            make([_pop(others, rng, lambda d: True)], "title", "cross_quoted")
        make([_pop(others, rng, lambda d: True)], "doc", "cross_doc_link")
        late = _pop(others, rng, lambda d: (d.pub.date() - d.written).days >= 2)
        day = late.written + timedelta(
            days=rng.randint(0, (late.pub.date() - late.written).days - 1)
        )
        make([late], "title", "posted_late", day=day)
    else:
        portal_docs = [d for d in others if d.site == "jx-portal" and d.kind == "normative"]
        make([_pop(portal_docs, rng, lambda d: True)], "title", "cross_quoted")
    return out


def link_mode(rng: random.Random, first: Document, hyperlinked: bool) -> str:
    """How an interpretation names what it explains (MODES; module docstring); ``hyperlinked``:
    always by a hyperlink (``both`` or ``interp``), as for several documents or another site's."""
    mode = weighted(rng, MODES)
    if hyperlinked:
        mode = rng.choice(["both", "interp"])
    if mode == "number" and not first.number:
        mode = "title"
    return mode


def draw_form(rng: random.Random, second: bool) -> str:
    """The form (FORMS); a ``second`` interpretation of the same documents is never plain text:
    a 图解 or a 视频."""
    form = weighted(rng, FORMS)
    if second and form == "文字解读":
        form = rng.choice(["图解", "视频"])
    return form


def _pop(pool: list[Document], rng: random.Random, pred) -> Document:
    """A random document of ``pool`` satisfying ``pred``, removed from it."""
    doc = rng.choice([d for d in pool if pred(d)])
    pool.remove(doc)
    return doc


def _interpretation(
    site: Site,
    column: Column,
    rng: random.Random,
    targets: list[Document],
    case: str,
    second: bool = False,
    mode: str | None = None,
    day=None,
    **spec,
) -> Interpretation:
    """One interpretation of ``targets``; ``mode`` and ``day`` are drawn unless given."""
    first = targets[0]
    cross = first.site != site.name
    if mode is None:
        mode = link_mode(rng, first, hyperlinked=len(targets) > 1 or cross)
    form = draw_form(rng, second)
    if len(targets) > 1 and mode == "title":
        form = rng.choice(["文字解读", "图解"])
    latest = max(t.pub for t in targets)
    if day is None:
        day = min(latest.date() + timedelta(days=rng.randint(0, 3)), facts.LAST_DAY)
        pub = max(facts.pub_time(rng, day), latest)
    else:
        pub = facts.pub_time(rng, day)
    interp = new_interpretation(
        site, column, rng, title="", pub=pub, source=_source(rng, site, first)
    )
    q = quoted(first, rng)
    names = [q, *(t.inner_title or t.title for t in targets[1:])]
    interp.title = title(rng, form, mode, names, first, interp.source)
    interp.form = form_of(interp.title)
    interp.links_inside = rng.random() < 0.7
    interp.spec.update(mode=mode, targets=targets, quote=q, topic=first.spec["topic"], case=case)
    interp.spec.update(spec)
    return interp


def _source(rng: random.Random, site: Site, doc: Document) -> str:
    """Who posted the interpretation."""
    if doc.site != site.name:
        return {"jx-nync": "江西省农业农村厅", "jx-sthjt": "江西省生态环境厅"}.get(
            doc.site, site.title
        )
    if site.name == "jx-portal":
        return rng.choice(["省政府办公厅", "省司法厅", "省发展改革委", "省财政厅"])
    return site.title if rng.random() < 0.6 else site.short


def title(
    rng: random.Random,
    form: str,
    mode: str,
    names: list[str],
    doc: Document,
    source: str,
    quoting: dict[str, tuple[str, ...]] = QUOTING,
    on_topic: dict[str, tuple[str, ...]] = ON_TOPIC,
) -> str:
    """A title for the form; quoting 《…》 always in ``title`` mode, sometimes otherwise.

    ``quoting`` and ``on_topic`` are the templates a site draws from (the other families' sites
    draw from fewer: ``mirror/families.py``).
    """
    if mode == "number":
        return f"{doc.number_raw}文件政策解读"
    if mode == "title" and len(names) > 1:
        both = "和".join(f"《{n}》" for n in names)
        return {"文字解读": f"{both}政策解读", "图解": f"一图读懂{both}"}[form]
    quotes = mode == "title" or (mode != "lead" and rng.random() < 0.5)
    template = rng.choice((quoting if quotes else on_topic)[form])
    return template.format(q=names[0], topic=doc.spec["topic"], source=source)


def new_interpretation(
    site: Site, column: Column, rng: random.Random, **fields: object
) -> Interpretation:
    """An interpretation of ``column`` with ``fields`` (title, pub, source) and no body yet."""
    return Interpretation(
        site=site.name, column=column.id, kind="interpretation", body=[], prefix=site.prefix,
        seed=rng.randrange(1 << 30), **fields,
    )  # fmt: skip


def decoy(
    site: Site, column: Column, rng: random.Random, title: str, issuer: str, **spec: object
) -> Interpretation:
    """An interpretation of a national document with a title close to one of ours: it explains
    none of ours (``spec``: more facts, such as its ``case``)."""
    day = facts.random_day(rng, facts.FIRST_DAY + timedelta(days=400))
    interp = new_interpretation(
        site, column, rng, title=rng.choice([f"《{title}》解读", f"一图读懂《{title}》"]),
        pub=facts.pub_time(rng, day), source=site.title,
    )  # fmt: skip
    interp.form = form_of(interp.title)
    interp.spec.update(
        mode="decoy", targets=[], quote=title, national_issuer=issuer, topic=title, **spec
    )
    return interp


def _twin(
    site: Site, column: Column, rng: random.Random, ours: Document, name: str, kind: str
) -> Interpretation:
    """A national document's interpretation, quoting ``name``: a twin of ``ours`` by its title.

    ``measure``: the national measure is named like ours less 江西省, by the ministry.
    ``notice``: the national notice's 关于… part is ours word for word, by the ministry's office,
    and the title quotes it without the issuer, as interpretation titles often do.
    """
    ministry, office = NATIONAL_TWINS[site.name]
    day = min(ours.pub.date() + timedelta(days=rng.randint(20, 200)), facts.LAST_DAY)
    title = rng.choice([f"《{name}》解读", f"一图读懂《{name}》", f"专家解读《{name}》"])
    interp = new_interpretation(
        site, column, rng, title=title, pub=facts.pub_time(rng, day), source=site.title
    )
    interp.form = form_of(interp.title)
    interp.spec.update(
        mode="decoy", targets=[], quote=name, topic=ours.spec["topic"],
        national_issuer=ministry if kind == "measure" else office, case=f"decoy_twin_{kind}",
        twin_of=ours,
    )  # fmt: skip
    return interp


def link_cases(world, base_port: int) -> dict[str, str]:
    """Each interpretation's case (module docstring) by its URL: explains a miss by its kind."""
    return {
        url(i.ref, base_port): i.spec.get("case", "other_family") for i in world.interpretations
    }
