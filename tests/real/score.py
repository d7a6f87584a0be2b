"""Score our readers against the hand labels of real pages and real clauses.

A page's 施行日期 and 有效期 are scored as the build reads them: the document's own clauses
first, then the dates the page's metadata states (``PageDates``).

``python tests/real/score.py`` prints the agreement per family and field, and per clause kind;
``tests/test_real_material.py`` pins the exact set of misses so a regression (or an improvement
nobody wrote down) fails. A field is *stated* where the label has a value; a reader *agrees* when
it gives that value (dates as ISO, 文号 canonical, URLs compared as canonical and unquoted, the
body by its first and last words); it *invents* a value where the label has none.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote

if __package__ in (None, ""):  # run as a script: make ``real`` and our packages importable
    sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).parents[2])]

from scrapy.http import HtmlResponse

from corpus.store.identity import canonical_url
from corpus.store.normalize import canonical_doc_number, normalize_title
from corpus.validity import evidence
from corpus.validity.rules import map_page_status
from corpus.validity.terms import PageDates, extract_term
from crawler.parsers import gkmlpt, hanweb, jxnew, trs

try:
    from real import CLAUSES, PAGES, clause_labels, page_labels
except ImportError:  # imported as tests.real.score
    from tests.real import CLAUSES, PAGES, clause_labels, page_labels

# 'other' pages (CMSs we have no family for) are read with the most general layout we have.
PARSERS = {"hanweb": hanweb, "jxnew": jxnew, "trs": trs, "gkmlpt": gkmlpt, "other": trs}
DOCUMENT_FIELDS = (
    "title", "doc_number", "issuer", "written_date", "published_date", "validity",
    "index_no", "subject", "body_first", "body_last", "attachments", "interpretation_links",
    "effective_date", "expires_on",
)  # fmt: skip
INTERPRETATION_FIELDS = (
    "title", "published_date", "body_first", "body_last", "attachments", "document_links",
)  # fmt: skip


def _iso(value: object) -> str | None:
    if value in (None, ""):
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _squash(text: object) -> str:
    return re.sub(r"\s+", "", str(text or ""))


def _url(url: str) -> str:
    return unquote(canonical_url(url.strip())).replace("http://", "https://")


def _urls(urls) -> frozenset[str]:
    return frozenset(_url(u) for u in urls or ())


@dataclass
class PageResult:
    file: str
    family: str
    page: str
    error: str = ""
    fields: dict[str, tuple[object, object]] = field(default_factory=dict)  # name: (want, got)

    def misses(self) -> list[str]:
        return [name for name, (want, got) in self.fields.items() if not _agrees(name, want, got)]

    def invented(self) -> list[str]:
        return [
            name
            for name, (want, got) in self.fields.items()
            if _empty(want) and not _empty(got) and name not in ("body_first", "body_last")
        ]


def _empty(value: object) -> bool:
    return value is None or value in ("", frozenset(), ())


def _agrees(name: str, want: object, got: object) -> bool:
    if _empty(want):
        return True  # scored as agreement only where the page states something
    if name == "body_first":
        return _squash(want) in _squash(got)[:400]
    if name == "body_last":
        return _squash(want) in _squash(got)[-400:]
    return want == got


def response_for(label: dict) -> HtmlResponse:
    """The saved page as the crawler would receive it (bytes; the server's Content-Type where
    the page's provenance records it)."""
    body = (PAGES / label["file"]).read_bytes()
    headers = {"Content-Type": label.get("http_content_type") or "text/html"}
    return HtmlResponse(url=label["url"], body=body, headers=headers)


def read_page(label: dict) -> PageResult:
    result = PageResult(label["file"], label["family"], label["page"])
    parser = PARSERS[label["family"]]
    want = _wanted(label)
    try:
        if label["page"] == "interpretation":
            record = parser.parse_interpretation(response_for(label), site="real")
        else:
            record = parser.parse_document(response_for(label), site="real", kind="normative")
    except Exception as exc:  # a page that raises is lost: every stated field is a miss
        result.error = f"{type(exc).__name__}: {exc}"
        result.fields = {name: (value, None) for name, value in want.items()}
        return result
    got = _got(record, label["page"])
    result.fields = {name: (want[name], got.get(name)) for name in want}
    return result


def _wanted(label: dict) -> dict[str, object]:
    names = INTERPRETATION_FIELDS if label["page"] == "interpretation" else DOCUMENT_FIELDS
    values = {
        "title": _squash(label["title"]) or None,
        "doc_number": label.get("doc_number_canonical"),
        "issuer": _squash(label.get("issuer")) or None,
        "written_date": _iso(label.get("written_date")),
        "published_date": _iso(label.get("published_date")),
        "validity": map_page_status(label.get("validity_raw")),
        "index_no": _squash(label.get("index_no")) or None,
        "subject": _squash(label.get("subject")) or None,
        "body_first": label.get("body_first"),
        "body_last": label.get("body_last"),
        "attachments": _urls(a["url"] for a in label.get("attachments") or ()),
        "interpretation_links": _urls(label.get("interpretation_links")),
        "document_links": _urls(label.get("document_links")),
        "effective_date": _iso(label.get("effective_date")),
        "expires_on": _iso(label.get("expires_on")),
    }
    return {name: values[name] for name in names}


def _got(record, page: str) -> dict[str, object]:
    links = defaultdict(list)
    for link in record.links:
        links[link.role].append(link.url)
    out = {
        "title": _squash(record.title) or None,
        "published_date": record.published_date,
        "body_first": record.body_text,
        "body_last": record.body_text,
        "attachments": _urls(a.url for a in record.attachments),
        "document_links": _urls(links["document"]),
    }
    if page == "interpretation":
        return out
    page = PageDates(
        record.page_effective_label,
        record.page_effective_raw,
        record.page_expiry_label,
        record.page_expiry_raw,
    )
    term = extract_term(
        record.body_text, record.title, record.written_date, record.published_date, page
    )
    return out | {
        "doc_number": record.doc_number,
        "issuer": _squash(record.issuer) or None,
        "written_date": record.written_date,
        "validity": map_page_status(record.validity_raw),
        "index_no": _squash(record.index_no) or None,
        "subject": _squash(record.subject) or None,
        "interpretation_links": _urls(links["interpretation"]),
        "effective_date": term.effective_date,
        "expires_on": term.expires_on,
    }


def read_list(label: dict) -> PageResult:
    """A column page: its own items (in page order) and the total it states.

    TRS-like pages (and 'other' CMSs) go through the TRS list reader; a Jiangxi new-platform
    column page through the column reader the spider starts from, whose ``entries`` are the items
    it carries inline and ``total`` the count the site states.
    """
    result = PageResult(label["file"], label["family"], "list")
    want = {"items": tuple(_url(u) for u in label["items"]), "total": label.get("items_total")}
    try:
        if label["family"] == "jxnew":
            params = jxnew.parse_column_page(response_for(label))
            entries = getattr(params, "entries", [])
            totals = {getattr(params, "total", None)}
        else:
            page = trs.parse_list_page(response_for(label))
            entries = page.entries
            totals = {page.pager.pages, page.pager.total} if page.pager else set()
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        result.fields = {name: (value, None) for name, value in want.items()}
        return result
    got_total = want["total"] if want["total"] in totals else min(totals - {None}, default=None)
    result.fields = {
        "items": (want["items"], tuple(_url(e.url) for e in entries)),
        "total": (want["total"], got_total),
    }
    return result


def score_pages() -> list[PageResult]:
    return [
        read_list(label) if label["page"] == "list" else read_page(label) for label in page_labels()
    ]


# ---------------------------------------------------------------- clauses


@dataclass
class ClauseResult:
    id: str
    kind: str
    ok: bool
    want: object
    got: object


def _clause_a(item: dict, label: dict) -> tuple[bool, object, object]:
    doc_date = item.get("doc_date_if_known")
    term = extract_term(item["text"], "", doc_date, doc_date)
    got = {"effective_date": term.effective_date, "expires_on": term.expires_on}
    if not label.get("about_document", True):
        want = {"effective_date": None, "expires_on": None}
        return got == want, want, got
    want: dict[str, object] = {}
    if label.get("effective_date"):
        want["effective_date"] = _iso(label["effective_date"])
    elif label.get("effective_relative") in ("印发", "发布", "公布", "下发", "发文") and doc_date:
        want["effective_date"] = doc_date  # the document's date stands for 之日
    if label.get("expires_on"):
        want["expires_on"] = _iso(label["expires_on"])
    ok = all(got[k] == v for k, v in want.items())
    return ok, want, got


def _targets(items: list[evidence.Item]) -> set[tuple[str | None, str | None]]:
    return {(normalize_title(i.title) if i.title else None, i.number) for i in items}


def _clause_b(item: dict, label: dict) -> tuple[bool, object, object]:
    """A repeal clause is read when every named target is found (by title or by 文号)."""
    text = item["text"]
    found = evidence.clause_items(text)
    if not found:
        found = [
            evidence.Item(a, text, t)
            for a in evidence.actions_in(text)
            for t in re.findall(r"《([^《》]+)》", text) or [None]
        ]
    got = _targets(found)
    want = {
        (normalize_title(t["title"]) if t.get("title") else None, t.get("number"))
        for t in label.get("targets") or ()
    }
    titles = {t for t, _ in got if t}
    numbers = {n for _, n in got if n}
    named = [(t, n) for t, n in want if t or n]
    ok = bool(found) and all((t and t in titles) or (n and n in numbers) for t, n in named)
    return ok, sorted(map(str, want)), sorted(map(str, got))


def _clause_c(item: dict, label: dict) -> tuple[bool, object, object]:
    text = item["text"]
    want = "amend" if label.get("action") == "amend" else "extend"
    if want == "amend":
        got = evidence.AMEND in evidence.actions_in(text) or bool(evidence.title_items(text))
        return got, want, got
    # An extension is an act on the named document (its term moves), not this text's own 有效期.
    ends = {i.until for i in evidence.clause_items(text) if i.action == evidence.EXTEND}
    want_end = _iso(label.get("extends_to"))
    return want_end in ends, want_end, sorted(e for e in ends if e)


def _clause_d(item: dict, label: dict) -> tuple[bool, object, object]:
    got = canonical_doc_number(item["text"])
    return got == label.get("doc_number"), label.get("doc_number"), got


def _clause_e(item: dict, label: dict) -> tuple[bool, object, object]:
    got = map_page_status(item["text"])
    return got == label.get("status"), label.get("status"), got


CLAUSE_READERS: dict[str, Callable[[dict, dict], tuple[bool, object, object]]] = {
    "a": _clause_a, "b": _clause_b, "c": _clause_c, "d": _clause_d, "e": _clause_e,
}  # fmt: skip


def score_clauses() -> list[ClauseResult]:
    labels = clause_labels()
    out = []
    for line in CLAUSES.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        label = labels[item["id"]]
        ok, want, got = CLAUSE_READERS[item["kind"]](item, label)
        out.append(ClauseResult(item["id"], item["kind"], ok, want, got))
    return out


# ---------------------------------------------------------------- report


def page_summary(results: list[PageResult]) -> dict:
    by_family: dict[str, Counter] = defaultdict(Counter)
    by_field: dict[str, Counter] = defaultdict(Counter)
    for r in results:
        for name, (want, _) in r.fields.items():
            if _empty(want):
                continue
            ok = name not in r.misses()
            for counter in (by_family[r.family], by_field[name], by_family["all"]):
                counter["stated"] += 1
                counter["agree"] += ok
        by_family[r.family]["pages"] += 1
        by_family[r.family]["lost"] += bool(r.error)
        by_family[r.family]["invented"] += len(r.invented())
    return {"families": dict(by_family), "fields": dict(by_field)}


def _pct(c: Counter) -> str:
    return f"{c['agree']}/{c['stated']} ({100 * c['agree'] / max(c['stated'], 1):.0f}%)"


KNOWN = Path(__file__).with_name("known_misses.txt")


def misses(pages: list[PageResult], clauses: list[ClauseResult]) -> list[str]:
    """Every miss as one line: ``page FILE FIELD`` (``page FILE lost`` for a page that raised),
    ``clause ID``."""
    out = [f"page {r.file} lost" for r in pages if r.error]
    out += [f"page {r.file} {name}" for r in pages for name in r.misses()]
    out += [f"clause {r.id}" for r in clauses if not r.ok]
    return sorted(out)


def known_misses() -> list[str]:
    lines = KNOWN.read_text(encoding="utf-8").splitlines()
    return sorted(line for line in lines if line and not line.startswith("#"))


def main() -> None:
    results = score_pages()
    summary = page_summary(results)
    print("real pages, fields read right (stated by the page):")
    for family, c in sorted(summary["families"].items()):
        extra = f"  pages {c['pages']}, lost {c['lost']}, invented {c['invented']}"
        print(f"  {family:<8} {_pct(c)}{extra if family != 'all' else ''}")
    for name, c in summary["fields"].items():
        print(f"  field {name:<22} {_pct(c)}")
    clauses = score_clauses()
    kinds: dict[str, Counter] = defaultdict(Counter)
    for r in clauses:
        for k in (r.kind, "all"):
            kinds[k]["stated"] += 1
            kinds[k]["agree"] += r.ok
    print("real clauses, read right:")
    for kind, c in sorted(kinds.items()):
        print(f"  {kind:<4} {_pct(c)}")
    if "--write-known" in sys.argv:
        header = "# Misses on real material, pinned by tests/test_real_material.py.\n"
        header += "# Regenerate with: python tests/real/score.py --write-known\n"
        KNOWN.write_text(header + "\n".join(misses(results, clauses)) + "\n", encoding="utf-8")
    if "-v" in sys.argv:
        for r in results:
            for name in r.misses():
                want, got = r.fields[name]
                print(f"MISS {r.file} {name}: want {want!r} got {str(got)[:120]!r} {r.error}")
        for r in clauses:
            if not r.ok:
                print(f"MISS clause {r.id}: want {r.want!r} got {r.got!r}")


if __name__ == "__main__":
    main()
