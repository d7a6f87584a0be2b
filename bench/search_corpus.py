"""A synthetic library of N documents in the mirror's language, and the bench's query set.

Documents reuse the mirror's vocabulary and sentence generators (``mirror.text``, ``mirror.vocab``;
read-only) and add what makes Chinese search hard: organisation names and policy phrases that a
word segmenter cuts differently in different contexts (生态环境保护, 医疗保障局, 加强营商环境,
河长制作为), cross-references to other documents' 文号 in every spelling pages use, full-width
digits, and a little Latin text (PM2.5, 5G). Generation is sequential and deterministic: the
first N documents are the same whatever the corpus size.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import sqlite_utils

from corpus.search.query import parse_query, pieces
from corpus.store.identity import stable_id
from corpus.store.normalize import canonical_doc_number
from corpus.store.schema import ensure_db_shape
from mirror import text, vocab

SEED = 20261127

# (issuer, 文号 codes, site): the mirror's three sites plus the departments a portal library holds.
ISSUERS = [
    ("江西省人民政府", ("赣府发", "赣府字"), "jx-portal"),
    ("江西省人民政府办公厅", ("赣府厅发", "赣府厅字"), "jx-portal"),
    ("江西省农业农村厅", ("赣农规", "赣农字"), "jx-nync"),
    ("江西省生态环境厅", ("赣环规", "赣环法规", "赣环办字"), "jx-sthjt"),
    ("江西省财政厅", ("赣财规", "赣财教"), "jx-portal"),
    ("江西省发展和改革委员会", ("赣发改规", "赣发改字"), "jx-portal"),
    ("江西省人力资源和社会保障厅", ("赣人社发", "赣人社规"), "jx-portal"),
    ("江西省医疗保障局", ("赣医保发", "赣医保规"), "jx-portal"),
    ("江西省教育厅", ("赣教发", "赣教规"), "jx-portal"),
    ("江西省住房和城乡建设厅", ("赣建字", "赣建规"), "jx-portal"),
    ("江西省市场监督管理局", ("赣市监规", "赣市监字"), "jx-portal"),
    ("江西省自然资源厅", ("赣自然资规", "赣自然资字"), "jx-portal"),
    ("江西省交通运输厅", ("赣交规", "赣交运字"), "jx-portal"),
    ("江西省卫生健康委员会", ("赣卫规", "赣卫发"), "jx-portal"),
    ("江西省商务厅", ("赣商务规", "赣商务字"), "jx-portal"),
    ("江西省水利厅", ("赣水规", "赣水字"), "jx-portal"),
    ("江西省民政厅", ("赣民规", "赣民字"), "jx-portal"),
    ("江西省应急管理厅", ("赣应急规", "赣应急字"), "jx-portal"),
    ("江西省林业局", ("赣林规", "赣林字"), "jx-portal"),
    ("江西省科学技术厅", ("赣科发", "赣科规"), "jx-portal"),
    ("江西省司法厅", ("赣司规", "赣司发"), "jx-portal"),
    ("江西省文化和旅游厅", ("赣文旅规", "赣文旅字"), "jx-portal"),
]
SITES = {
    "jx-portal": "江西省人民政府",
    "jx-nync": "江西省农业农村厅",
    "jx-sthjt": "江西省生态环境厅",
}
TOPICS = vocab.RULE_TOPICS + vocab.PORTAL_TOPICS + vocab.NYNC_TOPICS + vocab.STHJT_TOPICS
STATUSES = (
    ("现行有效", 55),
    ("已失效", 15),
    ("已废止", 9),
    ("已修改", 5),
    ("部分失效", 3),
    ("尚未生效", 3),
    ("未知", 10),
)
KINDS = (("normative", 62), ("policy", 33), ("rule", 5))
FIRST, LAST = date(2008, 1, 1), date(2026, 10, 31)

# Sentences that hold the contexts a word index gets wrong (a query that is a substring across a
# word boundary, as 环境 in 营商环境 or 河长 in 河长制), and everyday policy vocabulary, so that 2- to
# 8-character queries have hits in varied contexts.
CONTEXT_SENTENCES = [
    "各地要加强营商环境建设，持续优化营商环境，打造“赣服通”服务品牌。",
    "深入推进生态环境保护督察整改，着力解决突出生态环境问题。",
    "由江西省医疗保障局会同省财政厅负责医疗保障基金监督管理。",
    "全面推行河长制作为水环境治理的重要抓手，落实河湖长制工作责任。",
    "完善城乡居民基本养老保险制度，推进养老保险省级统筹。",
    "统筹做好疫情防控和经济社会发展工作，落实常态化疫情防控措施。",
    "深化“放管服”改革，推行政务服务“一网通办”“跨省通办”。",
    "做好住房公积金归集使用，支持缴存职工租房和购买自住住房。",
    "严格执行行政规范性文件合法性审核机制，定期开展规范性文件清理。",
    "推动PM2.5和臭氧协同控制，加快5G网络和数据中心等新型基础设施建设。",
    "加强耕地保护和高标准农田建设，稳定粮食播种面积和产量。",
    "落实企业职工基本养老保险全国统筹，做好失业保险稳岗返还工作。",
    "强化危险废物全过程环境监管，严厉打击非法转移倾倒危险废物行为。",
    "推进政务公开标准化规范化，及时准确公开政府信息。",
    "加大财政资金统筹力度，优化财政支出结构，提高资金使用绩效。",
    "建立健全社会信用体系，对失信主体依法实施联合惩戒。",
    "加强义务教育阶段学校管理，切实减轻学生过重作业负担。",
    "统筹推进新型城镇化和乡村振兴，促进城乡融合发展。",
    "支持中小企业专精特新发展，落实减税降费和金融纾困政策。",
    "推进长江经济带绿色发展，实施长江十年禁渔。",
    "做好防汛抗旱和地质灾害防治工作，确保人民群众生命财产安全。",
    "完善最低生活保障制度，做好特困人员救助供养。",
    "实施乡村建设行动，持续改善农村人居环境。",
    "加强食品药品安全监管，守住不发生系统性风险的底线。",
    "推动数字政府建设，加快政务数据共享和公共数据开放。",
]
LOCALITIES = ["南昌市", "九江市", "景德镇市", "萍乡市", "新余市", "鹰潭市", "赣州市", "吉安市",
              "宜春市", "抚州市", "上饶市", "赣江新区", "瑞金市", "井冈山市", "庐山市"]  # fmt: skip


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in pairs], weights=[w for _, w in pairs])[0]


def _day(rng: random.Random) -> date:
    return FIRST + timedelta(days=rng.randint(0, (LAST - FIRST).days))


class Generator:
    """Documents one after another; numbers are unique per (code, year), as offices keep them."""

    def __init__(self, seed: int = SEED) -> None:
        self.seed = seed
        self.counters: dict[tuple[str, int], int] = {}
        self.order_no = 100
        self.recent: list[tuple[str, str]] = []  # (inner title, canonical 文号) to cite

    def _number(self, rng: random.Random, code: str, year: int) -> tuple[str, str]:
        n = self.counters.get((code, year), 0) + rng.randint(1, 3)
        self.counters[(code, year)] = n
        raw = text.number_spelling(rng, code, year, n, loose=0.3)
        return f"{code}〔{year}〕{n}号", raw

    def _citation(self, rng: random.Random) -> str:
        inner, canonical = rng.choice(self.recent)
        code, rest = canonical.split("〔")
        year, n = rest.rstrip("号").split("〕")
        spelled = text.number_spelling(rng, code, int(year), int(n), loose=0.5)
        return f"根据《{inner}》（{spelled}）有关规定，结合{rng.choice(LOCALITIES)}实际，抓好贯彻落实。"

    def document(self, i: int) -> dict:
        """The ``i``-th document (call in order: numbers and citations depend on earlier ones)."""
        rng = random.Random(self.seed * 1_000_003 + i)
        issuer, codes, site = rng.choice(ISSUERS)
        topic, law, subject = rng.choice(TOPICS)
        kind = _weighted(rng, KINDS)
        written = _day(rng)
        published = min(written + timedelta(days=rng.randint(0, 14)), LAST)
        inner, self_word, _ = text.inner_title(rng, topic)
        body: list[str] = []
        if kind == "rule":
            self.order_no += 1
            number = raw = f"江西省人民政府令第{self.order_no}号"
            issuer, site, title = "江西省人民政府", "jx-portal", inner
            body.append(f"《{inner}》已经省人民政府常务会议审议通过，现予公布，自公布之日起施行。")
            articles, _ = text.measure_articles(rng, topic, law, issuer, self_word)
            body += articles
        else:
            number, raw = self._number(rng, rng.choice(codes), written.year)
            if kind == "policy" and rng.random() < 0.2:
                number = raw = None  # many policy documents carry no 文号
            body.append(rng.choice(LOCALITIES) + "人民政府，省直有关单位：")
            if rng.random() < 0.55:
                title = f"{issuer}关于印发《{inner}》的通知"
                body.append(f"现将《{inner}》印发给你们，请认真贯彻执行。")
                articles, _ = text.measure_articles(rng, topic, law, issuer, self_word)
                body += articles
            else:
                title, _ = text.notice_title(rng, issuer, topic)
                body += text.notice_paragraphs(rng, topic)
        if rng.random() < 0.6:  # a second theme: real documents wander across policy areas
            body += text.notice_paragraphs(rng, rng.choice(TOPICS)[0])
        body += rng.sample(CONTEXT_SENTENCES, rng.randint(3, 7))
        if self.recent and rng.random() < 0.6:
            body.append(self._citation(rng))
        body += [issuer, text.signature_date(rng, written)]
        if number and "〔" in number:
            self.recent.append((inner, number))
            if len(self.recent) > 500:
                self.recent.pop(0)
        return {
            "id": stable_id(f"http://bench.example/art/{i}.html"),
            "url": f"http://bench.example/art/{i}.html",
            "site": site,
            "kind": kind,
            "title": title,
            "doc_number": canonical_doc_number(number) if number else None,
            "doc_number_raw": raw or "",
            "issuer": issuer,
            "written_date": written.isoformat(),
            "published_date": published.isoformat(),
            "year": written.year,
            "subject": subject,
            "status": _weighted(rng, STATUSES),
            "body_text": "\n".join(body),
        }

    def interpretation(self, i: int, doc: dict) -> dict:
        """An interpretation of ``doc``."""
        rng = random.Random(self.seed * 7_000_003 + i)
        topic = rng.choice(TOPICS)[0]
        lines = [f"近日，{doc['issuer']}印发了《{doc['title']}》。"]
        lines += text.interpretation_sections(rng, topic, doc["issuer"])
        url = f"http://bench.example/jd/{i}.html"
        return {
            "id": stable_id(url),
            "url": url,
            "site": doc["site"],
            "title": f"《{doc['title']}》政策解读",
            "published_date": doc["published_date"],
            "source": doc["issuer"],
            "form": "文字解读",
            "body_text": "\n".join(lines),
        }


def documents(n: int, seed: int = SEED) -> Iterator[dict]:
    """The first ``n`` documents of the synthetic library."""
    gen = Generator(seed)
    for i in range(n):
        yield gen.document(i)


_DOC_COLUMNS = ("id", "url", "site", "kind", "title", "doc_number", "doc_number_raw", "issuer",
                "written_date", "published_date", "year", "subject", "status", "body_text")  # fmt: skip
_INTERP_COLUMNS = ("id", "url", "site", "title", "published_date", "source", "form", "body_text")


def write_library(path: Path, n: int, seed: int = SEED, interpretations_every: int = 10) -> None:
    """A library file with ``n`` documents (and one interpretation per ``interpretations_every``)."""
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    ensure_db_shape(sqlite_utils.Database(conn))
    conn.executemany(
        "INSERT INTO sites (name, title, family) VALUES (?, ?, 'hanweb')", SITES.items()
    )
    gen = Generator(seed)
    doc_sql = f"INSERT INTO documents ({', '.join(_DOC_COLUMNS)}) VALUES ({', '.join('?' * len(_DOC_COLUMNS))})"
    interp_sql = f"INSERT INTO interpretations ({', '.join(_INTERP_COLUMNS)}) VALUES ({', '.join('?' * len(_INTERP_COLUMNS))})"
    batch: list[tuple] = []
    interps: list[tuple] = []
    for i in range(n):
        doc = gen.document(i)
        batch.append(tuple(doc[c] for c in _DOC_COLUMNS))
        if i % interpretations_every == 0:
            interp = gen.interpretation(i, doc)
            interps.append(tuple(interp[c] for c in _INTERP_COLUMNS))
        if len(batch) >= 5000:
            conn.executemany(doc_sql, batch)
            conn.executemany(interp_sql, interps)
            conn.commit()
            batch, interps = [], []
    conn.executemany(doc_sql, batch)
    conn.executemany(interp_sql, interps)
    conn.commit()
    conn.close()


# ---------------------------------------------------------------- the query set


def _words(s: str) -> list[str]:
    return s.split()


# Pure-Han queries by length; some are not words at all (商环, 商环境, 保障局), and many sit inside
# longer words in some contexts and not in others (生态环境 in 生态环境保护 and 生态环境厅).
TWO = _words("疫情 财政 养老 保险 营商 生态 环境 医疗 保障 教育 种子 农业 排污 许可 资金 补贴 监督 审批 "
       "执法 信用 档案 统计 消防 燃气 湿地 森林 电梯 物业 禁渔 河长 商环 态环 障局 府厅")  # fmt: skip
THREE = _words("公积金 规范性 放管服 商环境 河长制 农作物 排污权 危险废 医保局 养老金 赣服通 新污染 生态环 "
         "保障局 环境厅 专精特 一网通 跨省通 高标准 碳排放 非煤矿 无线电 储备粮 宅基地 龙头企")  # fmt: skip
FOUR = _words("养老保险 生态环境 医疗保障 营商环境 政务公开 疫情防控 河湖长制 危险废物 住房公积 社会信用 "
        "财政资金 乡村振兴 义务教育 十年禁渔 地质灾害 最低生活 特困人员 数字政府 排污许可 土壤污染 "
        "碳排放权 农村公路 电梯安全 城镇燃气 森林防火 湿地保护 公共数据 政务数据 新型城镇 专精特新")  # fmt: skip
LONG = _words("行政规范性文件 优化营商环境 城乡居民基本养老保险 生态环境保护督察 医疗保障基金监督管理 "
        "住房公积金归集 常态化疫情防控 规范性文件清理 河长制作为 加强营商环境 江西省医疗保障局 "
        "生态环境厅 企业职工基本养老保险 失业保险稳岗返还 高标准农田建设 长江十年禁渔 "
        "农村人居环境整治 特困人员救助供养 政务数据共享 公共数据开放 合法性审核机制 新型基础设施建设 "
        "中华人民共和国行政处罚法 县级以上人民政府 事中事后监管")  # fmt: skip
MULTI = ["养老保险 省级统筹", "生态环境 督察", "营商环境 赣服通", "医疗保障 基金", "疫情防控 经济社会",
         "危险废物 转移", "公积金 租房", "河长制 水环境", "财政 绩效", "规范性文件 合法性审核",
         "农作物 种子 许可", "生态环境 保护 督察", "乡村振兴 城乡融合", "PM2.5 臭氧", "5G 数据中心",
         "行政处罚 裁量", "森林防火 地质灾害", "湿地保护 江西省林业局", "排污许可 生态环境厅",
         '"城乡居民基本养老保险" 省级统筹']  # fmt: skip
EXCLUDE = ["生态环境 -督察", "养老保险 -省级统筹", "营商环境 -赣服通", "疫情防控 -常态化", "财政 -资金",
           "危险废物 -经营许可证", "排污 -许可", "医疗保障 -基金", "种子 -农作物", "河长制 -河湖长制",
           "公积金 -租房", '规范性文件 -"规范性文件清理"']  # fmt: skip
# Several words typed without spaces that never occur as written: found as the AND of the words.
RUN_TOGETHER = ["生态环境督察整改", "养老保险统筹", "医疗保障基金监管", "疫情防控经济发展",
                "营商环境品牌", "公积金租房", "危险废物监管", "财政资金绩效", "河长制水环境治理",
                "乡村振兴城乡融合"]  # fmt: skip
ONE = ["号", "省", "税", "林", "渔"]  # informational: no target for single characters


def doc_number_spellings(canonical: str) -> list[str]:
    """How pages write a 文号 (the truth of a 文号 query is any of these)."""
    code, rest = canonical.split("〔")
    year, n = rest.rstrip("号").split("〕")
    full = str.maketrans("0123456789", "０１２３４５６７８９")
    out = [f"{code}{a}{year}{b}{n}号" for a, b in text._BRACKETS]
    out += [canonical.translate(full), f"{code}〔{year}〕{n} 号", f"{code}{year}年{n}号"]
    return out


def doc_number_queries(canonical: str) -> list[str]:
    """What a user may type for a 文号: brackets, full-width digits, no 号, the 年 form, spaces."""
    code, rest = canonical.split("〔")
    year, n = rest.rstrip("号").split("〕")
    return [canonical, f"{code}[{year}]{n}号", f"{code}（{year}）{n}号", f"{code}﹝{year}﹞{n}号",
            canonical.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
            f"{code}〔{year}〕{n}", f"{code}{year}年{n}号", f"{code} 〔{year}〕 {n} 号"]  # fmt: skip


def query_set(conn: sqlite3.Connection, numbers: int = 4, seed: int = SEED) -> list[dict]:
    """The bench's queries: ``{"q", "cls", "truth"}``; ``truth`` says how the LIKE truth is made.

    ``numbers`` documents are drawn (deterministically) for the 文号 class, each asked for in
    eight spellings.
    """
    qs = [{"q": q, "cls": cls, "truth": "like"} for cls, group in (
        ("2-char", TWO), ("3-char", THREE), ("4-char", FOUR), ("5+char", LONG),
        ("multi-term", MULTI), ("exclusion", EXCLUDE), ("1-char", ONE))
        for q in group]  # fmt: skip
    for q in RUN_TOGETHER:  # the truth: the AND of its pieces, the pieces found by LIKE
        found = pieces(q, lambda p: _occurs(conn, p))
        qs.append({"q": q, "cls": "run-together", "truth": "words", "pieces": found})
    owners = conn.execute(
        "SELECT id, doc_number FROM documents WHERE doc_number LIKE '%〔%' ORDER BY id"
    ).fetchall()
    rng = random.Random(seed)
    for doc_id, canonical in rng.sample(owners, min(numbers, len(owners))):
        for q in doc_number_queries(canonical):
            qs.append(
                {"q": q, "cls": "文号", "truth": "number", "number": canonical, "owner": doc_id}
            )
    return qs


_FIELDS = ("title", "doc_number", "doc_number_raw", "body_text")


def _like(value: str) -> str:
    return "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _occurs(conn: sqlite3.Connection, text: str) -> bool:
    """Whether any document or interpretation contains ``text`` (LIKE)."""
    docs = f"SELECT 1 FROM documents WHERE {_contains()} LIMIT 1"
    interps = "SELECT 1 FROM interpretations WHERE title LIKE ? ESCAPE '\\' OR body_text LIKE ? ESCAPE '\\' LIMIT 1"
    like = _like(text)
    return bool(
        conn.execute(docs, [like] * len(_FIELDS)).fetchone()
        or conn.execute(interps, [like, like]).fetchone()
    )


def _contains() -> str:
    # coalesce: a NULL 文号 must not turn NOT (… OR NULL) into NULL
    return "(" + " OR ".join(f"coalesce({f}, '') LIKE ? ESCAPE '\\'" for f in _FIELDS) + ")"


def like_sql(query: dict, select: str = "id") -> tuple[str, list]:
    """The LIKE '%…%' scan that is the ground truth (and the baseline) for ``query``."""

    if query["truth"] == "number":
        spellings = doc_number_spellings(query["number"])
        where = "(" + " OR ".join(_contains() for _ in spellings) + ")"
        params = [_like(s) for s in spellings for _ in _FIELDS]
        return f"SELECT {select} FROM documents WHERE {where}", params
    if query["truth"] == "words":
        wanted, unwanted = query["pieces"], []
    else:
        terms = parse_query(query["q"])
        wanted = [t.text for t in terms if not t.negated]
        unwanted = [t.text for t in terms if t.negated]
    parts = [_contains() for _ in wanted] + [f"NOT {_contains()}" for _ in unwanted]
    params = [_like(w) for w in wanted + unwanted for _ in _FIELDS]
    return f"SELECT {select} FROM documents WHERE {' AND '.join(parts)}", params
