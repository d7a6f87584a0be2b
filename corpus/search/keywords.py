"""Keywords of a document (关键词): jieba's TF-IDF over its title and text, with rjieba cuts.

A legal library is searched by what documents are *about*: 种猪场 is a keyword of a 种猪场 rule,
not of a notice that names it once. Keywords are the words with the highest TF-IDF weight, the
method of ``jieba.analyse.extract_tags`` with jieba's own IDF table (words it does not know get
the median weight, as in jieba), computed on rjieba's cuts (HMM off: the same words as jieba's,
14–16× faster than jieba's own cutting; ``tests/test_keywords.py`` checks the result is jieba's
on every mirror body). Additions for government text, chosen by reading the mirror's keywords: words
every document uses (关于, 通知, 贯彻执行, 省直, 法律责任 …, ``BOILERPLATE``), article numbers
(第十一条), place names ending in 省/市/县, the issuer's own name and words with no Han character
(dates, numbers) are never keywords, and words of the title count ``TITLE_WEIGHT`` times,
because a title says what a document is about. The word list is hand-made: real pages will
show more boilerplate worth adding.

Stored by the build as a JSON array in ``documents.keywords`` / ``interpretations.keywords``
(Datasette can facet on it with ``_facet_array=keywords``), recomputed only for rows whose
content changed (``keywords_hash``). The search ranks a document whose keywords contain the
query above one that merely mentions it (corpus/search/sql.py).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import rjieba
import sqlite_utils

from corpus.search.tokens import HMM
from corpus.store.normalize import halfwidth

TOP = 8
TITLE_WEIGHT = 3
MAX_CHARS = 20_000  # the opening of a long text says what it is about; the rest costs time

# Words of every government document: addressing, transmission, exhortation, structure.
_BOILERPLATE = """
    关于 印发 通知 通报 意见 决定 公告 批复 函 现将 给 你们 请 认真 贯彻 执行 贯彻执行 遵照 落实
    有关 相关 单位 部门 各地 各级 各 本 省直 设区 以下 以上 其他 等 和 与 及 或者 并 的 对 在 为
    工作 实际 结合 根据 依据 按照 应当 可以 负责 组织 开展 加强 进一步 推进 做好 提高 促进
    规定 办法 实施 细则 实施细则 总则 附则 本办法 本规定 本细则 施行 起 自 有效期 印发给 发布 公布
    条 章 节 款 项 第一条 第二条 第三条 第四条 第五条 第六条 第七条 第八条 第九条 第十条
    人民政府 人民 政府 办公厅 办公室 市 县 区 省 特此 此 如下 下列 同时 废止 试行 暂行 负责同志
    本规程 本条例 本决定 本意见 本通知 本规则 规程 事项 有关事项 宣传 贯彻落实 建立健全 及时 依法
    法律责任 监督管理 管理工作 管理 规范 引导 考核 完善 统筹 指导 检查 要求 措施 情况 制度 机制
    主管部门 之日起 遵照执行 各处室 若干 违反 显著成绩
