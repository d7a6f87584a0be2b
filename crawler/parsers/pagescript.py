"""What a page shows once its own small scripts have run, and which of its elements are hidden.

Government templates fill in some values with a few lines of inline script rather than in the
HTML: Beijing's TRS template rewrites ``[有效性] <span>是</span>`` to 现行有效 (``if($(".yxx
span").html()=="是"){$(".yxx span").html("现行有效");}``), Chongqing's sets ``<span
id="yxxVal">`` from a 废止 date that is empty (``if(fzTime != ""){…}else{$('#yxxVal').html('有效')}``)
and writes its 发布机构 cell with ``document.write``, Guiyang's writes ``'发布时间：' + pubdata``.
Fujian's avalon template keeps four 有效性 rows, all ``display:none``, of which
``ms-visible='"02"=="02"'`` shows one; Hangzhou's hides its disclosure table with an inline
``display:none`` that its own stylesheet overrides (``#xxgkhide{display:block !important}``).

Rather than a rule per template, this module runs the statements such scripts are made of, on the
data the page itself holds: string variables, string comparisons (``==``, ``!=``, ``||``, ``&&``),
``if``/``else`` chains whose condition can be decided, jQuery ``$(sel).html(v)`` / ``.text(v)``,
``getElementById(id).innerHTML = v`` and ``document.write(v)``. A condition it cannot decide (a
date compared with today, a method call) runs neither branch: nothing is guessed. Loops and event
handlers are never run. Pure functions over an lxml tree (no clock, no I/O).
"""

from __future__ import annotations

import bisect
import copy
import html as html_lib
import re
from collections.abc import Iterator

import lxml.html
from cssselect import GenericTranslator, SelectorError
from lxml import etree

_MAX_SCRIPT = 40_000  # an inline script longer than this is a library, not a template's glue
_WORTH_RUNNING = re.compile(r"\.(?:html|text)\s*\(\s*[^)\s]|innerHTML|innerText|document\.write")
_START = re.compile(
    r"""\bif\s*\(|\b(?:for|while|switch)\s*\(|\bfunction\b[^(]*\(|"""
    r"""\bvar\s+(?P<var>[A-Za-z_$][\w$]*)\s*=(?!=)|"""
    r"""(?<![\w.$])(?P<assign>[A-Za-z_$][\w$]*)\s*=(?![=>])|"""
    r"""(?:\$|jQuery)\(\s*(?P<q>['"])(?P<sel>.*?)(?P=q)\s*\)\s*\.\s*(?P<set>html|text)\s*\(|"""
    r"""document\.getElementById\(\s*(?P<q2>['"])(?P<id>.*?)(?P=q2)\s*\)\s*\.\s*"""
    r"""(?P<prop>innerHTML|innerText|textContent)\s*=(?!=)|"""
    r"""document\.write(?:ln)?\s*\("""
)
_READY = re.compile(r"(?:(?:\$|jQuery)\(\s*|ready\(\s*|DOMContentLoaded['\"]\s*,\s*)$")
_CLOSERS = {"(": ")", "[": "]", "{": "}"}


# ---------------------------------------------------------------- scanning JS text


def _skip_string(src: str, i: int) -> int:
    """The index after the string literal that starts at ``src[i]`` (a quote)."""
    quote = src[i]
    i += 1
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == quote:
            return i + 1
        if c == "\n" and quote != "`":
            return i
        i += 1
    return i


def _skip_comment(src: str, i: int) -> int:
    """The index after a comment at ``src[i]`` (``//…`` or ``/*…*/``), else ``i``."""
    if src.startswith("//", i):
        end = src.find("\n", i)
        return len(src) if end < 0 else end
    if src.startswith("/*", i):
        end = src.find("*/", i + 2)
        return len(src) if end < 0 else end + 2
    return i


