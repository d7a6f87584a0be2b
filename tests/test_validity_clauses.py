"""The wordings of 施行 and 有效期 clauses: every way a document says when it starts and ends.

Each case is a small sentence written here in the shape real documents use (起试行, 自即日起,
试行期一年, 至…止, …废止, a date split over two lines …), and the look-alikes that must give
nothing: another thing's validity, a general rule about other texts, another document's date.
"""

from datetime import date

import pytest

from corpus.validity.rules import EXPIRED, IN_FORCE, decide
from corpus.validity.terms import extract_term

W, P = "2023-05-10", "2023-05-12"  # 成文日期, 发布日期 of the document the clause is in


@pytest.mark.parametrize(
    ("body", "effective", "expires"),
    [
        # the verb: 试行, 实行, 正式施行, 正式实施
        ("本通知自2023年6月1日起试行。", "2023-06-01", None),
        ("本办法自2023年6月1日起实行。", "2023-06-01", None),
        ("本政策自2023年6月1日起正式施行。", "2023-06-01", None),
        ("本通知自印发之日起正式实施。", W, None),
        # the event: 即日 and 出台 are the day it was made, and so are 颁布/发布/公布 (the issuing
        # act: the day the document bears, not the day a site posted it); 公告 the day it was
        # published
        ("本政策自即日起施行，有效期两个月。", W, "2023-07-09"),
        ("本措施自出台之日起施行。", W, None),
        ("第三十条 本办法自颁布之日起施行。", W, None),
        ("下调后的利率自公告次日起执行。", "2023-05-13", None),
        ("本通知自发布之日实施。", W, None),
        ("本通知自印发之起施行。", W, None),  # 日 left out
        # the day written beside the event wins over the page's date
        ("本政策自公布之日（2023年5月20日）起施行。", "2023-05-20", None),
        # 零时起
        ("本通知自2023年6月1日零时起施行。", "2023-06-01", None),
        ("2023年6月1日零时起执行，以合同备案时间为准。", "2023-06-01", None),
        # a day without its year takes the year nearest to the document's date
        ("本通知自6月1日起施行。", "2023-06-01", None),
        # a start given as a labelled date, and its end in the next clause
        ("本措施执行时间从2023年6月1日起，至2024年5月31日止。", "2023-06-01", "2024-05-31"),
    ],
)  # fmt: skip
def test_reads_every_start_wording(body, effective, expires):
    term = extract_term(body, "", W, P)
    assert (term.effective_date, term.expires_on) == (effective, expires)
    assert not term.effective_problem and not term.expiry_problem


def test_a_day_without_its_year_in_december_means_the_next_january():
    term = extract_term("本通知自1月1日起施行。", "", "2023-12-20", "2023-12-22")
    assert term.effective_date == "2024-01-01"


@pytest.mark.parametrize(
    ("body", "effective", "expires", "trial"),
    [
        # a trial term in the start's own words, or in a clause of its own
        ("本通知自印发之日起试行1年。", W, "2024-05-09", True),
        ("以上调整自2023年6月1日起试行一年。", "2023-06-01", "2024-05-31", True),
        ("本通知自2023年6月1日起试行，试行期暂定为一年。", "2023-06-01", "2024-05-31", True),
        ("六、本措施自2023年6月1日起执行，试行期一年，由市局负责解释。", "2023-06-01",
         "2024-05-31", True),
        ("本办法自2023年6月1日起施行，暂行两年。", "2023-06-01", "2025-05-31", True),
        # other words for a term
        ("本通知自2023年6月1日起执行，执行期限暂定为2年。", "2023-06-01", "2025-05-31", False),
        ("本方案自2023年6月1日起实施，试点期限为一年。", "2023-06-01", "2024-05-31", False),
        ("本通知自公布之日起施行，实施期限至2024年12月31日。", W, "2024-12-31", False),
        ("本通知执行期为2023年6月1日至2024年5月31日，由市中心负责解释。", "2023-06-01",
         "2024-05-31", False),
        ("政策执行期：发文之日至2024年3月31日。", W, "2024-03-31", False),
        ("上述举措执行期自发布之日起至2023年12月底。", W, "2023-12-31", False),
        ("（七）本次调整暂定试行期一年，从2023年6月1日至2024年5月31日止。", "2023-06-01",
         "2024-05-31", True),
        # the days written out in the term beat a start counted from the page's date
        ("本政策自公布之日起施行，有效期暂定一年（2023年5月1日-2024年4月30日）。", "2023-05-01",
         "2024-04-30", False),
        # a term with no 有效期 word: its last day
        ("本意见自2023年6月1日起实施，至2023年11月30日止。", "2023-06-01", "2023-11-30", False),
        ("政策措施自2023年6月1日起实施，2024年5月31日（含）截止。", "2023-06-01", "2024-05-31",
         False),
        ("以上政策自2023年6月1日起实施，截止至2024年末。", "2023-06-01", "2024-12-31", False),
        ("本通知自2023年6月1日起施行，至2023年12月31日停止执行。", "2023-06-01", "2023-12-31",
         False),
        ("本政策措施自2023年6月1日起实行，有效期至2024年12月31日止。", "2023-06-01",
         "2024-12-31", False),
        # …废止 and …前有效: the day before is the last
        ("本通知自2023年7月1日起施行，2024年7月1日废止。", "2023-07-01", "2024-06-30", False),
        ("本《措施》自下发之日起实施，至2024年3月1日前有效。", W, "2024-02-29", False),
        # 未注明时效的事项: the document's default term
        ("文件自即日起施行，未注明时效事项的有效期至2024年12月31日。", W, "2024-12-31", False),
    ],
)  # fmt: skip
def test_reads_terms_in_every_wording(body, effective, expires, trial):
    term = extract_term(body, "", W, P)
    assert (term.effective_date, term.expires_on, term.trial) == (effective, expires, trial)
    assert not term.effective_problem and not term.expiry_problem


