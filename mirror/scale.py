"""A large mirror for benchmarks: the world served N times over, one copy per block of ports.

``python -m mirror serve --scale N`` serves copy k (0 ≤ k < N) of every site on ports
``base + k·span + offset`` (``span``: the ports one copy takes). Each copy renders its links with
its own ports, so its pages are distinct URLs with the copy's own ground truth
(``mirror.truth(base + k·span)``). ``sites_yaml`` names copy k's sites ``<name>-c<k>`` (copy 0
keeps the plain names). The pages are alike from copy to copy; the crawl's work is not: every
copy is listed, fetched, parsed, stored and counted like a site of its own.

Many hosts (``--hosts K``): Scrapy keys its download slots, and politeness, by host name without
the port, so copies on ports of one address are one host to a crawler. With K > 0, copy k is
served on the loopback address ``127.0.0.(2 + k mod K)`` (``host_of``; on Linux every 127.0.0.0/8
address is the loopback interface, nothing to configure), on the same ports as without, and its
pages name that address wherever the world writes 127.0.0.1 (``on_host``): K distinct hosts for
the crawl, K ≤ 253. Its truth is the copy's truth with the same rewrite (``copy_truth``).
"""

from __future__ import annotations

import dataclasses

import yaml

from .groundtruth import sites_yaml as one_copy
from .groundtruth import truth
from .model import Reply
from .world import world

RENDERED_HOST = "127.0.0.1"  # the address the world writes into its links (catalog.origin)
MAX_HOSTS = 253  # 127.0.0.2 … 127.0.0.254
_TEXT_TYPES = ("text/", "json", "xml", "javascript")


def host_of(copy: int, hosts: int) -> str:
    """The address copy ``copy`` is served on when the mirror spreads over ``hosts`` hosts
    (0: the world's own 127.0.0.1)."""
    if not hosts:
        return RENDERED_HOST
    if not 0 < hosts <= MAX_HOSTS:
        raise ValueError(f"--hosts {hosts}: between 1 and {MAX_HOSTS} loopback addresses")
    return f"127.0.0.{2 + copy % hosts}"


def rehost(text: str, host: str) -> str:
    """``text`` as written for a copy served on ``host``."""
    return text.replace(RENDERED_HOST, host) if host != RENDERED_HOST else text


def on_host(reply: Reply, host: str) -> Reply:
    """A renderer's answer as the copy on ``host`` gives it: 127.0.0.1 in its text (links, list
    answers, scripts) and headers becomes ``host``; binary files (PDF, DOCX, images) as they are.
    """
    if host == RENDERED_HOST:
        return reply
    body = reply.body
    if isinstance(body, str):
        body = rehost(body, host)
    elif any(t in reply.content_type for t in _TEXT_TYPES):  # GBK pages: ASCII is the same bytes
        body = body.replace(RENDERED_HOST.encode(), host.encode())
    headers = {k: rehost(v, host) for k, v in reply.headers.items()}
    return dataclasses.replace(reply, body=body, headers=headers)


def _rehosted(value: object, host: str) -> object:
    if isinstance(value, str):
        return rehost(value, host)
    if isinstance(value, list):
        return [_rehosted(v, host) for v in value]
    if isinstance(value, dict):
        return {k: _rehosted(v, host) for k, v in value.items()}
    return value


def copy_truth(base_port: int, copy: int, hosts: int = 0) -> dict:
    """The ground truth of copy ``copy`` (its URLs on its own ports and, with ``hosts``, its own
    address; site names as the mirror's, without the ``-c<k>`` of ``sites_yaml``)."""
    one = truth(copy_base(base_port, copy))
    return _rehosted(one, host_of(copy, hosts)) if hosts else one


def span() -> int:
    """How many consecutive ports one copy of the world takes."""
    return max(s.offset for s in world().sites) + 1


def copy_base(base_port: int, copy: int) -> int:
    """The base port of copy ``copy``."""
    return base_port + copy * span()


def sites_yaml(
    base_port: int, copies: int, names: tuple[str, ...] | None = None, hosts: int = 0
) -> str:
    """The registry of ``copies`` copies of the mirror (only the sites called ``names``; with
    ``hosts`` K, copy k on ``host_of(k, K)``)."""
    entries = []
    for k in range(copies):
        text = one_copy(copy_base(base_port, k))
        data = yaml.safe_load(rehost(text, host_of(k, hosts)) if hosts else text)
        for site in data["sites"]:
            if names is not None and site["name"] not in names:
                continue
            if k:
                site["name"] = f"{site['name']}-c{k}"
            entries.append(site)
    header = f"# {copies} copies of the mirror from port {base_port} (mirror/scale.py)\n"
    if hosts:
        header = header.replace(" (", f" on {min(copies, hosts)} loopback hosts (", 1)
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
