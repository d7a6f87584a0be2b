"""Dates and document numbers in every spelling the real sites use (docs/sites.md)."""

import pytest

from corpus.store.normalize import (
    canonical_doc_number,
    clean_text_lines,
    find_dates,
    find_doc_numbers,
    normalize_title,
    parse_date,
)


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2022-05-25", "2022-05-25"),
        ("2022-05-25 10:31", "2022-05-25"),
        ("2022-05-25 10:31:07", "2022-05-25"),
        ("2022.05.25", "2022-05-25"),
        ("2022/5/25", "2022-05-25"),
        ("2022年5月11日", "2022-05-11"),
        ("2022年05月11日", "2022-05-11"),
        ("2020 年 03 月 16 日", "2020-03-16"),
        ("2020 年\n   03 月\n 16 日", "2020-03-16"),
        ("２０２２年５月１１日", "2022-05-11"),
        ("二〇二二年五月十一日", "2022-05-11"),
        ("二○二二年五月三十一日", "2022-05-31"),
        ("二Ｏ二二年十二月二十日", "2022-12-20"),
        ("二零一九年十月一日", "2019-10-01"),
        (1653408000, "2022-05-25"),
        (1653408000000, "2022-05-25"),
        ("1653408000", "2022-05-25"),
    ],
)
def test_parses_every_date_spelling(raw, iso):
    assert parse_date(raw) == iso


@pytest.mark.parametrize(
    "raw", ["", None, "2026-02-00018", "2022年5月", "2022-13-01", "第三十二条"]
)
def test_refuses_what_is_not_a_full_date(raw):
    assert parse_date(raw) is None


def test_unix_midnight_in_china_is_that_day():
    # 1653408000 is 2022-05-24 16:00 UTC, which is midnight of 2022-05-25 in Beijing.
    assert parse_date(1653408000) == "2022-05-25"
    assert parse_date(1653408000 - 1) == "2022-05-24"


def test_finds_dates_in_running_text_without_touching_article_numbers():
    text = "第三十二条 本办法自2025年5月1日起施行，有效期至2027年4月30日。\n二〇二三年五月十一日"
    assert [iso for _, iso in find_dates(text)] == ["2025-05-01", "2027-04-30", "2023-05-11"]


@pytest.mark.parametrize(
    "raw",
    [
        "赣府厅字〔2022〕49号",
        "赣府厅字[2022]49号",
        "赣府厅字［2022］49号",
        "赣府厅字﹝２０２２﹞49 号",
        "赣府厅字【2022】49号",
        "赣府厅字（2022）49号",
        "赣府厅字(2022)49号",
        "赣府厅字{2022}49号",
        "赣府厅字2022年49号",
        "赣府厅字〔2022〕49",
        "赣府厅字〔2022〕第49号",
        " 赣府厅字 〔2022〕 49号 ",
    ],
)
def test_canonicalises_document_number_spellings(raw):
    assert canonical_doc_number(raw) == "赣府厅字〔2022〕49号"


@pytest.mark.parametrize(
    ("raw", "canon"),
    [
        ("黑政调〔２０２０〕６号", "黑政调〔2020〕6号"),
        ("沪府办规〔2020〕17 号", "沪府办规〔2020〕17号"),
        ("江西省人民政府令第252号", "江西省人民政府令第252号"),
        ("省政府令第252号", "省政府令第252号"),
        ("财政部 税务总局公告2026年第5号", "财政部税务总局公告2026年第5号"),
        ("赣消办2025年13号", "赣消办〔2025〕13号"),
        ("关于印发某办法的通知（赣府发〔2022〕1号）", "赣府发〔2022〕1号"),
        # orders of every issuer, and the older 第N号令 form, as written
        ("国务院令第350号", "国务院令第350号"),
        ("中华人民共和国公安部令第１２５号", "中华人民共和国公安部令第125号"),
        ("海关总署、公安部令第7号", "海关总署、公安部令第7号"),
        ("中华人民共和国主席令第七十三号", "中华人民共和国主席令第七十三号"),
        ("公安部第69号令", "公安部第69号令"),
        ("食品药品监管局、海关总署第4号令", "食品药品监管局、海关总署第4号令"),
        # a 公告 keeps its 第; OCR's 匚 for 〔; mismatched brackets
        ("中国人民银行公告〔2019〕第16号", "中国人民银行公告〔2019〕第16号"),
        ("洛管委会匚2025〕5号", "洛管委会〔2025〕5号"),
        ("秦政字[2017)19号", "秦政字〔2017〕19号"),
        ("无文号", None),
        ("", None),
    ],
)
def test_canonical_forms(raw, canon):
    assert canonical_doc_number(raw) == canon


def test_finds_document_numbers_glued_to_prose():
    text = "《某办法》（赣府发〔2015〕12号）同时废止，另见赣农规[2023]2号和江西省人民政府令第12号"
    assert [c for _, c in find_doc_numbers(text)] == [
        "赣府发〔2015〕12号",
        "赣农规〔2023〕2号",
        "江西省人民政府令第12号",
    ]


def test_finds_numbers_of_issuers_that_begin_before_their_guo_and_after_a_date():
    text = (
        "本公告施行，中国人民银行公告〔2019〕第16号同时废止；2012年12月19日中华人民共和国公安部令"
        "第125号发布；1994年8月17日市人民政府第17号令发布"
    )
    assert [c for _, c in find_doc_numbers(text)] == [
        "中国人民银行公告〔2019〕第16号",
        "中华人民共和国公安部令第125号",
        "市人民政府第17号令",
    ]


def test_title_key_ignores_brackets_spaces_and_width():
    assert normalize_title("《江西省 种子管理办法》(试行)") == normalize_title(
        "江西省种子管理办法（试行）"
    )


def test_body_lines_are_squashed_and_empty_ones_dropped():
    assert clean_text_lines(["  第一条\u3000为了 ", "", "\xa0", "第二条"]) == "第一条 为了\n第二条"
