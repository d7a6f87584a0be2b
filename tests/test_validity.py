"""The validity rule book: terms, page wordings, and the rules, acts of other documents included."""

from datetime import date

import pytest

from corpus.validity.rules import (
    STATUSES,
    Act,
    Term,
    cn_date,
    decide,
    extract_term,
    map_page_status,
)

AS_OF = date(2026, 11, 27)

# ---------------------------------------------------------------- extract_term


@pytest.mark.parametrize(
    ("body", "title", "written", "published", "effective", "expires"),
    [
        # the two dates written out
        ("第十条 本办法自2025年5月1日起施行，有效期至2027年4月30日。", "", None, None,
         "2025-05-01", "2027-04-30"),
        # 印发 = the written date; 5 years end the day before the 5th anniversary
        ("本通知自印发之日起施行，有效期5年。", "", "2023-06-01", "2023-06-05",
         "2023-06-01", "2028-05-31"),
        # no written date: 印发 falls back to the published date
        ("本通知自印发之日起施行，有效期5年。", "", None, "2023-06-05",
         "2023-06-05", "2028-06-04"),
        # 发布 = the day the document was issued (its written date), not the day a site posted it;
        # Chinese numeral years
        ("本办法自发布之日起施行，有效期三年。", "", "2023-06-01", "2023-06-05",
         "2023-06-01", "2026-05-31"),
        # without a written date, the published date; 公告 (made public) is the published date
        ("本办法自发布之日起施行，有效期三年。", "", None, "2023-06-05",
         "2023-06-05", "2026-06-04"),
        ("本办法自公告之日起施行。", "", "2023-06-01", "2023-06-05", "2023-06-05", None),
        ("本意见自2023年6月1日起施行，有效期为5年。", "", None, None, "2023-06-01", "2028-05-31"),
        ("本办法自2023年6月1日起施行，有效期两年。", "", None, None, "2023-06-01", "2025-05-31"),
        ("本办法自2023年6月1日起施行，有效期十年。", "", None, None, "2023-06-01", "2033-05-31"),
        # 29 February: the anniversary rolls to 1 March, so the term ends on 28 February
        ("本意见自2024年2月29日起施行，有效期为5年。", "", None, None, "2024-02-29", "2029-02-28"),
        ("本意见自2024年2月29日起施行，有效期4年。", "", None, None, "2024-02-29", "2028-02-28"),
        # months
        ("自2024年1月31日起施行，有效期6个月。", "", None, None, "2024-01-31", "2024-07-30"),
        # Chinese-numeral dates
        ("本办法自二〇二三年六月一日起施行，有效期至二〇二八年五月三十一日。", "", None, None,
         "2023-06-01", "2028-05-31"),
        ("本办法自二○二三年六月一日起施行。", "", None, None, "2023-06-01", None),
        # full-width digits and punctuation
        ("本办法自２０２５年５月１日起施行，有效期至２０２７年４月３０日。", "", None, None,
         "2025-05-01", "2027-04-30"),
        # the title carries the term
        ("", "江西省某某管理办法（2024年2月18日起施行，有效期至2029年2月17日）", None, None,
         "2024-02-18", "2029-02-17"),
        # the last clause of the body wins (the 施行 clause is the final article)
        ("第三条 自2020年1月1日起施行试点。\n第二十条 本办法自2023年6月1日起施行，有效期5年。",
         "", None, None, "2023-06-01", "2028-05-31"),
        # another thing's 有效期 (a licence) is not the document's
        ("第八条 许可证有效期为5年。\n第三十条 本办法自2023年6月1日起施行。", "", None, None,
         "2023-06-01", None),
        # a repealed document's dates, quoted in the 同时废止 sentence, are ignored
        ("本办法自2023年6月1日起施行，有效期5年。《江西省某办法》（赣府发〔2018〕1号，"
         "自2018年1月1日起施行，有效期至2022年12月31日）同时废止。", "", None, None,
         "2023-06-01", "2028-05-31"),
        # 施行以来 describes history, not a 施行 clause
        ("《江西省某条例》自2015年1月1日起施行以来成效明显。", "", None, None, None, None),
        # N days after publication
        ("本办法自发布之日起30日后施行。", "", None, "2023-01-10", "2023-02-09", None),
        # a term given as a range
        ("本办法有效期为2023年1月1日至2027年12月31日。", "", None, None,
         "2023-01-01", "2027-12-31"),
        ("本办法有效期至2027年底。", "", None, None, None, "2027-12-31"),
        ("第一条 为了规范管理，制定本办法。", "", None, None, None, None),
    ],
)  # fmt: skip
def test_reads_the_term(body, title, written, published, effective, expires):
    term = extract_term(body, title, written, published)
    assert (term.effective_date, term.expires_on) == (effective, expires)
    assert not term.effective_problem and not term.expiry_problem