def _match(src: str, i: int) -> int:
    """The index after the bracket that closes the one at ``src[i]``."""
    stack = [_CLOSERS[src[i]]]
    i += 1
    while i < len(src) and stack:
        c = src[i]
        if c in "'\"`":
            i = _skip_string(src, i)
            continue
        j = _skip_comment(src, i)
        if j != i:
            i = j
            continue
        if c in _CLOSERS:
            stack.append(_CLOSERS[c])
        elif c == stack[-1]:
            stack.pop()
        i += 1
    return i


def _statement_end(src: str, i: int) -> int:
    """The index after the statement that starts at ``i`` (its ``;``, a line end, or a block)."""
    while i < len(src):
        c = src[i]
        if c in "'\"`":
            i = _skip_string(src, i)
        elif c in _CLOSERS:
            i = _match(src, i)
        elif c in ";\n}":
            return i + (c != "}")
        else:
            i += 1
    return i


def _skip_space(src: str, i: int) -> int:
    while True:
        while i < len(src) and src[i].isspace():
            i += 1
        j = _skip_comment(src, i)
        if j == i:
            return i
        i = j


def _split_top(expr: str, ops: tuple[str, ...]) -> list[str] | None:
    """``expr`` split at top-level occurrences of the first of ``ops`` it holds (None: none)."""
    for op in ops:
        parts, depth, start, i = [], 0, 0, 0
        while i < len(expr):
            c = expr[i]
            if c in "'\"`":
                i = _skip_string(expr, i)
                continue
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
            elif depth == 0 and expr.startswith(op, i):
                # '==' must not be read inside '===' / '!=='; '+' not inside '++' or '+='
                prev, nxt = expr[i - 1 : i], expr[i + len(op) : i + len(op) + 1]
                if op in ("==", "!=") and (nxt == "=" or prev in "=!<>"):
                    i += 1
                    continue
                if op == "+" and (nxt in "+=" or prev == "+"):
                    i += 1
                    continue
                parts.append(expr[start:i])
                start = i + len(op)
                i = start
                continue
            i += 1
        if parts:
            return [*parts, expr[start:]]
    return None


# ---------------------------------------------------------------- evaluating


class _Page:
    """The tree a script acts on and the variables it has set."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.env: dict[str, str | None] = {}
        self.written: list[str] = []  # what the running script has passed to document.write

    def select(self, css: str) -> list[etree._Element]:
        try:
            xpath = GenericTranslator().css_to_xpath(css)
        except SelectorError:
            return []
        found = self.root.xpath(xpath)
        return [el for el in found if isinstance(el, etree._Element)]

    def value(self, expr: str) -> str | None:
        """The string ``expr`` evaluates to, or None when it cannot be known."""
        expr = expr.strip()
        while expr.startswith("(") and _match(expr, 0) == len(expr):
            expr = expr[1:-1].strip()
        parts = _split_top(expr, ("+",))
        if parts is not None:
            values = [self.value(p) for p in parts]
            return None if any(v is None for v in values) else "".join(values)  # type: ignore[arg-type]
        if expr[:1] in "'\"`" and _skip_string(expr, 0) == len(expr):
            return _unescape_js(expr[1:-1])
        if re.fullmatch(r"-?\d+(?:\.\d+)?", expr):
            return expr
        if re.fullmatch(r"[A-Za-z_$][\w$]*", expr):
            return self.env.get(expr)
        m = re.fullmatch(
            r"""(?:\$|jQuery)\(\s*(['"])(.*?)\1\s*\)\s*\.\s*(html|text)\s*\(\s*\)""", expr
        )
        if m:
            found = self.select(m[2])
            if not found:
                return ""
            return _inner_html(found[0]) if m[3] == "html" else "".join(found[0].itertext())
        return None

    def truth(self, cond: str) -> bool | None:
        """Whether ``cond`` holds; None when it cannot be decided."""
        cond = cond.strip()
        while cond.startswith("(") and _match(cond, 0) == len(cond):
            cond = cond[1:-1].strip()
        parts = _split_top(cond, ("||",))
        if parts is not None:
            values = [self.truth(p) for p in parts]
            if True in values:
                return True
            return None if None in values else False
        parts = _split_top(cond, ("&&",))
        if parts is not None:
            values = [self.truth(p) for p in parts]
            if False in values:
                return False
            return None if None in values else True
        for op, equal in (("===", True), ("!==", False), ("==", True), ("!=", False)):
            parts = _split_top(cond, (op,))
            if parts is not None and len(parts) == 2:
                left, right = self.value(parts[0]), self.value(parts[1])
                if left is None or right is None:
                    return None
                return (left == right) == equal
        if cond.startswith("!") and not cond.startswith("!="):
            inner = self.truth(cond[1:])
            return None if inner is None else not inner
        value = self.value(cond)
        return None if value is None else value not in ("", "0")


def _unescape_js(s: str) -> str:
    """A JS string literal's text: ``\\'`` and ``\\uXXXX`` escapes resolved."""
    s = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), s)
    return re.sub(r"\\(.)", r"\1", s)


