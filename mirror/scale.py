"""A large mirror for benchmarks: the world served N times over, one copy per block of ports.

``python -m mirror serve --scale N`` serves copy k (0 ≤ k < N) of every site on ports
``base + k·span + offset`` (``span``: the ports one copy takes). Each copy renders its links with
its own ports, so its pages are distinct URLs with the copy's own ground truth
(``mirror.truth(base + k·span)``). ``sites_yaml`` names copy k's sites ``<name>-c<k>`` (copy 0
keeps the plain names). The pages are alike from copy to copy; the crawl's work is not: every
copy is listed, fetched, parsed, stored and counted like a site of its own.
"""

from __future__ import annotations

import yaml

from .groundtruth import sites_yaml as one_copy
from .groundtruth import truth
from .world import world


def span() -> int:
    """How many consecutive ports one copy of the world takes."""
    return max(s.offset for s in world().sites) + 1


def copy_base(base_port: int, copy: int) -> int:
    """The base port of copy ``copy``."""
    return base_port + copy * span()


def sites_yaml(base_port: int, copies: int, names: tuple[str, ...] | None = None) -> str:
    """The registry of ``copies`` copies of the mirror (only the sites called ``names``)."""
    entries = []
    for k in range(copies):
        data = yaml.safe_load(one_copy(copy_base(base_port, k)))
        for site in data["sites"]:
            if names is not None and site["name"] not in names:
                continue
            if k:
                site["name"] = f"{site['name']}-c{k}"
            entries.append(site)
    header = f"# {copies} copies of the mirror from port {base_port} (mirror/scale.py)\n"
    return header + yaml.safe_dump(
        {"sites": entries}, allow_unicode=True, sort_keys=False, width=200
    )


def expected_pages(base_port: int, copies: int, names: tuple[str, ...] | None = None) -> dict:
    """How many documents and interpretations ``copies`` copies hold (of the sites ``names``)."""
    one = truth(base_port)
    keep = (lambda s: True) if names is None else (lambda s: s in names)
    docs = sum(1 for d in one["documents"] if keep(d["site"]))
    interps = sum(1 for i in one["interpretations"] if keep(i["site"]))
    return {"documents": docs * copies, "interpretations": interps * copies}