def test_keeps_the_quotes():
    term = extract_term("本办法自2025年5月1日起施行，有效期至2027年4月30日。", "")
    assert term.effective_date_raw == "自2025年5月1日起施行"
    assert term.term_raw == "有效期至2027年4月30日"
    assert term.effective_source == term.term_source == "正文"
    term = extract_term("本通知自印发之日起施行，有效期5年。", "", "2023-06-01")
    assert term.effective_date_raw == "自印发之日起施行"
    assert term.term_raw == "有效期5年"


@pytest.mark.parametrize(
    ("body", "written", "published", "problem_field"),
    [
        ("本办法自2025年13月1日起施行，有效期5年。", None, None, "effective_problem"),
        ("本通知自印发之日起施行，有效期5年。", None, None, "effective_problem"),
        ("本通知自公告之日起施行。", "2023-01-01", None, "effective_problem"),
        ("本办法有效期5年。", None, None, "expiry_problem"),
        ("本办法自2023年6月1日起施行，有效期至2027年2月30日。", None, None, "expiry_problem"),
        ("本办法自2023年6月1日起施行，有效期至另行通知。", None, None, "expiry_problem"),
    ],
)
def test_an_undatable_clause_is_a_problem_not_a_date(body, written, published, problem_field):
    term = extract_term(body, "", written, published)
    assert getattr(term, problem_field)
    assert decide("normative", "有效", term, AS_OF).status == "未知"


