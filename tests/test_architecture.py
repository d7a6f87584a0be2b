"""The house rules, checked: imports only go down, no cycles (lazy imports count), dependencies
declared exactly as imported, and nothing in the repository cites a file outside it.

Everything here reads source files with ``ast``; nothing is imported or run.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = ("corpus", "crawler", "mirror")

# Which concern may import which (besides itself). The store is the floor; the command line
# (corpus.cli) is the one place where crawler, corpus and mirror meet.
ALLOWED: dict[str, set[str]] = {
    "corpus.store": set(),
    "crawler": {"corpus.store"},
    "corpus.validity": {"corpus.store"},
    "corpus.links": {"corpus.store"},
    # documents by article (编章节条款项): pure splitting and its build step
    "corpus.articles": {"corpus.store"},
    "corpus.search": {"corpus.store", "corpus.articles"},
    # what the site's pages count, counted by the build and read by the site (issue 16)
    "corpus.counts": {"corpus.store"},
    "corpus.build": {
        "corpus.store",
        "corpus.validity",
        "corpus.links",
        "corpus.search",
        "corpus.articles",
        "corpus.counts",
    },
    # the daily job: a crawl (as a child process, spelled by crawler.command), a build, a copy
    "corpus.refresh": {"corpus.store", "corpus.build", "crawler"},
    # a whole list checked at once: matching and statuses as of a date, for the site and the CLI
    "corpus.check": {"corpus.store", "corpus.validity"},
    "corpus.site": {
        "corpus.store",
        "corpus.validity",
        "corpus.links",
        "corpus.search",
        "corpus.check",
        "corpus.articles",
        "corpus.counts",
    },
    "corpus.cli": {"*"},
    # The mirror imitates the sites: it may lend the crawler a settings overlay, never the
    # library's code (its truth must not be computed by the code it checks).
    "mirror": {"crawler"},
    "corpus": set(),  # corpus/__init__.py
}


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module (ours)
    lazy: bool  # inside a function or class body
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def our_files() -> list[Path]:
    return sorted(p for top in OURS for p in (ROOT / top).rglob("*.py"))


def modules() -> set[str]:
    return {module_name(p) for p in our_files()}


def _resolve(node: ast.ImportFrom, name: str, is_package: bool) -> str:
    base = name.split(".") if is_package else name.split(".")[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(path: Path) -> Iterator[Import]:
    """Every import of our own modules in ``path``, with whether it sits inside a body."""
    name = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    known = modules()
    for node in ast.walk(tree):
        lazy = getattr(node, "col_offset", 0) > 0
        if isinstance(node, ast.ImportFrom):
            base = _resolve(node, name, path.name == "__init__.py") if node.level else node.module
            if not base or base.split(".")[0] not in OURS:
                continue
            for alias in node.names:
                # ``from corpus.site import labels`` imports the module corpus.site.labels
                sub = f"{base}.{alias.name}"
                yield Import(name, sub if sub in known else base, lazy, node.lineno)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in OURS:
                    yield Import(name, alias.name, lazy, node.lineno)


def graph() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {m: set() for m in modules()}
    for path in our_files():
        for imp in imports_of(path):
            out[imp.source].add(imp.target)
    return out


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module, or a module importing itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in edges:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in edges.get(v, ()):
                found.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def concern(module: str) -> str:
    """The key of ALLOWED a module belongs to (the longest matching prefix)."""
    best = ""
    for key in ALLOWED:
        if (module == key or module.startswith(key + ".")) and len(key) > len(best):
            best = key
    return best


# ---------------------------------------------------------------- imports


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_of_ours_is_in_an_import_cycle_lazy_imports_included():
    assert cycles(graph()) == []


def test_every_module_belongs_to_a_concern():
    assert sorted(m for m in modules() if not concern(m)) == []


def test_imports_only_go_down_between_concerns():
    wrong = []
    for path in our_files():
        for imp in imports_of(path):
            src, dst = concern(imp.source), concern(imp.target)
            if src == dst or "*" in ALLOWED[src] or dst in ALLOWED[src]:
                continue
            wrong.append(f"{imp.source}:{imp.line} imports {imp.target}")
    assert wrong == []


def test_nothing_but_the_command_line_imports_the_mirror():
    users = {
        imp.source
        for path in our_files()
        for imp in imports_of(path)
        if imp.target.split(".")[0] == "mirror" and concern(imp.source) != "mirror"
    }
    assert users <= {"corpus.cli"}


_WHY = re.compile(r"#(?:\s*noqa:?\s*[A-Z0-9, ]+)?\s*[-–—:]?\s*(.*)$")


def test_an_import_inside_a_function_says_why():
    """A lazy import is allowed only with a comment giving a reason (a bare noqa is not one)."""
    silent = []
    for path in our_files():
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            lazy = [
                n
                for n in ast.walk(func)
                if isinstance(n, ast.Import | ast.ImportFrom)
                and (n.module if isinstance(n, ast.ImportFrom) else "x") is not None
            ]
            if not lazy:
                continue
            reasons = []
            for node in lazy:
                text = "\n".join(lines[node.lineno - 1 : node.end_lineno])
                comment = text[text.index("#") :] if "#" in text else ""
                match = _WHY.match(comment)
                reasons.append(bool(match and re.search(r"\w{2,}", match.group(1))))
            if not any(reasons):
                silent.append(f"{module_name(path)}.{func.name}:{lazy[0].lineno}")
    assert silent == []


# ---------------------------------------------------------------- dependencies

# Distribution name → the name it is imported by, where they differ.
IMPORT_NAME = {
    "scrapy": "scrapy",
    "python-docx": "docx",
    "pyyaml": "yaml",
    "sqlite-utils": "sqlite_utils",
    "datasette-atom": "datasette_atom",
    "pypdf": "pypdf",
    "markupsafe": "markupsafe",
    "twisted": "twisted",
}
# Declared, never imported: Datasette loads its plugins through entry points, uvicorn picks up
# uvloop and httptools by itself. Each is named in pyproject.toml with that reason.
LOADED_NOT_IMPORTED = {"datasette-block-robots", "uvloop", "httptools"}


def _dist_name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip().lower()


def _third_party(paths: list[Path]) -> set[str]:
    stdlib = set(sys.stdlib_module_names)
    found = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in stdlib and top not in OURS and top != "__future__":
                    found.add(top)
    return found


def _declared() -> tuple[set[str], dict[str, set[str]]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_dist_name(r) for r in project["dependencies"]}
    extras = {k: {_dist_name(r) for r in v} for k, v in project["optional-dependencies"].items()}
    return runtime, extras


def _as_imported(dists: set[str]) -> set[str]:
    return {IMPORT_NAME.get(d, d.replace("-", "_")) for d in dists - LOADED_NOT_IMPORTED}


def test_the_runtime_dependencies_are_exactly_what_crawler_and_corpus_import():
    runtime, _ = _declared()
    code = [p for top in ("corpus", "crawler") for p in (ROOT / top).rglob("*.py")]
    assert _third_party(code) == _as_imported(runtime)


def test_the_mirror_extra_is_exactly_what_the_mirror_adds():
    runtime, extras = _declared()
    mirror = _third_party(list((ROOT / "mirror").rglob("*.py")))
    assert mirror - _as_imported(runtime) == _as_imported(extras["mirror"])


def test_the_mirror_is_not_in_the_wheel():
    found = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert found["packages"]["find"]["include"] == ["crawler*", "corpus*"]


# ---------------------------------------------------------------- the repository stands alone

# Files outside the repository that earlier text leaned on. Only tests/real/ may say where the
# real pages are found (it reads them when they are there).
OUTSIDE = re.compile(
    r"\.\./shared|/shared/|shared/research|SITES\.md|SOURCES\.md|DOMAIN\.md|STYLE\.md|research §"
)


# What the repository holds (walked, not asked of git: the fast lane starts no process).
TOP = ("corpus", "crawler", "mirror", "tests", "bench", "docs", "sites", ".ci")
TOP_FILES = ("README.md", "Makefile", "pyproject.toml", "scrapy.cfg", "metadata.yml")
SKIP_DIRS = {"__pycache__", ".pytest_cache", ".ruff_cache"}


def _tracked() -> list[Path]:
    found = [ROOT / name for name in TOP_FILES if (ROOT / name).is_file()]
    for top in TOP:
        for path in (ROOT / top).rglob("*"):
            if path.is_file() and not SKIP_DIRS & set(path.relative_to(ROOT).parts):
                found.append(path)
    return sorted(found)


@pytest.mark.parametrize("pattern", ["../shared/x", "see SITES.md", "DOMAIN.md", "research §4"])
def test_the_outside_pattern_catches_citations(pattern):
    assert OUTSIDE.search(pattern)


def test_no_file_cites_a_file_outside_the_repository():
    allowed = {ROOT / "tests" / "real" / "__init__.py", Path(__file__)}
    cited = []
    for path in _tracked():
        if path in allowed or path.suffix in {".png", ".pdf", ".docx", ".ico", ".db"}:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                cited.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert cited == []