"""
BOILERPLATE = frozenset(_BOILERPLATE.split())
_ADMIN_AREA = re.compile(r"^.{1,6}(?:省|自治区|市|县)$")  # 江西省, 南昌市: where, not what
# 第十一条: a document's structure, not its subject
_ARTICLE_NO = re.compile(r"^第[一二三四五六七八九十百零〇两\d]+[条章节款项]$")
_HAN = re.compile(r"[\u3400-\u9fff]")


@cache
def _idf() -> tuple[dict[str, float], float]:
    """jieba's IDF table and its median (what ``jieba.analyse`` gives unknown words)."""
    import jieba  # noqa: PLC0415 - only the build needs the table (not jieba.analyse: a second)

    path = Path(jieba.__file__).with_name("analyse") / "idf.txt"
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, weight = line.strip().partition(" ")
        if weight:
            table[word] = float(weight)
    return table, sorted(table.values())[len(table) // 2]


def tfidf(words: Iterable[str], stop: frozenset[str] = frozenset(), top: int = TOP) -> list[str]:
    """The ``top`` words by TF-IDF weight, as ``jieba.analyse.extract_tags`` orders them.

    Same filter (shorter than 2 characters, or a stop word) and the same arithmetic, so on the
    same cuts the result is jieba's; ties keep the order of first occurrence.
    """
    return _top(Counter(w for w in words if len(w.strip()) >= 2 and w.lower() not in stop), top)


def _top(counts: Counter, top: int) -> list[str]:
    """The ``top`` words of ``counts`` (word → occurrences, in order of first occurrence) by
    TF-IDF weight: ``tfidf``'s arithmetic (its float sum of ones is the integer total)."""
    total = float(sum(counts.values()))
    idf, median = _idf()
    weight = {w: n * (idf.get(w, median) / total) for w, n in counts.items()}
    return sorted(weight, key=weight.__getitem__, reverse=True)[:top]


class _Kept(dict):
    """word → whether it can be a keyword: a content word (``_content_words``) that ``tfidf``'s
    own filter keeps; decided once per word."""

    def __missing__(self, w: str) -> bool:
        keep = self[w] = bool(
            w not in BOILERPLATE
            and _HAN.search(w)
            and not _ADMIN_AREA.match(w)
            and not _ARTICLE_NO.match(w)
            and len(w.strip()) >= 2
        )
        return keep


_KEPT = _Kept()


def _content_words(text: str) -> list[str]:
    """The words of ``text`` (its first ``MAX_CHARS``) that can be keywords, in order."""
    return list(filter(_KEPT.__getitem__, rjieba.cut(halfwidth(text[:MAX_CHARS]), HMM)))


def keywords(
    title: str | None, text: str | None, issuer: str | None = None, top: int = TOP
) -> list[str]:
    """The keywords of a document or interpretation, most characteristic first.

    Words of the ``issuer``'s name (民政厅, 委员会 …) are left out: a title starts with who
    issued it, which is not what the document is about.
    """
    words = _content_words(title or "") * TITLE_WEIGHT + _content_words(text or "")
    counts = Counter(words)
    if issuer:
        for w in [w for w in counts if w in issuer]:
            del counts[w]
    return _top(counts, top)


def stored(value: str | None) -> list[str]:
    """The keywords a row keeps (the JSON array ``assign_keywords`` writes); [] before a build."""
    try:
        words = json.loads(value) if value else []
    except ValueError:
        return []
    return [w for w in words if isinstance(w, str)] if isinstance(words, list) else []


_TABLES = {"documents": "title, body_text, issuer", "interpretations": "title, body_text, source"}


def assign_keywords(db: sqlite_utils.Database, workers=None) -> dict[str, int]:
    """Compute keywords where the content changed since they were last computed; counts.
    ``workers`` (``corpus.build.Workers``) compute them in other processes."""
    return start_keywords(db, workers)()


def start_keywords(db: sqlite_utils.Database, workers=None) -> Callable[[], dict[str, int]]:
    """Read the rows whose keywords are due and, where there are many, hand them to the
    ``workers`` at once; returns what writes the keywords (waiting for the workers) and counts.

    The workers compute while the build goes on (it copies the articles in, links the
    interpretations): what they were given — titles, bodies, issuers, content hashes — no step
    before the index writes. Without workers, or for a few rows, the keywords are computed
    when they are written."""
    due = []
    for table, cols in _TABLES.items():
        rows = db.execute(
            f"SELECT id, {cols}, content_hash FROM {table}"
            " WHERE keywords_hash IS NOT content_hash OR keywords IS NULL"
        ).fetchall()
        started = workers.map_now(_stored_keywords, rows) if workers else None
        due.append((table, rows, started))

    def finish() -> dict[str, int]:
        counts = {}
        for table, rows, started in due:
            words = started if started is not None else map(_stored_keywords, rows)
            updates = [
                (stored, digest, pk) for (pk, *_, digest), stored in zip(rows, words, strict=True)
            ]
            with db.atomic():
                db.conn.executemany(
                    f"UPDATE {table} SET keywords = ?, keywords_hash = ? WHERE id = ?", updates
                )
            counts[f"{table}_keywords"] = len(updates)
        return counts

    return finish


def _stored_keywords(row: tuple) -> str:
    """The keywords of a row (id, title, text, issuer, …) as ``assign_keywords`` stores them."""
    _, title, body, issuer, *_ = row
    return json.dumps(keywords(title, body, issuer), ensure_ascii=False)