@pytest.mark.parametrize(
    ("body", "effective", "expires"),
    [
        ("第三十九条 本办法自2023年6月1日起实施，有效期\n至2025年5月31日。", "2023-06-01",
         "2025-05-31"),
        ("本通知自下发之日起执行，有效期至2023年12月31\n日。", W, "2023-12-31"),
        ("本办法自2023 年 6 月 1 日起施行，有效期至2025\n年5月31日。", "2023-06-01", "2025-05-31"),
        ("本办法自２０２３年６月１日起施行，有效期至二○二五年五月三十一日。", "2023-06-01",
         "2025-05-31"),
    ],
)  # fmt: skip
def test_reads_dates_split_over_lines_and_spaces_and_widths(body, effective, expires):
    term = extract_term(body, "", W, P)
    assert (term.effective_date, term.expires_on) == (effective, expires)


def test_a_heading_is_not_glued_to_the_clause_after_it():
    term = extract_term("六、附则\n2023年6月1日\n本办法自2023年7月1日起施行。", "", W, P)
    assert term.effective_date == "2023-07-01"


@pytest.mark.parametrize(
    "body",
    [
        "签证自签发之日起生效，于有效期满当日失效。",
        "第三十二条 规章应当自公布之日起30日后施行；但是，特殊情况可以自公布之日起施行。",
        "购房券有效期为6个月。",
        "该通知有效期三年，将于今年10月到期。",
        "对符合条件的企业给予补贴，执行期限为2023年1月1日至2024年12月31日。",
        "申报时间为2023年6月1日起，至2023年6月30日止。",
        "《某某省某某条例》自2015年1月1日起施行以来成效明显。",
        "原《某某办法》自2020年1月1日起施行，2023年6月30日废止。",
    ],
)
def test_look_alikes_about_other_things_give_nothing(body):
    term = extract_term(body, "", W, P)
    assert (term.effective_date, term.expires_on) == (None, None)
    assert not term.effective_problem and not term.expiry_problem


def test_a_start_tied_to_another_document_is_a_problem_not_its_date():
    term = extract_term("本细则自《某某管理办法》印发之日起施行。", "", W, P)
    assert term.effective_date is None
    assert "另一文件" in term.effective_problem
    term = extract_term(
        "本措施有效期自某区人才购房券实施细则发布之日起至2024年12月31日。", "", W, P
    )
    assert (term.effective_date, term.expires_on) == (None, "2024-12-31")
    assert "另一文件" in term.effective_problem


def test_the_documents_own_start_beats_another_subjects_later_one():
    body = "本规定自2023年1月1日起施行，依照《某某法》新设定的制度自2023年7月1日起施行。"
    assert extract_term(body, "", W, P).effective_date == "2023-01-01"


def test_a_decision_takes_its_own_start_not_the_one_of_the_text_it_republishes():
    body = "本决定自公布之日起施行。\n某某办法\n第十二条 本办法从2011年1月28日起施行。"
    title = "某某市人民政府关于修改《某某办法》的决定"
    assert extract_term(body, title, W, P).effective_date == W
    # in any other document the last clause is the final article
    assert extract_term(body, "某某市人民政府关于印发某某办法的通知", W, P).effective_date == (
        "2011-01-28"
    )


def test_a_trial_term_that_has_run_out_is_expired():
    """起试行 read: the trial ends, and after its end the document is 已失效 (not 未知)."""
    term = extract_term("本办法自2022年1月1日起试行，试行期一年。", "", "2021-12-20", "2021-12-22")
    assert (term.effective_date, term.expires_on, term.trial) == ("2022-01-01", "2022-12-31", True)
    assert decide("normative", None, term, date(2026, 11, 27)).status == EXPIRED
    assert decide("normative", None, term, date(2022, 6, 1)).status == IN_FORCE
