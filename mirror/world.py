"""The world generator: every site's documents and interpretations, reproducibly from one seed.

Depends on nothing but the seed: not on today, the port, or hash randomisation (string seeds of
``random.Random`` are hashed with SHA-512).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from . import bodies, facts, families, hostile, numbers
from .catalog import SITES
from .documents import make_documents
from .interpretations import make_interpretations
from .model import Article, Attachment, Document, Interpretation, Ref, Site

SEED = 20261127
ID_STARTS = {"jx-portal": 2400000, "jx-nync": 1900000, "jx-sthjt": 3100000}


@dataclass
class World:
    """Everything the mirror serves."""

    sites: list[Site]
    documents: list[Document]
    interpretations: list[Interpretation]
    pages: dict[Ref, Article] = field(default_factory=dict)

    def column_articles(self, site: str, column: int) -> list[Article]:
        """A column's articles, newest first, as the list shows them."""
        return self._columns[site, column]

    def attachment(self, site: str, filename: str) -> Attachment | None:
        """The attachment stored as ``filename`` on ``site``."""
        return self._files.get((site, filename))

    def __post_init__(self) -> None:
        self._columns: dict[tuple[str, int], list[Article]] = {}
        self._files: dict[tuple[str, str], Attachment] = {}
        for art in [*self.documents, *self.interpretations]:
            self.pages[art.ref] = art
            for att in art.attachments:
                self._files[art.site, att.filename] = att
            self._columns.setdefault((art.site, art.column), []).append(art)
        for arts in self._columns.values():
            arts.sort(key=lambda a: (a.pub, a.article_id), reverse=True)


def build_world(seed: int = SEED) -> World:
    """Generate the world: documents, numbers, interpretations, ids, bodies, cross links."""
    # The three Hanweb sites; the other families' sites are generated apart (mirror/families.py)
    # so that adding them changes nothing of these.
    core = [s for s in SITES if s.name in ID_STARTS]
    docs: list[Document] = []
    for site in core:
        site_docs = []
        for column in site.columns:
            if column.kind != "interpretation":
                site_docs += make_documents(site, column, facts.seeded(seed, site.name, column.id))
        numbers.assign_numbers(site_docs, facts.seeded(seed, site.name, "numbers"))
        numbers.assign_index_numbers(site, site_docs)
        docs += site_docs
    interps: list[Interpretation] = []
    for site in core:
        for column in site.columns:
            if column.kind == "interpretation":
                interps += make_interpretations(
                    site, column, docs, facts.seeded(seed, site.name, column.id)
                )
    for site in core:
        mine = [a for a in [*docs, *interps] if a.site == site.name]
        numbers.assign_ids(mine, facts.seeded(seed, site.name, "ids"), ID_STARTS[site.name])
    by_name = {s.name: s for s in SITES}
    for doc in docs:
        bodies.document_body(doc, by_name[doc.site])
    bodies.interpretation_bodies(interps, by_name, docs)
    docs.append(hostile.document(by_name[hostile.SITE]))  # one page of markup (hostile.py)
    more_docs, more_interps = families.generate(seed, [s for s in SITES if s not in core])
    return World(list(SITES), docs + more_docs, interps + more_interps)


@cache
def world() -> World:
    """The world of the default seed, built once per process."""
    return build_world()
