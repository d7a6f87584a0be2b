"""Bench: the validity step of the build on a synthetic library of N documents.

Measures ``corpus.validity.step.apply_validity`` (terms, acts of other documents, decisions,
evidence, relations, history) against a baseline measured in the same run: the same step with
the acts of other documents left out (the first version: page field and own term only). Also
times the phases of the full step. Usage::

    .venv/bin/python bench/validity.py --docs 20000

The library: normative documents in the mirror's language, each with a 施行/有效期 clause; one in
twenty ends with ``《…》（文号）同时废止`` for an earlier one, one in ten cites one; one in 200 is a
repeal decision whose 10 items are a table in an attachment; one in 1000 a 现行有效目录 of 50.
"""

from __future__ import annotations

import argparse
import platform
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

from corpus.store.records import Attachment, DocumentRecord
from corpus.store.save import save_document, save_site
from corpus.store.schema import open_db
from corpus.validity import step as validity_step
from corpus.validity.relations import Found, collect
from corpus.validity.terms import extract_term
from mirror import text, vocab

AS_OF = date(2026, 11, 27)
TOPICS = vocab.PORTAL_TOPICS + vocab.NYNC_TOPICS + vocab.STHJT_TOPICS


def _body(rng: random.Random, topic: str, law: str, start: date, extra: list[str]) -> str:
    lines, n = text.measure_articles(rng, topic, law, "省人民政府", "本办法")
    lines.append(f"第{n}条 本办法自{text.ymd(start)}起施行，有效期{rng.choice([3, 5])}年。")
    return "\n".join(lines + extra)


def make_library(path: Path, n: int, seed: int = 20261127) -> None:
    """Write ``n`` synthetic documents (with decisions and lists) into a new library."""
    rng = random.Random(seed)
    db = open_db(str(path))
    save_site(db, {"name": "bench", "title": "江西省人民政府", "family": "hanweb", "columns": []})
    made: list[tuple[str, str]] = []  # (title, 文号) of the documents so far
    day = date(2015, 1, 20)
    with db.conn:
        for i in range(n):
            day += timedelta(days=rng.choice([0, 0, 1]))
            topic, law, _ = rng.choice(TOPICS)
            title = f"江西省人民政府关于印发《江西省{topic}管理办法（第{i}号）》的通知"
            number = f"赣府发〔{day.year}〕{i}号"
            extra, attachments = [], []
            if made and i % 20 == 7:
                old_title, old_number = rng.choice(made)
                extra.append(f"《{old_title}》（{old_number}）同时废止。")
            if made and i % 10 == 3:
                old_title, old_number = rng.choice(made)
                extra.append(f"具体要求按照《{old_title}》（{old_number}）有关规定办理。")
            if i % 200 == 199 or i % 1000 == 999:
                listing = i % 1000 == 999
                title = "江西省人民政府关于" + (
                    "公布现行有效行政规范性文件目录的通知" if listing else "废止部分文件的决定"
                )
                rows = rng.sample(made, min(50 if listing else 10, len(made)))
                table = ["目录", "序号\t文件名称\t文号"] + [
                    f"{k}\t{t}\t{num}" for k, (t, num) in enumerate(rows, 1)
                ]
                attachments = [
                    Attachment(f"http://bench/att/{i}.docx", "目录.docx", "docx", "\n".join(table))
                ]
            record = DocumentRecord(
                url=f"http://bench/art/{i}.html",
                site="bench",
                kind="normative",
                title=title,
                doc_number_raw=number,
                doc_number=number,
                written_date=day.isoformat(),
                published_date=day.isoformat(),
                validity_raw=rng.choice(["", "", "有效", "失效"]),
                body_text=_body(rng, topic, law, day + timedelta(days=30), extra),
                attachments=attachments,
            )
            save_document(db, record)
            made.append((title.replace("《", "〈").replace("》", "〉"), number))
    db.close()


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        made = _timed(lambda: make_library(path, args.docs))
        db = open_db(str(path))
        # warm up (imports, caches), then the baseline and the full step, twice each
        validity_step.apply_validity(db, AS_OF, "warm-up")
        with mock.patch.object(validity_step, "collect", lambda docs, terms: Found()):
            baseline = min(
                _timed(lambda: validity_step.apply_validity(db, AS_OF, "b")) for _ in range(2)
            )
        full = min(_timed(lambda: validity_step.apply_validity(db, AS_OF, "f")) for _ in range(2))
        docs, _ = validity_step._load(db)
        t_terms = _timed(
            lambda: [
                extract_term(d.body_text, d.title, d.written_date, d.published_date) for d in docs
            ]
        )
        terms = {
            d.id: extract_term(d.body_text, d.title, d.written_date, d.published_date) for d in docs
        }
        t_collect = _timed(lambda: collect(docs, terms))
        found = collect(docs, terms)
        acts = sum(len(v) for v in found.acts.values())
        relations = len(found.relations)
    print(f"machine: {platform.processor() or platform.machine()}, {platform.python_version()}")
    print(
        f"documents: {args.docs} (library written in {made:.1f}s); acts: {acts}; relations: {relations}"
    )
    print(f"baseline (page field and own term only): {baseline:.2f}s")
    print(f"full validity step: {full:.2f}s  (ratio {full / baseline:.2f}x the baseline)")
    print(f"  of which: terms {t_terms:.2f}s, acts and relations (collect) {t_collect:.2f}s")
    print(f"  per document: {1000 * full / args.docs:.3f} ms")


if __name__ == "__main__":
    main()
