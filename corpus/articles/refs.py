"""References to articles in any text: 《江西省…办法》第十二条, and 本办法第十二条.

Pure: a text in, the places it cites an article out. The site links each one to the article
when the document is in the library (corpus/site/pages.py); the text itself stays text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.articles.numbers import NUMERAL, to_int

# 《title》, an optional （文号） or 〔…〕 after it, then 第N条 (之一 is not linked: rare, and a
# link to 第N条 would be wrong)
_CITED = re.compile(
    rf"《(?P<title>[^《》\n]{{2,100}})》(?:[（(][^（）()\n]{{1,40}}[）)])?"
    rf"(?P<number>第\s*(?P<n>{NUMERAL})\s*条)(?!之)"
)
_OWN = re.compile(
    rf"本(?:办法|规定|细则|实施细则|条例|规则|规程|决定|意见|措施|制度|准则|标准)"
    rf"(?P<number>第\s*(?P<n>{NUMERAL})\s*条)(?!之)"
)


@dataclass(frozen=True)
class Reference:
    """Where ``text[start:end]`` cites article ``value`` of ``title`` ("" for its own text)."""

    start: int
    end: int
    title: str  # the title as quoted, spaces removed; "" for 本办法第N条
    value: int


def references(text: str | None) -> list[Reference]:
    """Every 《title》第N条 and 本办法第N条 in ``text``, in order."""
    if not text or "条" not in text:
        return []
    out = []
    for m in _CITED.finditer(text):
        value = to_int(m["n"])
        if value:
            title = re.sub(r"\s+", "", m["title"])
            out.append(Reference(m.start(), m.end(), title, value))
    for m in _OWN.finditer(text):
        value = to_int(m["n"])
        if value:
            out.append(Reference(m.start("number"), m.end(), "", value))
    return sorted(out, key=lambda r: r.start)
