"""The measure a notice's title prints: one reading (``notice_measure``) for the linker, the
articles splitter and the list checker.

Each row is a title on which the three private readers these replaced disagreed (the comment
says how: L the linker's ``_WRAPPED``, S the splitter's ``_QUOTED_MEASURE``, C the checker's
``_WRAPPER``/``_WRAPPER_BARE``), with the measure the title prints, or None. Titles marked
"real" are from tests/real/pages_*.yml, tests/real/clauses_labels.yml or the real clauses'
documents (``tests.real.CLAUSES``, their doc_title); the others are written in the shapes of real
ones.
"""

from __future__ import annotations

import pytest

from corpus.articles.split import measure_of_title
from corpus.check.match import MEASURE, parse, title_key
from corpus.links.linker import document_names
from corpus.store.normalize import normalize_title, notice_measure

M = "江西省种猪场管理办法"
CASES = [
    # --- verbs
    (f"江西省农业农村厅关于印发《{M}》的通知", M),  # all agreed
    (f"江西省林业局关于下发《{M}》的通知", M),  # none read 下发
    (f"江西省林业局关于颁发《{M}》的通知", M),  # none read 颁发
    (f"江西省农业农村厅关于修订印发《{M}》的通知", M),  # C: None
    (f"江西省农业农村厅关于重新印发《{M}》的通知", M),  # C: None
    (f"江西省农业农村厅关于印发修订后的《{M}》的通知", M),  # S: None
    (f"江西省农业农村厅关于修订《{M}》的通知", M),  # L, C: None (the revised measure, whole)
    ("关于修订<商丘市住房公积金个人住房贷款管理办法>的通知",  # real (clauses c016)
     "商丘市住房公积金个人住房贷款管理办法"),  # L, C: None
    (f"江西省人民政府关于修订《{M}》的决定", None),  # an amendment decision: articles changed only
    (f"江西省农业农村厅关于制定《{M}》的通知", None),  # S: M (制定 is not printing)
    ("国务院批转发展改革委关于2009年深化经济体制改革工作意见的通知",
     "发展改革委关于2009年深化经济体制改革工作意见"),  # L, C: None; S: 展改革委… (转发 in 批转发展)
    (f"江西省农业农村厅关于颁布实施{M}的通知", M),  # C: 实施{M}; L, S: None
    # --- the verb's place: after 关于, or after the issuer when no 关于 comes first
    (f"江西省农业农村厅印发《{M}》的通知", M),  # L, C: None
    ("江西省人民政府办公厅印发关于金融支持防控疫情稳定经济增长若干措施的通知",  # real
     "关于金融支持防控疫情稳定经济增长若干措施"),  # L, C: None
    ("江西省市场监管局印发《关于有效应对疫情促进经济稳定增长若干举措》的通知",  # real (clauses)
     "关于有效应对疫情促进经济稳定增长若干举措"),  # L, C: None
    ("江西省农业农村厅关于规范发布政府信息工作的通知", None),  # S: 政府信息工作
    ("江西省卫生健康委员会关于规范政府规章制定程序有关事项的通知", None),  # S: 程序有关事项 (mirror)
    # --- endings
    ("江西省市场监督管理局关于发布《江西省地方标准管理办法》的公告",
     "江西省地方标准管理办法"),  # C: None
    ("江西省公安厅关于发布《江西省道路交通安全管理规定》的通告",
     "江西省道路交通安全管理规定"),  # none read 通告
    (f"江西省农业农村厅关于印发《{M}》的函", M),  # S: None
    ("江西省人民政府关于颁布《江西省科学技术奖励办法》的决定", "江西省科学技术奖励办法"),  # S: None
    (f"江西省农业农村厅关于印发《{M}》通知", M),  # L, S: None (的 left out)
    (f"江西省农业农村厅关于印发《{M}》的通知（赣农规〔2023〕5号）", M),  # all agreed (aside)
    ("关于优化灵活就业人员住房公积金缴存使用政策的通知 长金管委〔2026〕2号", None),  # real
    # --- quotes
    (f"江西省农业农村厅关于印发〈{M}〉的通知", M),  # L, C: None
    ("关于印发〈关于进一步加强商业办公类建设项目全过程管理的实施意见(试行)〉的通知",  # real
     "关于进一步加强商业办公类建设项目全过程管理的实施意见(试行)"),  # L, C: None
    (f"江西省农业农村厅关于印发<{M}>的通知", M),  # L, C: None
    ("邓州市人民政府关于印发<邓州市促进中心城区房地产市场平稳健康发展的若干措施(试行)>的通知",
     "邓州市促进中心城区房地产市场平稳健康发展的若干措施(试行)"),  # real (clauses); L, C: None
    (f"江西省农业农村厅关于印发《{M}》和《江西省种畜禽生产经营许可管理办法》的通知",
     M),  # C: "X》和《Y"; S: None — the first of the two
    (f"江西省农业农村厅关于印发《{M}》等3个文件的通知", M),  # S, C: None
    (f"江西省农业农村厅关于印发《{M}》（试行）的通知", f"{M}（试行）"),  # L: M; S, C: None
    ("江西省人民政府关于印发《江西省湿地保护条例》实施细则的通知", None),  # L: the 条例; C: …细则
    (f"江西省农业农村厅关于贯彻落实省政府关于印发《{M}》的通知精神的通知", None),  # L, S: M
    (f"江西省农业农村厅关于印发《关于〈{M[:-2]}条例〉的实施办法》的通知",
     f"关于〈{M[:-2]}条例〉的实施办法"),  # S: None
    ("江西省人民政府办公厅关于转发国家发展改革委 财政部 自然资源部《关于推进农业水价综合改革的"
     "意见》的通知", "关于推进农业水价综合改革的意见"),  # S: None; C: None (issuers > 12 chars)
    # --- without quotes: the measure ends as measures do
    (f"江西省农业农村厅关于印发{M}(暂行)的通知", f"{M}(暂行)"),  # L: None; C: None (NFKC'd （）)
    (f"江西省农业农村厅关于印发{M}（暂行）的通知", f"{M}（暂行）"),  # L, C: None
    ("关于印发明溪县促进房地产市场平稳健康发展若干措施（修订）的通知",  # real
     "明溪县促进房地产市场平稳健康发展若干措施（修订）"),  # L, C: None
    ("江西省人民政府办公厅关于印发积极应对当前疫情充分依托“赣服通”平台为企业和群众提供优质高效"
     "服务十项举措的通知",  # real: L, C: None (举措)
     "积极应对当前疫情充分依托“赣服通”平台为企业和群众提供优质高效服务十项举措"),
    ("关于印发重庆市促进房地产业良性循环和健康发展若干措施的通知",  # real: L: None
     "重庆市促进房地产业良性循环和健康发展若干措施"),
    ("桂林市住房和城乡建设局等7部门关于印发促进桂林市房地产市场平稳健康发展的通知",  # real
     None),  # S: 促进桂林市…发展 — no measure word: the title does not say what it prints
    ("江西省农业农村厅关于转发省政府办公厅关于加强农村集体资产管理工作的通知的通知",
     "省政府办公厅关于加强农村集体资产管理工作的通知"),  # S: …工作 (的通知 cut); L, C: None
    (f"江西省农业农村厅关于转发省政府关于印发{M}的通知的通知", M),  # L, C: None
    # --- titles cut or glued in a list (an unclosed 《)
    ("昆明市人民政府办公室发布《关于印发昆明市进一步促进房地产市场平稳健康发展若干措施的通知",
     "昆明市进一步促进房地产市场平稳健康发展若干措施"),  # real (clauses); S: 关于印发昆明市…
    ("郑州住房公积金管理中心印发《关于住房公积金提取和贷款有关事项的通知", None),  # real; S: …事项
    # --- not a notice
    (M, None),
    ("江西省人民政府办公厅关于加强农村集体资产管理工作的通知", None),
]  # fmt: skip


@pytest.mark.parametrize(("title", "measure"), CASES, ids=[t for t, _ in CASES])
def test_notice_measure(title: str, measure: str | None) -> None:
    assert notice_measure(title) == measure


@pytest.mark.parametrize(("title", "measure"), CASES, ids=[t for t, _ in CASES])
def test_callers_read_it_alike(title: str, measure: str | None) -> None:
    """The linker knows the document by the measure, the splitter names its articles so, and a
    list naming the measure alone finds the notice in the checker."""
    inner = [name for name, form in document_names(title).items() if form == "inner"]
    assert inner == ([normalize_title(measure)] if measure else [])
    assert measure_of_title(title) == (measure or "".join(title.split()))
    assert parse(title).keys.get(MEASURE) == (title_key(measure) if measure else None)


def test_spaces_do_not_change_the_reading() -> None:
    """Titles come with spaces a page put in (line breaks of a heading, issuers set apart)."""
    assert notice_measure(f"江西省农业农村厅 关于印发\n《{M}》 的通知") == M
    assert notice_measure(None) is None
    assert notice_measure("") is None
