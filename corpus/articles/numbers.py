"""Chinese numerals as lawyers write them: 第十二条, 第一百零五条, 第二十条之一, 第１２条."""

from __future__ import annotations

import re
from functools import lru_cache

_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "○": 0, "两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_WIDE = str.maketrans("０１２３４５６７８９", "0123456789")
# A numeral: Chinese (零〇一二两…十百千) or digits in either width.
NUMERAL = r"[零〇○一二两三四五六七八九十百千0-9０-９]+"
_NUMERAL_RX = re.compile(rf"^{NUMERAL}$")


@lru_cache(maxsize=4096)  # the same few numerals in every document
def to_int(numeral: str) -> int | None:
    """一 → 1, 十二 → 12, 一百零五 → 105, 二〇 → 20, １２ → 12; None for anything else."""
    if not numeral or not _NUMERAL_RX.match(numeral):
        return None
    digits = numeral.translate(_WIDE)
    if digits.isdigit():
        return int(digits)
    if any(c.isdigit() for c in digits):
        return None
    total, current = 0, None
    for ch in numeral:
        if ch in _DIGITS:
            # 二〇 (digit by digit, as a year is written) reads as 20
            current = _DIGITS[ch] if current is None else current * 10 + _DIGITS[ch]
        else:
            total += (1 if current is None else current) * _UNITS[ch]
            current = None
    return total + (current or 0)


_CN = "零一二三四五六七八九"


def to_chinese(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五 (how 第N款 is written)."""
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n % 10] if n % 10 else "")
    if n < 100:
        return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + _CN[rest] if rest < 10 else to_chinese(rest))
    if rest and 10 <= rest < 20:
        tail = "一" + tail  # 一百一十二
    return _CN[n // 100] + "百" + tail if n < 1000 else str(n)