# ---------------------------------------------------------------- map_page_status


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("有效", "现行有效"),
        ("现行有效", "现行有效"),
        ("全文有效", "现行有效"),
        ("继续有效", "现行有效"),
        ("失效", "已失效"),
        ("全文失效", "已失效"),
        ("已失效", "已失效"),
        ("废止", "已废止"),
        ("已废止", "已废止"),
        ("全文废止", "已废止"),
        ("已修改", "已修改"),
        ("修改", "已修改"),
        ("部分失效", "部分失效"),
        ("尚未生效", "尚未生效"),
        (" 有 效 ", "现行有效"),
        ("\u3000现行有效\u3000", "现行有效"),
        ("【全文废止】", "已废止"),
        ("有效性：有效", "现行有效"),
        ("（已失效）", "已失效"),
        ("部分废止", "部分失效"),
        ("条款失效", "部分失效"),
        ("尚未施行", "尚未生效"),
        ('"时效性": "尚未施行"', "尚未生效"),
        ("已修订", "已修改"),
        # a yes/no 有效性 field
        ("是", "现行有效"),
        ("否", "已失效"),
        ("[有效性] 是", "现行有效"),
        # a list line: the status first, dates after it
        ("尚未生效/2021年2月9日发布/2021年6月1日施行", "尚未生效"),
        ("说不清", "未知"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_maps_every_page_wording(raw, status):
    assert map_page_status(raw) == status
    assert status is None or status in STATUSES


# ---------------------------------------------------------------- decide: the seven rules


def _term(effective=None, expires=None, term_raw=None):
    return Term(
        effective_date=effective,
        effective_date_raw=f"自{cn_date(effective)}起施行" if effective else "",
        expires_on=expires,
        term_raw=term_raw if term_raw is not None else (f"有效期至{cn_date(expires)}" if expires else ""),
        effective_source="正文" if effective else "",
        term_source="正文" if expires else "",
    )  # fmt: skip


IN_TERM = _term("2023-06-01", "2028-05-31")
ENDED = _term("2020-06-01", "2025-05-31")
FUTURE = _term("2027-01-01", "2031-12-31")
NO_TERM = _term("2020-01-01")
NOTHING = Term()


@pytest.mark.parametrize(
    ("rule", "kind", "page", "term", "status", "winner"),
    [
        # 1. the page declares repeal, expiry, amendment, partial expiry: it wins over the term
        (1, "normative", "全文废止", IN_TERM, "已废止", "page_field"),
        (1, "normative", "已废止", FUTURE, "已废止", "page_field"),
        (1, "normative", "失效", IN_TERM, "已失效", "page_field"),
        (1, "normative", "已修改", IN_TERM, "已修改", "page_field"),
        (1, "normative", "部分失效", NOTHING, "部分失效", "page_field"),
        # 2. the term ended before the as-of date, even if the page still says 有效
        (2, "normative", "有效", ENDED, "已失效", "term"),
        (2, "normative", "", ENDED, "已失效", "term"),
        (2, "rule", "现行有效", ENDED, "已失效", "term"),
        # 3. not yet in force, even if the page says 有效
        (3, "normative", "有效", FUTURE, "尚未生效", "effective_date"),
        (3, "normative", "", FUTURE, "尚未生效", "effective_date"),
        # 4. the page says in force and nothing above applies
        (4, "normative", "现行有效", NOTHING, "现行有效", "page_field"),
        (4, "normative", "继续有效", IN_TERM, "现行有效", "page_field"),
        (4, "policy", "全文有效", NO_TERM, "现行有效", "page_field"),
        # 5. inside its own term, page silent
        (5, "normative", "", IN_TERM, "现行有效", "term"),
        (5, "normative", "", _term("2023-06-01", "2026-11-27"), "现行有效", "term"),  # last day
        # 6. a rule without a term, in force since its 施行日期
        (6, "rule", "", NO_TERM, "现行有效", "effective_date"),
        # 7. nothing reliable: never a guess
        (7, "normative", "", NO_TERM, "未知", None),
        (7, "normative", "", NOTHING, "未知", None),
        (7, "rule", "", NOTHING, "未知", None),
        (7, "normative", "尚未生效", NOTHING, "未知", None),
        (7, "normative", "说不清", NOTHING, "未知", None),
    ],
)
def test_applies_the_rules_in_order(rule, kind, page, term, status, winner):
    decision = decide(kind, page, term, AS_OF)
    assert decision.status == status, f"rule {rule}: {decision.basis}"
    winners = [e for e in decision.evidence if e.wins]
    assert [e.kind for e in winners] == ([winner] if winner else [])
    assert decision.basis and "\n" not in decision.basis


def test_keeps_the_evidence_that_lost():
    decision = decide("normative", "有效", ENDED, AS_OF)
    by_kind = {e.kind: e for e in decision.evidence}
    assert set(by_kind) == {"page_field", "term", "effective_date"}
    assert by_kind["page_field"].status == "现行有效" and not by_kind["page_field"].wins
    assert by_kind["term"].status == "已失效" and by_kind["term"].wins
    assert by_kind["term"].date == "2025-05-31"
    assert by_kind["effective_date"].status == "现行有效"
    assert by_kind["effective_date"].quote == "自2020年6月1日起施行"


def test_says_why_in_one_line():
    assert (
        decide("normative", "有效", ENDED, AS_OF).basis
        == "有效期至2025年5月31日，已于截至日期（2026年11月27日）前届满（页面仍标注“有效”）"
    )
    assert decide("normative", "", FUTURE, AS_OF).basis == (
        "施行日期为2027年1月1日，截至2026年11月27日尚未施行"
    )
    assert "全文废止" in decide("normative", "全文废止", IN_TERM, AS_OF).basis
    assert "未找到有效期" in decide("normative", "", NO_TERM, AS_OF).basis


def test_the_same_document_changes_status_with_the_as_of_date():
    term = extract_term("本办法自2025年5月1日起施行，有效期至2027年4月30日。", "")
    assert decide("normative", "", term, date(2025, 4, 30)).status == "尚未生效"
    assert decide("normative", "", term, date(2025, 5, 1)).status == "现行有效"
    assert decide("normative", "", term, date(2027, 4, 30)).status == "现行有效"
    assert decide("normative", "有效", term, date(2027, 5, 1)).status == "已失效"


def test_an_unreadable_term_yields_unknown_with_the_reason():
    term = extract_term("本办法自2023年6月1日起施行，有效期至2027年2月30日。", "")
    decision = decide("normative", "有效", term, AS_OF)
    assert decision.status == "未知"
    assert "2027年2月30日" in decision.basis
    assert [e.status for e in decision.evidence if e.kind == "term"] == ["未知"]
    # …but a page that declares repeal still decides
    assert decide("normative", "已废止", term, AS_OF).status == "已废止"


def test_a_future_start_decides_even_when_the_end_is_unreadable():
    term = extract_term("本办法自2027年6月1日起施行，有效期至另行通知。", "")
    assert term.expiry_problem
    assert decide("normative", "", term, AS_OF).status == "尚未生效"


# ---------------------------------------------------------------- decide with the acts of other documents


def _act(
    kind, status, day, title="江西省人民政府关于废止部分文件的决定", number="赣府发〔2026〕1号"
):
    return Act(kind, status, day, f"《某文件》（{number}）", title, number, 7, "http://x/7")


REPEAL_2026 = _act("decision", "已废止", "2026-03-18")
REPEAL_2027 = _act("decision", "已废止", "2027-01-01")
CLAUSE_2025 = _act(
    "clause", "已废止", "2025-08-01", "关于印发《新办法》的通知", "赣府发〔2025〕3号"
)
VOID_LIST = _act("list", "已失效", "2025-12-22", "关于公布目录的通知", "赣农字〔2025〕4号")
IN_LIST = _act("list", "现行有效", "2025-12-22", "关于公布目录的通知", "赣农字〔2025〕4号")
LATE_LIST = _act("list", "现行有效", "2027-01-10", "关于公布目录的通知", "赣农字〔2027〕1号")
AMEND_2026 = _act(
    "decision", "已修改", "2026-07-08", "关于修改《某办法》的决定", "赣农规〔2026〕15号"
)
UNDATED = Act("decision", "已失效", None, "《某文件》", "关于宣布失效的决定", "赣环规〔2026〕32号",
              8, "http://x/8", "所在文件施行日期“2026年6月31日”无法解析")  # fmt: skip
BAD_TERM = extract_term("本办法自2023年6月1日起施行，有效期至2029年6月底。", "")


@pytest.mark.parametrize(
    ("rule", "page", "term", "acts", "status", "winner"),
    [
        # 1. an applying repeal beats the page, the term, a 现行有效目录 and a 失效目录
        (1, "有效", IN_TERM, [REPEAL_2026], "已废止", "decision"),
        (1, "失效", ENDED, [REPEAL_2026, IN_LIST, VOID_LIST], "已废止", "decision"),
        (1, "", NOTHING, [REPEAL_2026, CLAUSE_2025], "已废止", "clause"),  # the earliest repeal
        (1, "已废止", IN_TERM, [REPEAL_2027], "已废止", "page_field"),  # the page, act pending
        # 2. an applying 失效 declaration, else a page that says 失效, even while the term runs
        (2, "有效", IN_TERM, [VOID_LIST, IN_LIST], "已失效", "list"),
        (2, "失效", IN_TERM, [IN_LIST], "已失效", "page_field"),
        # 3. the term ended: beats a 现行有效目录, an amendment and a pending repeal
        (3, "有效", ENDED, [IN_LIST, AMEND_2026, REPEAL_2027], "已失效", "term"),
        # 4. an act that cannot be dated: never a guess
        (4, "有效", IN_TERM, [UNDATED, IN_LIST], "未知", "decision"),
        # 5. an unreadable end of term
        (5, "有效", BAD_TERM, [IN_LIST], "未知", "term"),
        # 7. not yet in force, whatever the page and the lists say
        (7, "有效", FUTURE, [IN_LIST, REPEAL_2027], "尚未生效", "effective_date"),
        # 8–9. in force with changes
        (8, "部分失效", IN_TERM, [AMEND_2026], "部分失效", "page_field"),
        (9, "有效", IN_TERM, [AMEND_2026, REPEAL_2027], "已修改", "decision"),
        # 10–11. the page, then a 现行有效目录 that applies (a later list does not)
        (10, "现行有效", IN_TERM, [IN_LIST], "现行有效", "page_field"),
        (11, "", NOTHING, [IN_LIST], "现行有效", "list"),
        (11, "", NO_TERM, [IN_LIST, REPEAL_2027], "现行有效", "list"),
        (14, "", NO_TERM, [LATE_LIST], "未知", None),
    ],
)
def test_weighs_the_acts_of_other_documents(rule, page, term, acts, status, winner):
    decision = decide("normative", page, term, AS_OF, acts)
    assert decision.status == status, f"rule {rule}: {decision.basis}"
    assert [e.kind for e in decision.evidence if e.wins] == ([winner] if winner else [])
    assert len(decision.evidence) >= len(acts)
    assert decision.basis and "\n" not in decision.basis


def test_act_evidence_names_its_source_and_says_when():
    decision = decide("normative", "有效", IN_TERM, AS_OF, [REPEAL_2026, REPEAL_2027, UNDATED])
    acts = [e for e in decision.evidence if e.kind == "decision"]
    assert [(e.status, e.date, e.wins) for e in acts] == [
        ("已废止", "2026-03-18", True),
        ("已废止", "2027-01-01", False),
        ("未知", None, False),
    ]
    assert all(e.source_document_id and e.source_url and e.source for e in acts)
    assert "尚未生效" in acts[1].note and "无法解析" in acts[2].note
    assert decision.basis == (
        "据废止决定《江西省人民政府关于废止部分文件的决定》（赣府发〔2026〕1号），"
        "自2026年3月18日起废止（页面仍标注“有效”）"
    )


def test_a_pending_repeal_is_named_in_the_basis():
    decision = decide("normative", "有效", IN_TERM, AS_OF, [REPEAL_2027])
    assert decision.status == "现行有效"
    assert decision.basis.endswith(
        "（《江西省人民政府关于废止部分文件的决定》（赣府发〔2026〕1号）定于2027年1月1日起废止）"
    )
    assert decide("normative", "有效", IN_TERM, date(2027, 1, 1), [REPEAL_2027]).status == "已废止"


def test_an_undatable_act_says_why():
    basis = decide("normative", "有效", IN_TERM, AS_OF, [UNDATED]).basis
    assert basis.startswith("《关于宣布失效的决定》（赣环规〔2026〕32号）宣布失效本文件")
    assert "2026年6月31日" in basis


# ---------------------------------------------------------------- partial stops and extensions


def _clause(status, day, until=None, title="关于调整部分文件的通知", number="赣农规〔2026〕9号"):
    """A clause of another document: a partial stop (部分失效) or an extension (until)."""
    quote = f"《某文件》（赣农规〔2020〕1号）有效期延长至{cn_date(until)}" if until else (
        "《某文件》（赣农规〔2020〕1号）第五条停止执行")  # fmt: skip
    return Act("clause", status, day, quote, title, number, 9, "http://x/9", until=until)


PART_2026 = _clause("部分失效", "2026-10-26")
PART_2027 = _clause("部分失效", "2027-01-01")
PART_UNDATED = Act("clause", "部分失效", None, "《某文件》第五条停止执行", "关于调整的通知",
                   None, 9, "http://x/9", "所在文件施行日期“2026年6月31日”无法解析")  # fmt: skip
# ENDED's own term ends 2025-05-31: extended before that day, after it, or to a passed day
EXT_BEFORE_END = _clause("现行有效", "2025-03-01", "2029-12-31")
EXT_AFTER_END = _clause("现行有效", "2026-10-27", "2029-12-31")
EXT_TO_2026 = _clause("现行有效", "2025-03-01", "2026-06-30")
EXT_2027 = _clause("现行有效", "2027-01-01", "2029-12-31")  # IN_TERM ends 2028-05-31
EXT_UNDATED = Act("clause", "现行有效", None, "《某文件》有效期延长至2029年12月31日",
                  "关于延长有效期的通知", None, 9, "http://x/9", "所在文件未载明施行日期和发布日期",
                  until="2029-12-31")  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "page", "term", "acts", "status", "winner"),
    [
        # 8. a partial stop in effect: 部分失效, whatever the page says of the whole
        (8, "", IN_TERM, [PART_2026], "部分失效", "clause"),
        (8, "有效", IN_TERM, [PART_2026, IN_LIST], "部分失效", "clause"),
        (8, "部分失效", IN_TERM, [PART_2026], "部分失效", "clause"),  # the act before the page
        (8, "", NOTHING, [PART_2026], "部分失效", "clause"),  # the act says it is still there
        (8, "有效", IN_TERM, [AMEND_2026, PART_2026], "部分失效", "clause"),  # beats rule 9
        # …and a stronger rule wins: a repeal, a 失效 act or page, the end of the term, a start
        (1, "", IN_TERM, [PART_2026, REPEAL_2026], "已废止", "decision"),
        (2, "", IN_TERM, [PART_2026, VOID_LIST], "已失效", "list"),
        (2, "失效", IN_TERM, [PART_2026], "已失效", "page_field"),
        (3, "", ENDED, [PART_2026], "已失效", "term"),
        (4, "", IN_TERM, [PART_UNDATED], "未知", "clause"),
        (7, "", FUTURE, [PART_2026], "尚未生效", "effective_date"),
        # a pending partial stop changes nothing yet
        (12, "", IN_TERM, [PART_2027], "现行有效", "term"),
        # 12. an extension made before the end keeps an ended term in force
        (12, "", ENDED, [EXT_BEFORE_END], "现行有效", "clause"),
        (10, "有效", ENDED, [EXT_BEFORE_END], "现行有效", "page_field"),
        # 3. made after the end, it finds nothing to extend; extended to a passed day, it ended
        (3, "有效", ENDED, [EXT_AFTER_END], "已失效", "term"),
        (3, "", ENDED, [EXT_TO_2026], "已失效", "clause"),
        # 1–2. a repeal or a 失效 beats an extension
        (1, "", ENDED, [EXT_BEFORE_END, REPEAL_2026], "已废止", "decision"),
        (2, "", IN_TERM, [EXT_2027, VOID_LIST], "已失效", "list"),
        (2, "失效", ENDED, [EXT_BEFORE_END], "已失效", "page_field"),
        # 8 with an extension: partly stopped while the extended term runs
        (8, "", ENDED, [EXT_BEFORE_END, PART_2026], "部分失效", "clause"),
        (3, "", ENDED, [EXT_TO_2026, PART_2026], "已失效", "clause"),
        # 4. an undatable extension may carry an ended term: never a guess; a running one stays
        (4, "有效", ENDED, [EXT_UNDATED], "未知", "clause"),
        (12, "", IN_TERM, [EXT_UNDATED], "现行有效", "term"),
        # an extension is no 现行有效目录 entry: with no 施行日期 it decides nothing alone
        (14, "", NOTHING, [EXT_BEFORE_END], "未知", None),
    ],
)
def test_weighs_partial_stops_and_extensions(rule, page, term, acts, status, winner):
    decision = decide("normative", page, term, AS_OF, acts)
    assert decision.status == status, f"rule {rule}: {decision.basis}"
    assert [e.kind for e in decision.evidence if e.wins] == ([winner] if winner else [])
    assert len(decision.evidence) >= len(acts)
    assert decision.basis and "\n" not in decision.basis


