"""Government Chinese: numerals, dates, 文号 spellings, titles and the sentences bodies are made of.

Every function takes the ``random.Random`` it may draw from, so the world is reproducible.
"""

from __future__ import annotations

import random
from datetime import date

from . import vocab

_DIGITS = "〇一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五 (for 第N条 and 第N章)."""
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + _DIGITS[rest] if rest < 10 else cn_number(rest))
    return _DIGITS[n // 100] + "百" + tail


def cn_date(d: date, zero: str = "〇") -> str:
    """二〇二三年五月十一日, with ``zero`` as the character written for 0 in the year."""
    year = "".join(_DIGITS[int(c)] for c in str(d.year)).replace("〇", zero)
    return f"{year}年{cn_number(d.month)}月{cn_number(d.day)}日"


def ymd(d: date) -> str:
    """2023年5月11日."""
    return f"{d.year}年{d.month}月{d.day}日"


def signature_date(rng: random.Random, d: date) -> str:
    """A signature date as offices type it: Arabic, or Chinese numerals with 〇, ○ or Ｏ."""
    roll = rng.random()
    if roll < 0.55:
        return ymd(d)
    if roll < 0.8:
        return cn_date(d, "〇")
    if roll < 0.92:
        return cn_date(d, "○")
    return cn_date(d, "Ｏ")


_FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
_BRACKETS = [("〔", "〕"), ("[", "]"), ("﹝", "﹞"), ("［", "］"), ("【", "】"), ("（", "）")]


def number_spelling(rng: random.Random, code: str, year: int, n: int, loose: float = 0.35) -> str:
    """A 文号 as a page may show it; canonical ``{code}〔{year}〕{n}号`` most of the time."""
    if rng.random() >= loose:
        return f"{code}〔{year}〕{n}号"
    roll = rng.random()
    if roll < 0.55:
        left, right = rng.choice(_BRACKETS[1:])
        return f"{code}{left}{year}{right}{n}号"
    if roll < 0.7:
        return f"{code}〔{year}〕{n}号".translate(_FULLWIDTH_DIGITS)
    if roll < 0.85:
        return f"{code}〔{year}〕{n} 号"
    return f"{code}{year}年{n}号"


def order_number(rng: random.Random, n: int) -> str:
    """江西省人民政府令第N号, sometimes with full-width digits."""
    raw = f"江西省人民政府令第{n}号"
    return raw.translate(_FULLWIDTH_DIGITS) if rng.random() < 0.1 else raw


def topic_phrase(topic: str) -> str:
    """The topic as the object of 加强…工作 (no doubled 工作)."""
    return topic if topic.endswith("工作") else topic + "工作"


def inner_title(rng: random.Random, topic: str) -> tuple[str, str, bool]:
    """The title of a printed measure (江西省…管理办法), the word it calls itself, and 暂行/试行."""
    if topic.endswith(("管理", "实施")):
        kinds = [("办法", "本办法"), ("暂行办法", "本办法"), ("细则", "本细则"), ("规定", "本规定")]
    else:
        kinds = [
            ("管理办法", "本办法"),
            ("管理办法（试行）", "本办法"),
            ("实施细则", "本细则"),
            ("管理规定", "本规定"),
            ("工作规程", "本规程"),
        ]
    name, self_word = rng.choice(kinds)
    provisional = "暂行" in name or "试行" in name
    return f"江西省{topic}{name}", self_word, provisional


def notice_title(rng: random.Random, issuer: str, topic: str) -> tuple[str, str]:
    """A notice or opinion title (not a 印发 notice), and the word the text calls itself."""
    forms = [
        (f"{issuer}关于进一步加强{topic_phrase(topic)}的通知", "本通知"),
        (f"{issuer}关于规范{topic}有关事项的通知", "本通知"),
        (f"{issuer}关于推进{topic}高质量发展的实施意见", "本意见"),
        (f"{issuer}关于支持{topic}的若干措施", "本措施"),
    ]
    return rng.choice(forms)


def article_label(n: int) -> str:
    """第N条 with the full-width space offices put after it."""
    return f"第{cn_number(n)}条　"


def fill(template: str, topic: str, org: str) -> str:
    """A vocabulary sentence with the topic and organisation put in."""
    return template.format(t=topic, org=org, n="")


def measure_articles(
    rng: random.Random, topic: str, law: str, org: str, self_word: str
) -> tuple[list[str], int]:
    """The chapter headings and articles of a measure without its final article, and that
    final article's number."""
    lines: list[str] = []
    n = 1
    chaptered = rng.random() < 0.6
    middle = rng.sample(vocab.CHAPTERS_MIDDLE, rng.randint(1, 2))
    chapters = ["总则", *middle, "监督管理", "法律责任", "附则"] if chaptered else [None]
    general = rng.sample(
        vocab.ARTICLE_SENTENCES, len(vocab.ARTICLE_SENTENCES)
    )  # drawn without repeats
    for ci, chapter in enumerate(chapters, 1):
        if chapter:
            lines.append(f"第{cn_number(ci)}章　{chapter}")
        if chapter in ("总则", None):
            purpose = rng.choice(vocab.PURPOSES).format(t=topic)
            lines.append(
                f"{article_label(n)}为了{purpose}，根据《{law}》等法律法规，结合本省实际，制定{self_word}。"
            )
            lines.append(
                f"{article_label(n + 1)}{self_word}适用于本省行政区域内{topic}及其监督管理活动。"
            )
            lines.append(
                f"{article_label(n + 2)}{topic}工作坚持{rng.choice(vocab.PRINCIPLES)}的原则。"
            )
            n += 3
        if chapter == "法律责任":
            drawn = rng.sample(vocab.LIABILITY_SENTENCES, rng.randint(2, 3))
        elif chapter == "附则":
            drawn = [rng.choice(vocab.SUPPLEMENT_SENTENCES)]
        else:
            count = rng.randint(2, 3) if chapter else rng.randint(4, 7)
            drawn, general = general[:count], general[count:]
        for sentence in drawn:
            lines.append(article_label(n) + fill(sentence.replace("本办法", self_word), topic, org))
            n += 1
    return lines, n


def notice_paragraphs(rng: random.Random, topic: str) -> list[str]:
    """The numbered sections of a notice or opinion."""
    lines = [rng.choice(vocab.NOTICE_OPENINGS).format(t=topic)]
    items = rng.sample(vocab.NOTICE_ITEMS, len(vocab.NOTICE_ITEMS))
    for heading in rng.choice(vocab.NOTICE_HEADINGS):
        lines.append(heading)
        for k in range(1, rng.randint(2, 3) + 1):
            if not items:
                break
            lines.append(items.pop().format(n=cn_number(k), t=topic))
    return lines


def interpretation_sections(rng: random.Random, topic: str, org: str) -> list[str]:
    """The headed sections of an interpretation."""
    count = rng.randint(2, len(vocab.INTERP_SECTIONS))
    lines = []
    for heading, text in vocab.INTERP_SECTIONS[:count]:
        lines.append(heading)
        lines.append(text.format(t=topic, org=org))
    return lines
