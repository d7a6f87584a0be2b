"""The sites of the other CMS families: their documents, interpretations and URLs.

Generated with the same generators as the Hanweb sites (``documents``, ``numbers``, ``bodies``),
seeded per site, but apart from them: adding a site here changes nothing on the three Hanweb
sites. What differs per family is where pages live (``article_path``, ``column_path``,
attachment links) and how they are rendered (``mirror/jxnew.py``, ``trs.py``, ``gkmlpt.py``).
Sites outside Jiangxi get their province's name in titles and text.
"""

from __future__ import annotations

import random
from datetime import timedelta

from . import bodies, chrome, facts, interpretations, numbers, realshapes
from .documents import make_documents
from .interpretations import decoy, draw_form, form_of, link_mode, new_interpretation, title
from .model import Article, Attachment, Column, Document, Interpretation, Link, Site

# Their interpretations' titles draw from fewer templates than the Hanweb sites': at most two
# quoting the document, none saying 我省.
QUOTING = {form: templates[:2] for form, templates in interpretations.QUOTING.items()}
ON_TOPIC = {
    form: tuple(t for t in templates if "我省" not in t)
    for form, templates in interpretations.ON_TOPIC.items()
}
JXNEW_ID_BASE = 1_890_000_000_000_000_000  # the 19-digit content ids of the new platform


def generate(seed: int, sites: list[Site]) -> tuple[list[Document], list[Interpretation]]:
    """Every document and interpretation of ``sites``, with bodies, links and URLs."""
    all_docs: list[Document] = []
    all_interps: list[Interpretation] = []
    for site in sites:
        docs: list[Document] = []
        for column in site.columns:
            if column.kind != "interpretation":
                docs += make_documents(site, column, facts.seeded(seed, site.name, column.id))
        numbers.assign_numbers(docs, facts.seeded(seed, site.name, "numbers"))
        numbers.assign_index_numbers(site, docs)
        _localise_facts(site, docs)
        interps: list[Interpretation] = []
        for column in site.columns:
            if column.kind == "interpretation":
                rng = facts.seeded(seed, site.name, column.id)
                interps += _interpretations(site, column, docs, rng)
        ids = facts.seeded(seed, site.name, "ids")
        numbers.assign_ids([*docs, *interps], ids, site.vocab["id_start"])
        for art in [*docs, *interps]:
            art.url_path = article_path(site, art)
        for doc in docs:
            bodies.document_body(doc, site)
        bodies.interpretation_bodies(interps, {site.name: site}, docs)
        _finish(site, [*docs, *interps])
        if site.quirks.get("detail_shapes"):  # pages on the structures of real pages
            realshapes.assign(site, docs, interps)
        all_docs += docs
        all_interps += interps
    return all_docs, all_interps


# ---------------------------------------------------------------- facts


def _local(site: Site, text: str) -> str:
    """Jiangxi's name → the site's province (the generators write 江西省)."""
    return text if site.province == "江西省" else text.replace("江西省", site.province)


def _localise_facts(site: Site, docs: list[Document]) -> None:
    """Province names in titles and issuers, before interpretations quote them; and what a
    gkmlpt page can say of validity (its two JSON flags: 已废止, 已失效, or nothing)."""
    for doc in docs:
        doc.title = _local(site, doc.title)
        doc.inner_title = _local(site, doc.inner_title)
        doc.issuer = _local(site, doc.issuer)
        doc.spec["issuers"] = [_local(site, name) for name in doc.spec["issuers"]]
        if site.family == "gkmlpt":
            doc.validity_raw = gkmlpt_validity(doc.validity_raw)


def gkmlpt_validity(page_value: str) -> str:
    """What gkmlpt's ``is_abolished`` / ``is_expired`` flags let a page say (stored as shown)."""
    if page_value in ("废止", "已废止", "全文废止"):
        return "已废止"
    if page_value in ("失效", "已失效", "全文失效"):
        return "已失效"
    return ""


def gkmlpt_flags(validity_raw: str) -> tuple[int, int]:
    """(is_expired, is_abolished) for a gkmlpt document."""
    return int(validity_raw == "已失效"), int(validity_raw == "已废止")


def _finish(site: Site, arts: list[Article]) -> None:
    """Attachment links of the family, and the province's name in the text."""
    for art in arts:
        moved: dict[str, str] = {}
        for k, att in enumerate(art.attachments):
            old = att.href
            att.link = attachment_path(site, art, att, k)
            moved[old] = att.href
            att.showname = _local(site, att.showname)
            att.lines = [_local(site, line) for line in att.lines]
        for block in art.body:
            block.parts = [_local_part(site, p, moved) for p in block.parts]


def _local_part(site: Site, part, moved: dict[str, str]):
    if isinstance(part, str):
        return _local(site, part)
    if isinstance(part, Link):
        part.text = _local(site, part.text)
        if part.href in moved:
            part.href = moved[part.href]
    return part


# ---------------------------------------------------------------- interpretations