def test_a_partial_stop_says_which_document_stops_part_and_from_when():
    decision = decide("normative", "有效", IN_TERM, AS_OF, [PART_2026])
    assert decision.basis == (
        "据部分失效条款《关于调整部分文件的通知》（赣农规〔2026〕9号），"
        "自2026年10月26日起部分失效（页面仍标注“有效”）"
    )
    (act,) = [e for e in decision.evidence if e.kind == "clause"]
    assert (act.status, act.date, act.wins, act.source_document_id) == (
        "部分失效", "2026-10-26", True, 9)  # fmt: skip
    assert act.quote.endswith("第五条停止执行") and act.source == "关于调整部分文件的通知"
    assert decision.expires_on == "2028-05-31"  # the term stays as it is


def test_a_pending_partial_stop_is_named_and_applies_from_its_day():
    decision = decide("normative", "", IN_TERM, AS_OF, [PART_2027])
    assert decision.basis.endswith(
        "（《关于调整部分文件的通知》（赣农规〔2026〕9号）定于2027年1月1日起部分失效）"
    )
    assert decide("normative", "", IN_TERM, date(2027, 1, 1), [PART_2027]).status == "部分失效"
    # once the term has run out, the document is 已失效, not partly in force
    assert decide("normative", "", IN_TERM, date(2028, 6, 1), [PART_2027]).status == "已失效"
    undatable = decide("normative", "", IN_TERM, AS_OF, [PART_UNDATED]).basis
    assert (
        undatable.startswith("《关于调整的通知》部分停止执行本文件，但") and "6月31日" in undatable
    )


