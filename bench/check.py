"""A whole list checked at once (issue 15): 1,000 rows against the 100,000-document bench library.

The library is issue 6's synthetic corpus (``bench/search_corpus.py``, ``write_library``) with its
statuses decided by the build's validity step as of 2026-11-27 (statuses, bases, evidence: what
``corpus.check`` reads; keywords and the search index are not needed). It is reused from
``--db`` when there, else copied from the search bench's file when that exists, else generated
(about two minutes, and about as long again for the validity step).

The list: 1,000 lines drawn from the library with a fixed seed, written the ways people write
them — titles (with numbering and 《》), 文号 in eight spellings, title and 文号 together (in
brackets, before, after a tab), the measure a 印发 notice prints, titles without their province
or with a qualifier added, and lines the library does not hold (invented titles, 2099 numbers).

Measured, each the median of ``--repeat`` runs, in one process:

* **cold**: what ``normdocs check`` does after its imports: read the library's titles and
  numbers (``Library.load``) and check the list;
* **warm**: the check with the index already read (the site keeps one per published file);
* both as of the build's date (stored statuses) and as of another date (every matched status
  decided again from the stored evidence, ``corpus.check.asof``);
* **command**: ``normdocs check LIST --db … --out OUT.xlsx`` end to end, as a subprocess;
* baselines in the same run: reading the titles and numbers alone (the floor of the cold
  path), and the obvious SQL — one ``WHERE title = ? OR doc_number = ?`` per line, no index on
  titles — timed on ``--sql-sample`` lines and scaled to 1,000.

    .venv/bin/python bench/check.py [--db PATH] [--rows 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import sqlite_utils

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_corpus import doc_number_queries, write_library  # noqa: E402

from corpus.check.match import Library, check, parse  # noqa: E402
from corpus.store.schema import ensure_db_shape  # noqa: E402
from corpus.validity.step import apply_validity  # noqa: E402

DOCS = 100_000
AS_OF = date(2026, 11, 27)
OTHER = date(2028, 6, 30)
DEFAULT_DB = Path("/tmp/normdocs-bench-check/n100000/normdocs.db")
SEARCH_DB = Path("/tmp/normdocs-bench-search/n100000/normdocs.db")  # bench/search.py's
SEED = 15


def prepare(path: Path) -> dict:
    """The bench library at ``path``, built for validity as of ``AS_OF``; what it took."""
    info: dict = {}
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        if SEARCH_DB.exists():
            source = sqlite3.connect(f"file:{SEARCH_DB}?mode=ro", uri=True)
            target = sqlite3.connect(path)
            source.backup(target)
            source.close()
            target.close()
            info["copied_from"] = str(SEARCH_DB)
        else:
            write_library(path, DOCS)
        info["generate_s"] = round(time.perf_counter() - start, 1)
    db = sqlite_utils.Database(path)
    ensure_db_shape(db)
    built = db.execute("SELECT count(*) FROM documents WHERE status_as_of = ?", [AS_OF.isoformat()])
    if built.fetchone()[0] == 0:
        start = time.perf_counter()
        apply_validity(db, AS_OF, "bench/check.py")
        info["validity_s"] = round(time.perf_counter() - start, 1)
    db.execute("INSERT OR REPLACE INTO build_info (key, value) VALUES ('as_of', ?)", [AS_OF.isoformat()])  # fmt: skip
    db.conn.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    info["documents"] = db.execute("SELECT count(*) FROM documents").fetchone()[0]
    info["db_mb"] = round(path.stat().st_size / 1e6, 1)
    db.close()
    return info


def make_list(conn: sqlite3.Connection, n: int, seed: int = SEED) -> list[tuple[str, str]]:
    """``n`` (line, kind) pairs, written the ways people write them (see the module docstring)."""
    rng = random.Random(seed)
    ids = [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY id")]
    picked = rng.sample(ids, n)
    rows = {
        r[0]: r[1:]
        for r in conn.execute(
            f"SELECT id, title, doc_number FROM documents WHERE id IN ({','.join('?' * n)})", picked
        )
    }
    kinds = (("title", 25), ("doc_number", 20), ("title+doc_number", 20), ("measure", 10),
             ("altered", 10), ("absent", 15))  # fmt: skip
    out = []
    for i, doc_id in enumerate(picked):
        title, number = rows[doc_id]
        kind = rng.choices([k for k, _ in kinds], weights=[w for _, w in kinds])[0]
        inner = title.split("《", 1)[1].split("》", 1)[0] if "《" in title else None
        if kind in ("doc_number", "title+doc_number") and not (number and "〔" in number):
            kind = "title"
        if kind == "measure" and not inner:
            kind = "title"
        if kind == "title":
            line = rng.choice(
                [title, f"{i + 1}. {title}", f"《{title}》", f"（{i % 9 + 1}）{title}"]
            )
        elif kind == "doc_number":
            line = rng.choice(doc_number_queries(number))
        elif kind == "title+doc_number":
            spelled = rng.choice(doc_number_queries(number))
            line = rng.choice([f"{title}（{spelled}）", f"{spelled} {title}", f"{i + 1}\t{title}\t{spelled}"])  # fmt: skip
        elif kind == "measure":
            line = rng.choice([inner, f"《{inner}》"])
        elif kind == "altered":
            base = inner or title
            line = base.removeprefix("江西省") if base.startswith("江西省") else base + "（试行）"
        else:
            line = rng.choice([f"江西省{title[-12:]}实施细则（第{i}批）", f"赣府发〔2099〕{i}号",
                               f"关于{title[3:12]}的补充规定"])  # fmt: skip
        out.append((line, kind))
    return out


def _median(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 3), result


def measure(path: Path, rows: int, repeat: int, sql_sample: int) -> dict:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    listing = make_list(conn, rows)
    lines = [line for line, _ in listing]
    out: dict = {"rows": rows, "kinds": dict(Counter(k for _, k in listing))}

    out["floor_read_s"], _ = _median(
        lambda: conn.execute(
            "SELECT id, title, doc_number, coalesce(published_date, written_date, '') FROM documents"
        ).fetchall(),
        repeat,
    )
    out["load_s"], library = _median(lambda: Library.load(conn), repeat)
    for label, day in (("build_date", AS_OF), ("other_date", OTHER)):
        out[f"cold_{label}_s"], _ = _median(lambda d=day: check(conn, lines, d), repeat)
        check(conn, lines[:5], day, library=library)  # the core index, read at the first fuzzy line
        out[f"warm_{label}_s"], result = _median(
            lambda d=day: check(conn, lines, d, library=library), repeat
        )
        out[f"matches_{label}"] = dict(Counter(r["match"] for r in result))
        out[f"statuses_{label}"] = dict(Counter(r["status"] or "—" for r in result))
    # what each kind of line came out as (as of the build's date)
    result = check(conn, lines, AS_OF, library=library)
    out["by_kind"] = {
        kind: dict(Counter(r["match"] for r, (_, k) in zip(result, listing, strict=True) if k == kind))
        for kind in out["kinds"]
    }  # fmt: skip

    # baseline: the obvious SQL, one full scan per line (no index on titles)
    sample = lines[:sql_sample]
    start = time.perf_counter()
    for line in sample:
        q = parse(line)
        conn.execute(
            "SELECT id FROM documents WHERE title = ? OR doc_number = ?", [q.title, q.number]
        ).fetchall()
    out["sql_sample"] = len(sample)
    out["sql_per_row_ms"] = round((time.perf_counter() - start) / len(sample) * 1000, 1)
    out["sql_scaled_s"] = round(out["sql_per_row_ms"] * rows / 1000, 1)
    conn.close()

    with tempfile.TemporaryDirectory(prefix="normdocs-bench-check-") as tmp:
        listing_file = Path(tmp) / "list.txt"
        listing_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        normdocs = Path(sys.executable).with_name("normdocs")
        args = [str(normdocs), "check", str(listing_file), "--db", str(path), "--out"]
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run([*args, str(Path(tmp) / "out.xlsx")], check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        out["command_xlsx_s"] = round(statistics.median(times), 3)
        start = time.perf_counter()
        subprocess.run([str(normdocs), "--help"], check=True, capture_output=True)
        out["command_start_s"] = round(time.perf_counter() - start, 3)
    return out


def machine() -> dict:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor())  # fmt: skip
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sql-sample", type=int, default=20)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    result = {"machine": machine(), "library": prepare(args.db)}
    print(json.dumps(result, ensure_ascii=False), flush=True)
    result["check"] = measure(args.db, args.rows, args.repeat, args.sql_sample)
    result["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    text = json.dumps(result, ensure_ascii=False, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    ok = result["check"]["cold_build_date_s"] <= 2 and result["check"]["cold_other_date_s"] <= 2
    print(f"target: 1,000 rows in ≤ 2 s (cold, either date): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
