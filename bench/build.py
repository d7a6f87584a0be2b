"""Bench: ``normdocs build`` at N documents — a full build before and after, and the rebuild
after a recrawl that changed 1% of the documents; with a check that the results are identical.

The library is ``bench/search_corpus.py``'s (N documents, one interpretation per ten), made to
look crawled: each page gets its first version in ``document_versions``, as the crawler's save
writes it. Then, in one run:

1. **Full builds**, alternating "before" (the code of a git worktree, ``--before``) and "after"
   (this checkout), each on its own copy of the same library, in a child process
   (``normdocs build --as-of``); wall seconds, and each build's own seconds per step.
2. **Identical results**: ``corpus.build.fingerprint`` of the two built libraries, table by table
   (the tables both have; the index by its terms, rows and counts).
3. **The 1% recrawl**: 1% of the documents and of the interpretations stored again through
   ``corpus.store.save`` as a recrawl's save stores them (bodies edited, a 施行/有效期 clause
   added, titles changed, a page's 有效性, a clause repealing another stored document), on both
   built copies; then ``normdocs build`` again on each (after: with its build cache) — and a
   build from scratch of the same recrawled library (a copy without the cache, every article
   and keyword computed again), whose fingerprint the rebuild must equal.

Usage::

    git worktree add /tmp/nd16/before <commit>
    .venv/bin/python bench/build.py --docs 100000 --before /tmp/nd16/before --work /tmp/nd16/build
"""

from __future__ import annotations

import argparse
import ast
import os
import platform
import random
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import sqlite_utils

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search_corpus import write_library  # noqa: E402

from corpus.build import CACHE_SUFFIX, fingerprint  # noqa: E402
from corpus.store.records import DocumentRecord, InterpretationRecord  # noqa: E402
from corpus.store.save import save_document, save_interpretation  # noqa: E402
from corpus.store.schema import open_db  # noqa: E402

AS_OF = date(2026, 11, 27)
FETCHED = "2026-11-26T03:00:00+00:00"  # when the recrawl fetched its pages (the same in each copy)
HERE = Path(__file__).resolve().parent.parent


def make_library(path: Path, n: int) -> None:
    """``n`` synthetic documents, each page with its first version as the crawl stores it."""
    write_library(path, n)
    with sqlite3.connect(path) as conn:
        for table in ("documents", "interpretations"):
            conn.execute(
                "INSERT INTO document_versions (parent_table, parent_id, url, version, content_hash,"
                " fetched_at, title, body_text, record)"
                f" SELECT '{table}', id, url, 1, '', '2026-11-01T00:00:00+00:00', title, body_text,"
                f" '{{}}' FROM {table}"
            )
    conn.close()


def copy(source: Path, target: Path) -> None:
    """A copy of a library (its WAL included), without its build cache."""
    for leftover in (target, Path(f"{target}{CACHE_SUFFIX}")):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{leftover}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(source) as conn, sqlite3.connect(target) as out:
        conn.backup(out)
    conn.close()
    out.close()


def run_build(root: Path, path: Path) -> dict:
    """``normdocs build`` of the code at ``root`` in a child process: wall seconds, its report's
    seconds per step and breakdown (where it has one), the load average before it."""
    code = f"import sys; sys.path.insert(0, {str(root)!r}); from corpus.cli import cli; cli()"
    command = [sys.executable, "-c", code, "build", "--db", str(path), "--as-of", AS_OF.isoformat()]
    load = os.getloadavg()[0]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=root, check=True)
    wall = time.perf_counter() - started
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    return {
        "wall": wall,
        "load": load,
        "seconds": ast.literal_eval(lines["seconds"]),
        "breakdown": lines.get("breakdown", ""),
    }