def test_an_extension_moves_the_last_day_and_says_so():
    decision = decide("normative", "", ENDED, AS_OF, [EXT_BEFORE_END])
    assert decision.status == "现行有效"
    assert (decision.expires_on, decision.term_raw) == ("2029-12-31", EXT_BEFORE_END.quote)
    assert decision.basis == (
        "自2020年6月1日起施行，有效期经《关于调整部分文件的通知》（赣农规〔2026〕9号）延长至"
        "2029年12月31日（原至2025年5月31日），截至2026年11月27日在有效期内"
    )
    by_kind = {e.kind: e for e in decision.evidence}
    assert by_kind["term"].status == "已失效" and "延长至2029年12月31日" in by_kind["term"].note
    assert by_kind["clause"].status == "现行有效" and by_kind["clause"].wins
    assert "有效期延长至2029年12月31日" in by_kind["clause"].note
    # past the new end it has ended, by the extension's day
    later = decide("normative", "有效", ENDED, date(2030, 1, 1), [EXT_BEFORE_END])
    assert later.status == "已失效" and later.basis.startswith("有效期经《关于调整部分文件的通知》")
    assert [e.kind for e in later.evidence if e.wins] == ["clause"]


def test_an_extension_after_the_end_finds_nothing_to_extend():
    decision = decide("normative", "", ENDED, AS_OF, [EXT_AFTER_END])
    assert decision.status == "已失效"
    assert (decision.expires_on, decision.term_raw) == ("2025-05-31", "有效期至2025年5月31日")
    assert decision.basis == "有效期至2025年5月31日，已于截至日期（2026年11月27日）前届满"
    (clause,) = [e for e in decision.evidence if e.kind == "clause"]
    assert "无从延长" in clause.note and not clause.wins


