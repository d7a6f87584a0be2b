"""The Chinese words the published site shows for the library's snake_case names and codes.

The data keeps stable snake_case column names and English codes (``normative``, ``title_quote``)
for the API; a reader sees these labels instead, in table headers, facets, filters, query forms
and on the document pages. A name without a label is shown as it is.
"""

from __future__ import annotations

COLUMN_LABELS: dict[str, str] = {
    # documents, interpretations
    "id": "编号",
    "url": "原网页",
    "site": "来源网站",
    "column_url": "所在栏目",
    "kind": "类别",
    "title": "标题",
    "doc_number": "文号",
    "doc_number_raw": "文号（原文）",
    "issuer": "发文机关",
    "written_date": "成文日期",
    "written_date_raw": "成文日期（原文）",
    "published_date": "发布日期",
    "published_date_raw": "发布日期（原文）",
    "year": "年份",
    "validity_raw": "网页标注的有效性",
    "page_effective_label": "网页施行日期栏目",
    "page_effective_raw": "网页标注的施行日期",
    "page_expiry_label": "网页截止日期栏目",
    "page_expiry_raw": "网页标注的截止日期",
    "index_no": "索引号",
    "subject": "主题分类",
    "unified_no": "统一编号",
    "body_text": "正文",
    "meta": "网页元数据",
    "content_hash": "内容摘要",
    "first_seen_at": "首次采集",
    "fetched_at": "最近采集",
    "effective_date": "施行日期",
    "effective_date_raw": "施行日期依据",
    "expires_on": "有效期至",
    "term_raw": "有效期依据",
    "status": "效力状态",
    "status_basis": "判定依据",
    "status_as_of": "判定基准日",
    "interpretation_count": "解读数",
    "removed_at": "从网站撤下",
    "source": "信息来源",
    "form": "解读形式",
    "document_count": "所解读文件数",
    "snippet": "摘要",
    # the ranked search's pages (corpus/site/search_page.py)
    "position": "序号",
    "matches": "共计",
    # articles (corpus/articles) and the search's article column
    "article": "所在条文",
    "article_count": "条数",
    "articles_hash": "拆分条文时的内容摘要",
    "ordinal": "顺序",
    "number": "编号（原文）",
    "path": "位置",
    "anchor": "页内锚点",
    "heading": "标题",
    "value": "序数",
    "measure": "所属文件名称",
    "attachment_id": "所在附件",
    "start": "起始位置",
    "stop": "结束位置",
    # links, evidence, relations, history
    "document_id": "文件",
    "interpretation_id": "政策解读",
    "method": "发现方法",
    "confidence": "置信度",
    "evidence": "依据",
    "quote": "引文",
    "date": "日期",
    "wins": "决定性",
    "relation": "关系",
    "from_document_id": "发出文件",
    "to_document_id": "所涉文件",
    "source_url": "出处",
    "old_status": "原状态",
    "new_status": "新状态",
    "changed_on": "变化日期",
    "reason": "原因",
    # document_versions (also parent_table, parent_id, title … as above)
    "version": "版本",
    "record": "完整记录",
    # attachments
    "parent_id": "所属编号",
    "parent_table": "所属表",
    "name": "名称",
    "ext": "扩展名",
    "size": "大小（字节）",
    "text": "文字",
    "error": "错误",
    # sites, columns, crawl records
    "family": "网站系统",
    "province": "省份",
    "home_url": "网站首页",
    "registry": "站点登记文件",
    "verified": "已核实",
    "last_crawled_at": "最近采集",
    "params": "栏目参数",
    "reported_total": "自报条目数",
    "started_at": "开始时间",
    "finished_at": "结束时间",
    "sites_file": "站点登记文件",
    "reported": "自报数",
    "listed": "列表数",
    "fetched": "已采集",
    "stored": "已存储",
    "errors": "错误数",
    "complete": "完整",
    "finish_reason": "结束原因",
    "stats": "统计",
    "run_id": "采集编号",
    "new": "新增",
    "changed": "变化",
    "unchanged": "未变",
    "note": "说明",
    "at": "时间",
    "error_class": "错误类型",
    # the validity engine's and the linker's tables (relations, status_history, rates …)
    "as_of": "基准日期",
    "old_as_of": "原基准日期",
    "built_at": "构建时间",
    "why": "原因",
    "to_title": "所涉文件标题",
    "to_doc_number": "所涉文件文号",
    "source_document_id": "出自文件",
    "department": "部门",
    "days_after": "相隔天数",
    "synchronous": "同步发布",
    "link_note": "未关联原因",
    "interpreted_same_day": "同步解读",
    "interpreted_later": "事后解读",
    "same_day_rate": "同步解读率",
    "target": "目标",
    "verdict": "结论",
    "shortfall": "距目标差",
    "seq": "序号",
    "direction": "方向",
    "other_id": "另一文件",
    "other_title": "另一文件标题",
    "other_doc_number": "另一文件文号",
    "document_status": "文件状态",
    # query results
    "total": "总数",
    "interpreted": "已解读",
    "same_day": "同步发布",
    "rate": "解读率",
    "documents": "文件数",
    "days_left": "剩余天数",
    "event": "事件",  # the search feed's: 新文件 or 效力变化
}

