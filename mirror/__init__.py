"""The local mirror: faithful imitations of government sites, served on loopback, with ground truth.

``truth(base_port)`` is the truth (docs/CONTRACTS.md), ``sites_yaml(base_port)`` the sites
registry, ``mirror.server.run(base_port, host)`` serves every site (blocking; base port 0 takes
free ports). ``mirror.harness`` starts servers and crawls for the tests, the benches and
``normdocs demo``; ``mirror.loopback`` is the settings overlay that lets a crawl of loopback
servers go at full speed; ``mirror.hold`` holds the mirror's answers after N requests.
"""

from __future__ import annotations


def truth(base_port: int = 8701, include_extra: bool = False) -> dict:
    """The ground truth for the mirror served from ``base_port`` (``include_extra``: also the
    extra sites served after the default ones but left out of ``sites_yaml``)."""
    from .groundtruth import truth as build  # noqa: PLC0415 - keep `import mirror` light

    return build(base_port, include_extra=include_extra)


def port_count() -> int:
    """How many consecutive ports from the base port the mirror serves (extra sites included)."""
    from .catalog import SITES  # noqa: PLC0415 - keep `import mirror` light

    return max(s.offset for s in SITES) + 1


def sites_yaml(base_port: int = 8701) -> str:
    """The sites registry (YAML) for the mirror served from ``base_port``."""
    from .groundtruth import sites_yaml as build  # noqa: PLC0415 - keep `import mirror` light

    return build(base_port)


__all__ = ["port_count", "sites_yaml", "truth"]
