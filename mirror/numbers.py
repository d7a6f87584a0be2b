"""Give documents their 文号, 索引号 and article ids, in date order as offices do."""

from __future__ import annotations

import random
from collections import defaultdict

from . import text, vocab
from .model import Article, Document, Site


def canonical_number(code: str, year: int, n: int) -> str:
    """The canonical spelling of the 文号 ``n`` of ``code`` in ``year``: ``赣府发〔2022〕1号``."""
    return f"{code}〔{year}〕{n}号"


def canonical_order(n: int) -> str:
    """The canonical spelling of the provincial government's order ``n``: ``江西省人民政府令第252号``."""
    return f"江西省人民政府令第{n}号"


def assign_numbers(docs: list[Document], rng: random.Random) -> None:
    """文号 per issuer code and year, increasing with the 成文日期; orders count on from 第198号.

    ``number_raw`` is the spelling the page shows; ``number`` the canonical one, kept from the
    generation (the truth never reads it back out of a spelling).
    """
    order = 197
    counters: dict[tuple[str, int], int] = defaultdict(lambda: rng.randint(0, 4))
    for doc in sorted(docs, key=lambda d: (d.written, d.seed)):
        if doc.kind == "rule":
            order += rng.choice([1, 1, 1, 2])
            doc.number_raw = text.order_number(rng, order)
            doc.number = canonical_order(order)
        else:
            code, year = doc.spec["code"], doc.written.year
            counters[code, year] += rng.randint(1, 6)
            n = counters[code, year]
            if doc.spec.get("spelling") == "year":  # a spelling real offices use: 赣消办2025年13号
                counters[code, year] = n = 13
                doc.number_raw = f"{code}{year}年{n}号"
            else:
                doc.number_raw = text.number_spelling(rng, code, year, n)
            doc.number = canonical_number(code, year, n)
        if doc.spec.get("number_in_title"):
            # The number only appears in the title: …的通知（赣府发〔2022〕1号）
            doc.title = f"{doc.title}（{doc.number_raw}）"
            doc.number_in_title = True


def assign_index_numbers(site: Site, docs: list[Document]) -> None:
    """索引号: ``000014349/2022-00018`` or, on some sites, ``2026-02-00018`` (not a date).

    The organisation code is the site's own (``INDEX_ORGS``, or its vocabulary on sites of other
    families); none is shown where neither a table nor the list would show it.
    """
    serial: dict[int, int] = defaultdict(int)
    org = site.vocab["index_org"] if site.vocab else vocab.INDEX_ORGS[site.name]
    for doc in sorted(docs, key=lambda d: (d.pub, d.seed)):
        year = doc.written.year
        serial[year] += 1 + doc.seed % 3
        if site.style.index_format == "dated":
            doc.index_no = f"{year}-{doc.written.month:02d}-{serial[year]:05d}"
        else:
            doc.index_no = f"{org}/{year}-{serial[year]:05d}"
        if doc.layout == "C" and doc.column not in site.style.number_spans:
            doc.index_no = ""  # shown nowhere: no table, and the list has no 索引号 span


def assign_ids(articles: list[Article], rng: random.Random, start: int) -> None:
    """Article ids grow with the publication time, with gaps (other columns share the counter)."""
    current = start
    for art in sorted(articles, key=lambda a: (a.pub, a.seed)):
        current += rng.randint(1, 60)
        art.article_id = current