def test_extensions_chain_in_the_order_they_take_effect():
    first = _clause("现行有效", "2025-03-01", "2026-06-30")  # before the own end (2025-05-31)
    second = _clause("现行有效", "2026-05-01", "2029-12-31", number="赣农规〔2026〕2号")
    shorter = _clause("现行有效", "2025-04-01", "2025-12-31", number="赣农规〔2025〕3号")
    decision = decide("normative", "", ENDED, AS_OF, [second, shorter, first])
    assert (decision.status, decision.expires_on) == ("现行有效", "2029-12-31")
    assert "赣农规〔2026〕2号" in decision.basis
    # without the first, the second came after the end: nothing to extend
    assert decide("normative", "", ENDED, AS_OF, [second, shorter]).status == "已失效"


def test_a_pending_extension_is_named_and_moves_the_end_from_its_day():
    decision = decide("normative", "", IN_TERM, AS_OF, [EXT_2027])
    assert (decision.status, decision.expires_on) == ("现行有效", "2028-05-31")
    assert decision.basis.endswith(
        "（《关于调整部分文件的通知》（赣农规〔2026〕9号）定于2027年1月1日起将有效期延长至"
        "2029年12月31日）"
    )
    later = decide("normative", "", IN_TERM, date(2028, 12, 31), [EXT_2027])
    assert (later.status, later.expires_on) == ("现行有效", "2029-12-31")