def _interpretations(
    site: Site, column: Column, docs: list[Document], rng: random.Random
) -> list[Interpretation]:
    """The interpretations of ``column``: of the site's own documents, plus national decoys."""
    own = [d for d in docs if not d.spec.get("old")]
    rng.shuffle(own)
    decoys = site.vocab["decoys"]
    result: list[Interpretation] = []
    previous: list[Document] = []
    for _ in range(column.count - len(decoys)):
        if previous and rng.random() < 0.12:
            targets = previous  # a second interpretation (often 图解) of the same documents
        elif rng.random() < 0.06 and len(own) > 1:
            targets = [own.pop(), own.pop()]
        else:
            targets = [own.pop()]
        result.append(_interpretation(site, column, rng, targets, targets is previous))
        previous = targets
    # Decoys carry no linker case: link_cases() calls them other_family.
    result += [decoy(site, column, rng, title, issuer) for title, issuer in decoys]
    return result


def _interpretation(
    site: Site, column: Column, rng: random.Random, targets: list[Document], second: bool
) -> Interpretation:
    first = targets[0]
    mode = link_mode(rng, first, hyperlinked=len(targets) > 1)
    form = draw_form(rng, second)
    latest = max(t.pub for t in targets)
    day = min(latest.date() + timedelta(days=rng.randint(0, 3)), facts.LAST_DAY)
    source = site.title if rng.random() < 0.6 else site.short
    interp = new_interpretation(
        site, column, rng, title="", pub=max(facts.pub_time(rng, day), latest), source=source
    )
    quote = first.inner_title or first.title
    interp.title = title(rng, form, mode, [quote], first, source, QUOTING, ON_TOPIC)
    interp.form = form_of(interp.title)
    interp.links_inside = rng.random() < 0.7
    interp.spec.update(mode=mode, targets=targets, quote=quote, topic=first.spec["topic"])
    return interp


# ---------------------------------------------------------------- where pages live


def column_by_id(site: Site, column_id: int) -> Column:
    """The column with this id."""
    column = site.column(column_id)
    assert column is not None, (site.name, column_id)
    return column


def column_path(site: Site, column_id: int) -> str:
    """The path of a column's list page, in the site's family."""
    column = column_by_id(site, column_id)
    if site.family == "jxnew":
        return "/" + site.quirks["column_path"].format(site=site.code, channel=column.code)
    if site.family == "trs":
        return f"{column.code}{site.quirks['prefix']}.{site.quirks['suffix']}"
    if site.family == "gkmlpt":
        return f"/gkmlpt/index#{column.code}"
    return chrome.column_path(site, column_id)


def home_path(site: Site) -> str:
    """The site's home page."""
    if site.family == "jxnew":
        return f"/{site.code}/"
    if site.family == "gkmlpt":
        return "/gkmlpt/index"
    return chrome.home_path(site)


def jxnew_content_id(art: Article) -> int:
    """The 19-digit content id of a new-platform page."""
    return JXNEW_ID_BASE + art.article_id * 1_048_583


def article_path(site: Site, art: Article) -> str:
    """Where a page lives: ``""`` (Hanweb's own ``/art/…`` path) or the family's path."""
    if site.family == "jxnew":
        folder = column_path(site, art.column).rsplit("/", 1)[0]
        return f"{folder}/content/content_{jxnew_content_id(art)}.html"
    if site.family == "trs":
        column = column_by_id(site, art.column)
        d = art.pub
        if site.quirks.get("plain_names"):  # Gansu's platform: /jyt/c110634/202511/174240943.shtml
            return f"{column.code}{d:%Y%m}/{art.article_id}.{site.quirks['suffix']}"
        return f"{column.code}{d:%Y%m}/t{d:%Y%m%d}_{art.article_id}.{site.quirks['suffix']}"
    if site.family == "gkmlpt":
        n = art.article_id
        return f"/gkmlpt/content/{n // 1_000_000}/{n // 1000}/post_{n}.html"
    return ""


def attachment_path(site: Site, art: Article, att: Attachment, k: int) -> str:
    """Where an attachment is stored on a site of the family."""
    if site.family == "jxnew":
        return f"/{site.code}/upload/{art.pub:%Y%m}/{att.filename}"
    if site.family == "trs":
        folder = art.path.rsplit("/", 1)[0]
        return f"{folder}/P0{art.pub:%Y%m%d}{art.article_id % 100000:05d}{k}.{att.ext}"
    if site.family == "gkmlpt":
        n = art.article_id
        return f"/attachment/0/{n // 1000}/{n}/{n}{k}.{att.ext}"
    return ""


def attachment_at(world, site: Site, path: str) -> Attachment | None:
    """The attachment stored at ``path`` on ``site`` (other families)."""
    key = (id(world), site.name)
    index = _ATTACHMENTS.get(key)
    if index is None:
        index = _ATTACHMENTS[key] = {
            att.href: att
            for art in world.pages.values()
            if art.site == site.name
            for att in art.attachments
        }
    return index.get(path)


_ATTACHMENTS: dict[tuple[int, str], dict[str, Attachment]] = {}