# Codes stored in the data, as a reader says them. Document kinds, link methods, evidence kinds
# and relations never share a code, so one table serves every column.
VALUE_LABELS: dict[str, str] = {
    # documents.kind / columns.kind
    "rule": "规章",
    "normative": "行政规范性文件",
    "policy": "其他政策文件",
    "interpretation": "政策解读",
    # document_interpretations.method
    "link_from_document": "文件页“相关解读”链接",
    "link_from_interpretation": "解读页“原文链接”",
    "title_quote": "解读标题引用文件标题",
    "opening_quote": "解读开头引用文件标题",
    "doc_number": "解读提及文号",
    # validity_evidence.kind
    "page_field": "网页标注的有效性",
    "term": "有效期",
    "effective_date": "施行日期",
    "list": "官方目录",
    "decision": "废止或修改决定",
    "clause": "后发文件条款",
    # attachments.parent_table
    "documents": "文件",
    "interpretations": "政策解读",
}

# relations.relation as a verb: "本文件废止了《乙》" / "《甲》废止了本文件".
RELATION_LABELS: dict[str, str] = {
    "repeals": "废止了",
    "partly_repeals": "部分废止了",
    "amends": "修改了",
    "replaces": "替代了",
    "cites": "引用了",
}

KIND_OPTIONS: tuple[str, ...] = ("rule", "normative", "policy")

# Canned query parameters: the label of the form field.
PARAM_LABELS: dict[str, str] = {
    "q": "检索词",
    "kind": "类别",
    "status": "效力状态",
    "issuer": "发文机关",
    "site": "来源网站（部门）",
    "dept": "部门",
    "days": "天数",
    "year": "年份",
    "since": "起始日期",
    "until": "截止日期",
    "as_of": "基准日期",
    "from": "起始日期",
    "to": "截止日期",
    "document": "文件编号",
}

# Datasette's filter operators (``filters.lookups()`` keys), in Chinese.
LOOKUP_LABELS: dict[str, str] = {
    "exact": "等于",
    "not": "不等于",
    "contains": "包含",
    "endswith": "结尾是",
    "startswith": "开头是",
    "gt": "大于",
    "gte": "大于等于",
    "lt": "小于",
    "lte": "小于等于",
    "like": "like",
    "notlike": "not like",
    "glob": "glob",
    "in": "属于",
    "notin": "不属于",
    "arraycontains": "数组包含",
    "arraynotcontains": "数组不包含",
    "date": "日期是",
    "isnull": "为空",
    "notnull": "不为空",
    "isblank": "为空白",
    "notblank": "不为空白",
}


def column_label(name: str | None) -> str:
    """The Chinese header for a column name (the name itself when it has none)."""
    if name is None:
        return ""
    return COLUMN_LABELS.get(name, name)


def value_label(value: object) -> str:
    """The Chinese word for a stored code (``normative`` → 行政规范性文件); other values as text."""
    text = "" if value is None else str(value)
    return VALUE_LABELS.get(text, text)


def param_label(name: str) -> str:
    """The label of a canned query's form field."""
    return PARAM_LABELS.get(name, COLUMN_LABELS.get(name, name))