def _inner_html(el: etree._Element) -> str:
    inner = (el.text or "") + "".join(
        etree.tostring(child, encoding="unicode", with_tail=True) for child in el
    )
    return html_lib.unescape(inner).strip()


def _fragment(markup: str) -> list[etree._Element | str]:
    """HTML ``markup`` as its leading text and elements, ready to be put into a tree."""
    holder = lxml.html.fragment_fromstring(markup or "", create_parent="div")
    return [holder.text or "", *holder]


def _set_content(el: etree._Element, markup: str, as_text: bool) -> None:
    for child in list(el):
        el.remove(child)
    if as_text:
        el.text = markup
        return
    text, *children = _fragment(markup)
    el.text = text  # type: ignore[assignment]
    for child in children:
        el.append(child)  # type: ignore[arg-type]


def _write_after(script: etree._Element, markup: str) -> None:
    """Put what a script passed to ``document.write`` where it stands, before the text after it."""
    if script.getparent() is None or not markup:
        return
    text, *children = _fragment(markup)
    after = script.tail or ""
    script.tail = text  # type: ignore[assignment]
    anchor = script
    for child in children:
        anchor.addnext(child)  # type: ignore[arg-type]
        anchor = child  # type: ignore[assignment]
    anchor.tail = (anchor.tail or "") + after


# String literals and comments of a script: statement starts inside them are not statements.
_OPAQUE = re.compile(
    r"""'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`|//[^\n]*|/\*.*?\*/""", re.S
)


def _opaque_spans(src: str) -> tuple[list[int], list[int]]:
    """The starts and ends of the strings and comments of ``src``, in order."""
    spans = [m.span() for m in _OPAQUE.finditer(src)]
    return [a for a, _ in spans], [b for _, b in spans]


def _next_start(src: str, i: int, spans: tuple[list[int], list[int]]) -> re.Match[str] | None:
    """The next statement start at or after ``i`` that is not inside a string or a comment."""
    starts, ends = spans
    while True:
        m = _START.search(src, i)
        if not m:
            return None
        k = bisect.bisect_right(starts, m.start()) - 1
        if k < 0 or ends[k] <= m.start():
            return m
        i = ends[k]


