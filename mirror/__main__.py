"""Command line: ``python -m mirror serve|truth|sites``.

Examples::

    python -m mirror serve --base-port 8701            # jx-portal :8701, jx-nync :8702, jx-sthjt :8703
    python -m mirror truth --base-port 8701 --out truth.json
    python -m mirror sites --base-port 8701 > sites/mirror.yml
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and run the command."""
    parser = argparse.ArgumentParser(prog="python -m mirror", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve every site (blocking)")
    serve.add_argument("--host", default="127.0.0.1")
    truth = commands.add_parser("truth", help="write the ground truth JSON")
    truth.add_argument("--out", type=Path, help="file to write (default: stdout)")
    commands.add_parser("sites", help="print the sites registry YAML")
    for sub in (serve, truth, commands.choices["sites"]):
        sub.add_argument("--base-port", type=int, default=8701)
    args = parser.parse_args(argv)
    if args.command == "serve":
        from .server import run  # noqa: PLC0415

        run(args.base_port, args.host)
    elif args.command == "truth":
        from . import truth as build  # noqa: PLC0415

        text = json.dumps(build(args.base_port), ensure_ascii=False, indent=1)
        if args.out:
            args.out.write_text(text + "\n", encoding="utf-8")
        else:
            sys.stdout.write(text + "\n")
    else:
        from . import sites_yaml  # noqa: PLC0415

        sys.stdout.write(sites_yaml(args.base_port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