def recrawl(path: Path, share: float, seed: int = 16) -> dict[str, int]:
    """Store ``share`` of the documents and interpretations again, changed, through
    ``corpus.store.save`` (what a recrawl's save does); returns how many of each change."""
    rng = random.Random(seed)
    db = open_db(str(path))  # at this code's schema, as its crawler would store the pages
    rows = list(
        db.query(
            "SELECT url, site, kind, title, doc_number, doc_number_raw, issuer, written_date,"
            " published_date, validity_raw, subject, body_text FROM documents ORDER BY id"
        )
    )
    numbered = [r for r in rows if r["doc_number"] and "〔" in r["doc_number"]]
    picked = rng.sample(rows, max(1, round(share * len(rows))))
    made = {"body": 0, "term": 0, "title": 0, "validity_raw": 0, "repeals another": 0}
    for k, row in enumerate(picked):
        fields = {f: row[f] or "" for f in ("title", "doc_number_raw", "issuer", "subject")}
        fields.update({f: row[f] for f in ("doc_number", "written_date", "published_date")})
        body, raw = row["body_text"] or "", row["validity_raw"] or ""
        change = list(made)[k % len(made)]
        made[change] += 1
        if change == "body":
            body += "\n各地要结合实际，认真抓好贯彻落实，及时报告执行中的问题。"
        elif change == "term":
            body += "\n本办法自2027年1月1日起施行，有效期5年。"
        elif change == "title":
            fields["title"] += "（修订）"
        elif change == "validity_raw":
            raw = "已失效"
        else:
            other = rng.choice(numbered)
            body += f"\n《{other['title']}》（{other['doc_number']}）同时废止。"
        record = DocumentRecord(
            url=row["url"], site=row["site"], kind=row["kind"], body_text=body,
            validity_raw=raw, fetched_at=FETCHED, **fields,
        )  # fmt: skip
        save_document(db, record)
    interps = list(
        db.query(
            "SELECT url, site, title, published_date, source, form, body_text"
            " FROM interpretations ORDER BY id"
        )
    )
    for row in rng.sample(interps, max(1, round(share * len(interps)))):
        body = (row["body_text"] or "") + "\n请各地结合实际做好政策宣传解读。"
        save_interpretation(
            db,
            InterpretationRecord(
                url=row["url"],
                site=row["site"],
                title=row["title"],
                published_date=row["published_date"],
                source=row["source"] or "",
                form=row["form"] or "",
                body_text=body,
                fetched_at=FETCHED,
            ),  # fmt: skip
        )
        made["interpretations"] = made.get("interpretations", 0) + 1
    db.close()
    return made


def from_scratch(path: Path, target: Path) -> None:
    """``path`` copied, with nothing kept to build from: no cache, articles and keywords unset."""
    copy(path, target)
    with sqlite3.connect(target) as conn:
        conn.execute("UPDATE documents SET articles_hash = NULL, keywords_hash = NULL")
        conn.execute("UPDATE interpretations SET keywords_hash = NULL")
    conn.close()


def compare(a: Path, b: Path) -> tuple[list[str], list[str], list[str]]:
    """(tables equal, tables that differ, tables only one of them has)."""
    fa = fingerprint(sqlite_utils.Database(a))
    fb = fingerprint(sqlite_utils.Database(b))
    both = sorted(set(fa) & set(fb))
    return (
        [t for t in both if fa[t] == fb[t]],
        [t for t in both if fa[t] != fb[t]],
        sorted(set(fa) ^ set(fb)),
    )


def _steps(result: dict) -> str:
    return ", ".join(f"{k} {v:.1f}" for k, v in result["seconds"].items() if k != "total")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--before", type=Path, required=True, help="a worktree of the old code")
    parser.add_argument("--work", type=Path, required=True, help="a directory for the copies")
    parser.add_argument("--runs", type=int, default=1, help="full builds of each, alternating")
    parser.add_argument("--share", type=float, default=0.01, help="what the recrawl changes")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    library = args.work / f"library-{args.docs}.db"
    if not library.exists():
        started = time.perf_counter()
        make_library(library, args.docs)
        print(f"library: {args.docs} documents in {time.perf_counter() - started:.0f} s")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()},"
          f" SQLite {sqlite3.sqlite_version}; {time.strftime('%Y-%m-%d %H:%M')}")  # fmt: skip
    before, after = args.work / "before.db", args.work / "after.db"
    full: dict[str, list[dict]] = {"before": [], "after": []}
    for run in range(args.runs):
        for name, root, path in (("before", args.before, before), ("after", HERE, after)):
            copy(library, path)
            result = run_build(root, path)
            full[name].append(result)
            print(f"full build {run + 1} {name}: {result['wall']:.1f} s (load {result['load']:.2f};"
                  f" {_steps(result)})")  # fmt: skip
            if result["breakdown"]:
                print(f"  {result['breakdown']}")
    same, differ, apart = compare(before, after)
    print(f"identical after a full build: {len(same)} tables equal, differing: {differ or 'none'};"
          f" in one only: {apart or 'none'}")  # fmt: skip
    for path in (before, after):
        made = recrawl(path, args.share)
    print(f"recrawl ({args.share:.0%}): {made}")
    scratch = args.work / "scratch.db"
    from_scratch(after, scratch)
    for name, root, path in (("before", args.before, before), ("after", HERE, after)):
        result = run_build(root, path)
        print(f"rebuild after the recrawl, {name}: {result['wall']:.1f} s (load {result['load']:.2f};"
              f" {_steps(result)})")  # fmt: skip
        if result["breakdown"]:
            print(f"  {result['breakdown']}")
    result = run_build(HERE, scratch)
    print(f"build from scratch of the recrawled library: {result['wall']:.1f} s")
    same, differ, apart = compare(after, scratch)
    print(f"rebuild = from scratch: {len(same)} tables equal, differing: {differ or 'none'}")
    same, differ, apart = compare(before, after)
    print(f"rebuild before = after: {len(same)} tables equal, differing: {differ or 'none'};"
          f" in one only: {apart or 'none'}")  # fmt: skip


if __name__ == "__main__":
    main()