def _run(src: str, page: _Page, script: etree._Element) -> None:
    """Run the statements of ``src`` this module knows, in order; skip everything else."""
    i = 0
    spans = _opaque_spans(src)
    while True:
        m = _next_start(src, i, spans)
        if not m:
            return
        word = m[0]
        i = m.end()
        if word.startswith("if"):
            i = _run_if(src, m.end() - 1, page, script)
        elif word.startswith(("for", "while", "switch")):
            i = _skip_block(src, m.end() - 1)
        elif word.startswith("function"):
            # An event handler never runs by itself; a ready handler (``$(function(){…})``) does.
            body_from = _match(src, m.end() - 1)
            if not _READY.search(src[max(0, m.start() - 40) : m.start()]):
                i = _skip_block(src, body_from, has_paren=False)
            else:
                i = body_from
        elif m["var"] or m["assign"]:
            end = _statement_end(src, m.end())
            page.env[m["var"] or m["assign"]] = page.value(src[m.end() : end].rstrip(";"))
            i = end
        elif m["set"]:
            end = _match(src, m.end() - 1)
            arg = src[m.end() : end - 1]
            if arg.strip():  # a getter used in an expression sets nothing
                value = page.value(arg)
                if value is not None:
                    for el in page.select(m["sel"]):
                        _set_content(el, value, as_text=m["set"] == "text")
            i = end
        elif m["id"]:
            end = _statement_end(src, m.end())
            value = page.value(src[m.end() : end].rstrip(";"))
            if value is not None:
                for el in page.root.iter():
                    if isinstance(el.tag, str) and el.get("id") == m["id"]:
                        _set_content(el, value, as_text=m["prop"] != "innerHTML")
                        break
            i = end
        else:  # document.write(…)
            end = _match(src, m.end() - 1)
            value = page.value(src[m.end() : end - 1])
            if value is not None:
                page.written.append(value)
            i = end


def _skip_block(src: str, i: int, has_paren: bool = True) -> int:
    """The index after ``(…) {…}`` (or ``{…}``, or a single statement) starting at ``i``."""
    if has_paren and i < len(src) and src[i] == "(":
        i = _match(src, i)
    i = _skip_space(src, i)
    if i < len(src) and src[i] == "{":
        return _match(src, i)
    return _statement_end(src, i)


def _run_if(src: str, paren: int, page: _Page, script: etree._Element) -> int:
    """Run the branch of an ``if (…) … else if (…) … else …`` chain its conditions choose."""
    branches: list[tuple[str | None, str]] = []  # (condition or None for else, body)
    i = paren
    while True:
        close = _match(src, i)
        cond = src[i + 1 : close - 1]
        body_start = _skip_space(src, close)
        body_end = _skip_block(src, body_start, has_paren=False)
        branches.append((cond, _body(src, body_start, body_end)))
        i = _skip_space(src, body_end)
        if not src.startswith("else", i):
            break
        j = _skip_space(src, i + 4)
        if src.startswith("if", j) and _skip_space(src, j + 2) < len(src):
            k = _skip_space(src, j + 2)
            if src[k : k + 1] == "(":
                i = k
                continue
        else_end = _skip_block(src, j, has_paren=False)
        branches.append((None, _body(src, j, else_end)))
        i = else_end
        break
    for cond, body in branches:
        holds = True if cond is None else page.truth(cond)
        if holds is None:
            break  # undecidable: no branch runs
        if holds:
            _run(body, page, script)
            break
    return i


def _body(src: str, start: int, end: int) -> str:
    text = src[start:end]
    return text[1:-1] if text.startswith("{") and text.endswith("}") else text


def run_inline_scripts(root: etree._Element) -> None:
    """Apply to ``root`` what its inline scripts do to the page that we can know without a browser."""
    page = _Page(root)
    for script in list(root.iter("script")):
        src = script.text or ""
        if script.get("src") or len(src) > _MAX_SCRIPT or not _WORTH_RUNNING.search(src):
            # Still learn its string variables: a later script may test them.
            if "var " in src and len(src) <= _MAX_SCRIPT and not script.get("src"):
                for m in re.finditer(r"\bvar\s+([A-Za-z_$][\w$]*)\s*=\s*(['\"])(.*?)\2\s*;", src):
                    page.env.setdefault(m[1], _unescape_js(m[3]))
            continue
        page.written = []
        _run(src, page, script)
        _write_after(script, "".join(page.written))


# ---------------------------------------------------------------- visibility

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SHOW_RULE = re.compile(r"([^{}]+)\{[^{}]*display\s*:\s*(?!none)[a-z-]+\s*!important[^{}]*\}", re.I)
_VISIBLE_IF = ("ms-visible", "v-show", "ng-show", "x-show", "ms-if", "v-if", "ng-if")


