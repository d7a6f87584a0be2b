"""The local mirror: faithful imitations of government sites, served on loopback, with ground truth.

``truth(base_port)`` is the truth (CONTRACTS.md), ``sites_yaml(base_port)`` the sites registry,
``mirror.server.run(base_port, host)`` serves every site (blocking).
"""

from __future__ import annotations


def truth(base_port: int = 8701) -> dict:
    """The ground truth for the mirror served from ``base_port``."""
    from .groundtruth import truth as build  # noqa: PLC0415 - keep `import mirror` light

    return build(base_port)


def sites_yaml(base_port: int = 8701) -> str:
    """The sites registry (YAML) for the mirror served from ``base_port``."""
    from .groundtruth import sites_yaml as build  # noqa: PLC0415

    return build(base_port)


__all__ = ["sites_yaml", "truth"]
