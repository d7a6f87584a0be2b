"""How text becomes index tokens, and how a piece of text becomes the phrase that finds it.

The index is plain FTS5 with the stock ``unicode61`` tokenizer; the Chinese is handled by how the
text is written into it (``index_text``). Each run of Han (or other unspaced) characters becomes
overlapping bigrams plus its last character where the run goes on into a letter, digit or
bracket: 生态环境 → ``生态 态环 环境``. ``phrase`` turns what a user looks for into the same
tokens, so a query of two or more characters matches exactly where the text contains it as a
substring. Latin letters and digits stay whole words, full-width forms are folded to ASCII, and
punctuation separates tokens. Both sides live here because each is only right with the other.
"""

from __future__ import annotations

import operator
import re

import rjieba

from corpus.store.normalize import canonical_doc_number, to_halfwidth

# jieba HMM off: deterministic cuts, and the same words as jieba's own dictionary gives, which
# is what its keyword weights (corpus/search/keywords.py) were made for.
HMM = False

# Runs of ASCII letters/digits, or of other letters/digits (Han, kana, 〇 …), after folding
# full-width forms; everything else separates tokens, as it does for unicode61.
_RUN = re.compile(r"[0-9A-Za-z]+|[^\W_0-9A-Za-z]+")
# Where a Han run's last character is kept as a token of its own: before a letter or digit
# (赣府厅字2022年, 浓度PM2.5) or an opening bracket (赣府厅字〔2022〕), so a 文号's phrase runs on
# into what follows in every bracket spelling; and before a closing mark (管理办法》 is not
# 管理办法实施细则). Before clause punctuation (，。、：；), a space or the end — nine run ends in
# ten — it is left out: the index is a tenth smaller (bench/README.md) and a query never needs it
# there, except a lone character (``index_text`` keeps those as tail tokens).
ANCHORS = "0-9A-Za-z〔\\[(（﹝【［》〉」』”’）)〕\\]﹞】］"
_ANCHOR = re.compile(f"[{ANCHORS}]")
_RUN_AND_NEXT = re.compile(rf"([0-9A-Za-z]+)|([^\W_0-9A-Za-z]+)(?=([{ANCHORS}])?)")
_pair = operator.add


TAIL = "\ue000"  # marks a tail token (a private-use character: no query can type it)


_FULLWIDTH_ALNUM = re.compile(r"[０-９Ａ-Ｚａ-ｚ]+")


def _fold(m: re.Match) -> str:
    return to_halfwidth(m[0])


def index_text(text: str | None) -> str:
    """``text`` as the index stores it: bigrammed runs of Han, whole ASCII words, no punctuation.

    Only full-width letters and digits need folding (full-width punctuation separates tokens
    either way), and they are rare: folding just them is twice as fast as folding the text.
    """
    if not text:
        return ""
    out: list[str] = []
    starts: list[str] = []  # characters that begin a token: a lone one finds them as a prefix
    ends: list[str] = []  # last characters of runs that end without an anchor
    for ascii_run, run, anchor in _RUN_AND_NEXT.findall(_FULLWIDTH_ALNUM.sub(_fold, text)):
        if ascii_run:
            out.append(ascii_run)
        elif len(run) == 1:
            out.append(run)
            starts.append(run)
        else:
            out.append(_BIGRAMS.get(run) or _bigrams(run))
            if anchor:
                out.append(run[-1])
                starts.append(run)
            else:
                ends.append(run[-1])
                starts.append(run[:-1])
    # A character that only ever ends a run here gets one tail token, so that searching for it
    # alone still finds this text (…十年禁渔。): few per text, apart from every phrase.
    if ends:
        began = set("".join(starts))
        out += [TAIL + c for c in dict.fromkeys(ends) if c not in began]
    return " ".join(out)


# A run's bigrams, by run: the same phrases come back in text after text (emptied when full).
_BIGRAMS: dict[str, str] = {}
_BIGRAMS_MAX = 200_000


def _bigrams(run: str) -> str:
    if len(_BIGRAMS) >= _BIGRAMS_MAX:
        _BIGRAMS.clear()
    found = _BIGRAMS[run] = " ".join(map(_pair, run, run[1:]))
    return found


def doc_number_text(doc_number: str | None, doc_number_raw: str | None = "") -> str:
    """The 文号 column of the index: the canonical spelling and the page's own."""
    canonical = canonical_doc_number(doc_number or "") or canonical_doc_number(doc_number_raw)
    spellings = dict.fromkeys(s for s in (canonical, doc_number, doc_number_raw) if s)
    return " ".join(index_text(s) for s in spellings)


def facet_tokens(kind: str | None, status: str | None) -> str:
    """The filter tokens of a row: ``all``, its kind and its status as ASCII codes."""
    return " ".join(["all", filter_code("kind", kind), filter_code("status", status)])


def filter_code(name: str, value: str | None) -> str:
    """One ASCII token for a filter value in any script: the name, then each code point in hex."""
    return name + "".join(f"{ord(c):05x}" for c in (value or "").strip())


def segment(text: str | None) -> list[str]:
    """jieba words (rjieba, HMM off) of ``text``, punctuation and spaces dropped."""
    if not text:
        return []
    return [w for w in rjieba.cut(to_halfwidth(text), HMM) if any(c.isalnum() for c in w)]


def phrase(text: str) -> str | None:
    """An FTS5 phrase that matches exactly where the text contains ``text`` (None: nothing to find).

    A Han run gives its bigrams; where the query shows the run goes on into a letter, digit or
    opening bracket, the run's last character is added, as the index has it there (``ANCHORS``).
    A single Han character at the very end is a prefix (号 → 号*: 号 starts a bigram); alone,
    it is also looked for as a tail token (``index_text``).
    """
    s = to_halfwidth(text)
    tokens: list[str] = []
    prefix = False
    for m in _RUN.finditer(s):
        run = m[0]
        if run.isascii():
            tokens.append(run)
            continue
        at_end = m.end() == len(s)
        if len(run) == 1:
            tokens.append(run)
            prefix = at_end
            continue
        tokens += map(_pair, run, run[1:])
        if _ANCHOR.match(s, m.end()):
            tokens.append(run[-1])
    if not tokens:
        return None
    if prefix and len(tokens) == 1:  # a lone character: a token's start, or a text's tail
        return f'("{tokens[0]}" * OR "{TAIL}{tokens[0]}")'
    return '"' + " ".join(tokens) + '"' + (" *" if prefix else "")