def test_an_extension_gives_the_last_day_a_document_does_not_state_or_cannot_read():
    decision = decide("normative", "", NO_TERM, AS_OF, [EXT_BEFORE_END])
    assert (decision.status, decision.expires_on) == ("现行有效", "2029-12-31")
    assert "（原至" not in decision.basis
    assert decide("normative", "", NO_TERM, date(2030, 1, 1), [EXT_BEFORE_END]).status == "已失效"
    assert decide("rule", "", NO_TERM, date(2030, 1, 1), [EXT_BEFORE_END]).status == "已失效"
    # an unreadable end is no longer 未知 once an extension in effect states the last day
    assert decide("normative", "", BAD_TERM, AS_OF, [EXT_BEFORE_END]).status == "现行有效"
    assert decide("normative", "", BAD_TERM, AS_OF, [EXT_2027]).status == "未知"


def test_an_undatable_extension_of_an_ended_term_says_why():
    decision = decide("normative", "", ENDED, AS_OF, [EXT_UNDATED])
    assert decision.basis == (
        "《关于延长有效期的通知》将本文件有效期延长至2029年12月31日，但所在文件未载明施行日期和"
        "发布日期，无法判断是否已届满"
    )
    # reaching only a day before the as-of date, it cannot save the term
    short = Act("clause", "现行有效", None, "…", "关于延长有效期的通知", until="2026-06-30")
    assert decide("normative", "", ENDED, AS_OF, [short]).status == "已失效"
