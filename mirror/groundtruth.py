"""The ground truth of the mirror (CONTRACTS.md shape) and its sites registry file."""

from __future__ import annotations

import yaml

from . import families, files, validity_cases
from .catalog import origin, url
from .model import Article, Attachment, Document, Interpretation, Site
from .validity import AS_OF_DATES, decide
from .world import World, world


def squash_spaces(s: str) -> str:
    """Every run of whitespace as one space, none at either end."""
    return " ".join(s.split())


def clean_text_lines(lines: list[str]) -> str:
    """The contract's text rule (docs/CONTRACTS.md, ``body_text``), written from the rule itself:
    each line's whitespace runs squashed to one space and the line stripped, empty lines dropped,
    the rest joined with "\n"."""
    return "\n".join(line for line in map(squash_spaces, lines) if line)


def _iso(d) -> str | None:
    return d.isoformat() if d else None


def _column_url(site: Site, column_id: int, base_port: int) -> str:
    return origin(site, base_port) + families.column_path(site, column_id)


def _attachment(site: Site, att: Attachment, base_port: int) -> dict:
    return {
        "url": origin(site, base_port) + att.href,
        "name": att.showname,
        "ext": att.ext,
        "text": clean_text_lines(files.text_lines(att)),
    }


def _common(w: World, art: Article, base_port: int) -> dict:
    site = next(s for s in w.sites if s.name == art.site)
    return {
        "url": url(art.ref, base_port),
        "site": art.site,
        "column_url": _column_url(site, art.column, base_port),
        "title": squash_spaces(art.title),
        "published_date": art.pub.date().isoformat(),
        "body_text": clean_text_lines([b.text for b in art.body]),
        "attachments": [_attachment(site, a, base_port) for a in art.attachments],
    }


PAGE_DATES = ("page_effective_label", "page_effective_raw", "page_expiry_label", "page_expiry_raw")


def document_truth(w: World, doc: Document, base_port: int) -> dict:
    """One document as the crawler should read it, plus its true term and status."""
    row = _common(w, doc, base_port)
    row.update(
        kind=doc.kind,
        doc_number=doc.number,
        doc_number_raw=doc.number_raw,
        # No table (layout C): the issuer is what ContentSource says.
        issuer=doc.source if doc.layout == "C" else doc.issuer,
        written_date=_iso(doc.written),
        validity_raw=doc.validity_raw,
        index_no=doc.index_no,
        subject=doc.subject,
        interpretation_urls=[url(r, base_port) for r in doc.interpretations],
        # what the page's metadata states of the term, as shown (realshapes: Beijing, Changsha)
        **dict(zip(PAGE_DATES, doc.spec.get("page_dates") or ("",) * 4, strict=True)),
        effective_date=_iso(doc.effective),
        expires_on=_iso(doc.expires),
        **validity_truth(doc, base_port),
    )
    return row


def validity_truth(doc: Document, base_port: int) -> dict:
    """Status and winning evidence at each as-of date, the acts of other documents on ``doc``,
    its unreadable clauses and its relations (mirror.validity, mirror.validity_cases)."""
    acts = validity_cases.acts_of(doc)
    problems = tuple(doc.spec.get("problems", ()))
    decided = {
        d.isoformat(): decide(
            doc.kind, doc.validity_raw, doc.effective, doc.expires, d, acts, problems
        )
        for d in AS_OF_DATES
    }
    return {
        "status": {d: s for d, (s, _) in decided.items()},
        "status_won_by": {d: won for d, (_, won) in decided.items()},
        "term_problems": list(problems),
        "validity_acts": [
            {
                "kind": kind,
                "declares": declares,
                "source_url": url(src.ref, base_port),
                "date": _iso(validity_cases.act_date(src)),
            }
            for kind, declares, src in doc.spec.get("acts", [])
        ],
        "relations": [
            {
                "relation": rel,
                "to_url": url(t.ref, base_port) if t else None,
                "to_title": title or None,
                "to_doc_number": number or None,
            }
            for rel, t, title, number in doc.spec.get("relations", [])
        ],
        "validity_case": doc.spec.get("validity_case", ""),
    }


def interpretation_truth(w: World, interp: Interpretation, base_port: int) -> dict:
    """One interpretation, its explicit links and what it really explains."""
    row = _common(w, interp, base_port)
    row.update(
        source=interp.source,
        form=interp.form,
        linked_document_urls=[url(r, base_port) for r in interp.links],
        document_urls=[url(r, base_port) for r in interp.explains],
    )
    return row


def _served(w: World, include_extra: bool) -> list[Site]:
    """The sites of the truth: the default ones, or also the extra (registry-test) ones."""
    return [s for s in w.sites if include_extra or not s.extra]


def _ordered(w: World, include_extra: bool = False) -> tuple[list[Document], list[Interpretation]]:
    """Documents and interpretations site by site, column by column, newest first."""
    docs, interps = [], []
    for site in _served(w, include_extra):
        for column in site.columns:
            for art in w.column_articles(site.name, column.id):
                (docs if isinstance(art, Document) else interps).append(art)
    return docs, interps


def truth(
    base_port: int = 8701, the_world: World | None = None, include_extra: bool = False
) -> dict:
    """The ground truth for the mirror served from ``base_port`` (``include_extra``: with the
    extra sites that the sites file leaves out)."""
    w = the_world or world()
    sites = [
        {
            "name": s.name,
            "title": s.title,
            "family": s.family,
            "columns": [
                {
                    "url": _column_url(s, c.id, base_port),
                    "kind": c.kind,
                    "title": c.title,
                    "total": len(w.column_articles(s.name, c.id)),
                }
                for c in s.columns
            ],
        }  # fmt: skip
        for s in _served(w, include_extra)
    ]
    docs, interps = _ordered(w, include_extra)
    return {
        "as_of_dates": [d.isoformat() for d in AS_OF_DATES],
        "sites": sites,
        "documents": [document_truth(w, d, base_port) for d in docs],
        "interpretations": [interpretation_truth(w, i, base_port) for i in interps],
    }


def sites_yaml(base_port: int = 8701) -> str:
    """The sites registry (``crawler.sites`` format) for the mirror served from ``base_port``."""
    w = world()
    entries = []
    for s in _served(w, include_extra=False):
        entries.append(
            {
                "name": s.name,
                "title": s.title,
                "family": s.family,
                "home_url": origin(s, base_port) + families.home_path(s),
                "verified": True,
                "note": f"local mirror of {s.domain} (python -m mirror serve --base-port {base_port})",
                "columns": [
                    {"url": _column_url(s, c.id, base_port), "kind": c.kind, "title": c.title}
                    for c in s.columns
                ],
            }
        )
    header = (
        f"# Generated by `python -m mirror sites --base-port {base_port}`; do not edit by hand.\n"
    )
    return header + yaml.safe_dump(
        {"sites": entries}, allow_unicode=True, sort_keys=False, width=200
    )
