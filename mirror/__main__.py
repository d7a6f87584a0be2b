"""Command line: ``python -m mirror serve|truth|sites``.

Examples::

    python -m mirror serve --base-port 8701            # jx-portal :8701, jx-nync :8702, jx-sthjt :8703
    python -m mirror serve --base-port 0 --port-file p # free ports; their base written to p
    python -m mirror truth --base-port 8701 --out truth.json
    python -m mirror truth --extra                  # with the extra sites (registry tests)
    python -m mirror sites --base-port 8701 > sites/mirror.yml
    python -m mirror serve --faults 'jx-nync:503@5%,*:timeout@1%~detail'   # faults of real hosts
    python -m mirror serve --changes all            # the site after a day of changes
    python -m mirror serve --scale 30               # 30 copies of every site (benchmarks)
    python -m mirror serve --layout-changed gz-sthjt   # one site's lists redesigned
    python -m mirror serve --scale 64 --hosts 32 --latency 0.2 --stats   # 32 hosts, real answer time
    python -m mirror sites --scale 64 --hosts 32 --base-port 8701        # … and their registry
    curl http://127.0.0.2:8701/_mirror/stats       # per host: requests, most in flight at once
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
    serve.add_argument(
        "--faults", default="", help="faults to serve: SITE:FAULT[@RATE%%][xTIMES][~SCOPE],…"
    )
    serve.add_argument("--fault-hang", type=float, default=60.0, help="seconds a timeout hangs")
    serve.add_argument(
        "--fault-delay", type=float, default=0.05, help="seconds a slow answer waits"
    )
    serve.add_argument(
        "--fault-size", type=int, default=64 << 20, help="bytes of an oversized answer"
    )
    serve.add_argument("--changes", default="", help="site changes to apply: NAME,… or all")
    serve.add_argument("--scale", type=int, default=1, help="serve N copies of every site")
    serve.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds every answer waits (asynchronously: many requests in flight at once)",
    )
    serve.add_argument(
        "--stats",
        action="store_true",
        help="count requests per host: GET /_mirror/stats, POST /_mirror/stats/reset on any port",
    )
    serve.add_argument(
        "--stats-file",
        type=Path,
        default=None,
        help="write the per-host counters (JSON) here while they change, and at exit",
    )
    serve.add_argument(
        "--port-file",
        type=Path,
        default=None,
        help="write the base port here once every site listens (with --base-port 0: free ports)",
    )
    serve.add_argument(
        "--layout-changed",
        action="append",
        default=[],
        metavar="SITE",
        help="serve SITE's lists in a redesigned layout a crawler cannot read (repeatable)",
    )
    truth = commands.add_parser("truth", help="write the ground truth JSON")
    truth.add_argument("--out", type=Path, help="file to write (default: stdout)")
    truth.add_argument("--changes", default="", help="the truth after these changes (or all)")
    truth.add_argument(
        "--extra",
        action="store_true",
        help="with the extra sites, which the sites file leaves out (not with --changes)",
    )
    sites = commands.add_parser("sites", help="print the sites registry YAML")
    sites.add_argument("--scale", type=int, default=1, help="the registry of N copies")
    for sub in (serve, sites):
        sub.add_argument(
            "--hosts",
            type=int,
            default=0,
            help="spread the copies over K loopback hosts: copy k on 127.0.0.(2 + k mod K)",
        )
    for sub in (serve, truth, commands.choices["sites"]):
        sub.add_argument("--base-port", type=int, default=8701)
    args = parser.parse_args(argv)
    if args.command == "serve":
        from .faults import Faults, FaultSpecError  # noqa: PLC0415 - aiohttp, only to serve
        from .scale import host_of  # noqa: PLC0415 - aiohttp, only to serve
        from .server import run  # noqa: PLC0415 - aiohttp, only to serve
        from .stats import HostStats  # noqa: PLC0415 - aiohttp, only to serve

        try:
            host_of(0, args.hosts)  # a count of hosts out of range is refused here
            faults = Faults.from_spec(
                args.faults, hang=args.fault_hang, delay=args.fault_delay, oversize=args.fault_size
            )
            the_world = None
            if args.changes:
                from .changes import changed_world  # noqa: PLC0415 - only with --changes

                the_world = changed_world(args.changes)
        except (FaultSpecError, ValueError) as exc:
            parser.error(str(exc))
        try:
            run(
                args.base_port,
                args.host,
                faults if faults.faults else None,
                the_world,
                args.scale,
                tuple(args.layout_changed),
                args.port_file,
                latency=args.latency,
                hosts=args.hosts,
                stats=HostStats() if args.stats or args.stats_file else None,
                stats_file=args.stats_file,
            )
        except OSError as exc:  # a port taken (or, with --base-port 0, no free run of ports)
            print(f"error: cannot serve on {args.host}: {exc}", file=sys.stderr)
            return 2
    elif args.command == "truth":
        from . import truth as build  # noqa: PLC0415 - the world is built only when asked for

        if args.changes:
            if args.extra:
                parser.error("--extra is not available with --changes")
            from .changes import truth as build_changed  # noqa: PLC0415 - only with --changes

            data = build_changed(args.base_port, args.changes)
        else:
            data = build(args.base_port, include_extra=args.extra)
        text = json.dumps(data, ensure_ascii=False, indent=1)
        if args.out:
            args.out.write_text(text + "\n", encoding="utf-8")
        else:
            sys.stdout.write(text + "\n")
    else:
        from . import sites_yaml  # noqa: PLC0415 - the world is built only when asked for

        if args.scale > 1 or args.hosts:
            from .scale import sites_yaml as scaled  # noqa: PLC0415 - only with --scale

            try:
                sys.stdout.write(scaled(args.base_port, args.scale, hosts=args.hosts))
            except ValueError as exc:
                parser.error(str(exc))
        else:
            sys.stdout.write(sites_yaml(args.base_port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