def _without_print_rules(css: str) -> str:
    """``css`` without its ``@media print { … }`` blocks."""
    out, i = [], 0
    for m in re.finditer(r"@media\s+print[^{]*\{", css, re.I):
        if m.start() < i:
            continue
        out.append(css[i : m.start()])
        depth, j = 1, m.end()
        while j < len(css) and depth:
            depth += {"{": 1, "}": -1}.get(css[j], 0)
            j += 1
        i = j
    out.append(css[i:])
    return "".join(out)


def _unhidden_by_stylesheet(root: etree._Element) -> set[str]:
    """``#id`` and ``.class`` selectors that the page's own stylesheet shows with ``!important``.

    Rules inside ``@media print`` are left out: a printout is not the page.
    """
    shown: set[str] = set()
    for style in root.iter("style"):
        css = style.text or ""
        if "important" not in css:
            continue
        css = _without_print_rules(re.sub(r"/\*.*?\*/", "", css, flags=re.S))
        for m in _SHOW_RULE.finditer(css):
            for selector in m[1].split(","):
                last = selector.strip().split()[-1:] if selector.strip() else []
                if last and re.fullmatch(r"[#.][\w-]+", last[0]):
                    shown.add(last[0])
    return shown


def _literal_test(expr: str) -> bool | None:
    """A binding expression that only compares literals (``"02"=="02"``), decided; else None."""
    if not re.fullmatch(
        r"""\s*(?:(['"]).*?\1|\d+)\s*(?:===?|!==?)\s*(?:(['"]).*?\2|\d+)\s*""", expr
    ):
        return None
    return _Page(etree.Element("div")).truth(expr)


_MAY_HIDE = etree.XPath(
    "//*[@style or @hidden or @ms-visible or @v-show or @ng-show or @x-show or @ms-if or @v-if"
    " or @ng-if]"
)


def hidden_elements(root: etree._Element) -> Iterator[etree._Element]:
    """Elements the page does not show: hidden by an inline style or the ``hidden`` attribute
    (unless its own stylesheet shows their id or class with ``!important``), or by a visibility
    binding that compares literals and is false (``ms-visible='"02"=="01"'``). A binding that is
    true shows an element its inline style hides (avalon shows the matching alternative)."""
    shown: set[str] | None = None
    for el in _MAY_HIDE(root):
        if el.tag in ("html", "body"):
            continue  # a whole page hidden until its scripts load (gkmlpt) is shown by them
        verdict = None
        for attr in _VISIBLE_IF:
            if el.get(attr) is not None:
                verdict = _literal_test(el.get(attr, ""))
                if verdict is not None:
                    break
        if verdict is True:
            continue
        if verdict is False:
            yield el
            continue
        if _HIDDEN_STYLE.search(el.get("style", "")) or el.get("hidden") is not None:
            if shown is None:
                shown = _unhidden_by_stylesheet(root)
            keys = {f"#{el.get('id')}"} if el.get("id") else set()
            keys |= {f".{c}" for c in (el.get("class") or "").split()}
            if not keys & shown:
                yield el


def remove_keeping_tail(el: etree._Element) -> None:
    """Remove ``el`` from its tree, keeping the text that follows it (lxml keeps that text in
    ``el.tail``, which a plain ``remove`` would throw away)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def drop_hidden(root: etree._Element) -> list[etree._Element]:
    """Remove from ``root`` (in place) the elements :func:`hidden_elements` finds, keeping the
    text after each; returns them."""
    found = list(hidden_elements(root))
    for el in found:
        remove_keeping_tail(el)
    return found


def without_hidden(root: etree._Element) -> etree._Element:
    """A copy of ``root`` without the elements :func:`hidden_elements` finds."""
    clone = copy.deepcopy(root)
    drop_hidden(clone)
    return clone
