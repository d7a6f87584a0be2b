"""The check page (``/check``): a whole list of documents checked at once.

A reader pastes lines (titles, 文号, or both) or uploads a CSV or XLSX whose first column holds
them, picks the date the statuses should hold as of (the build's by default), and gets one row
per line: the matched document with a link to its page, how it matched, its status as of that
date and why — or every candidate when several documents fit, or nothing. The same results
download as XLSX and as CSV for Excel: the results page carries its inputs and date in its
download form, so each download checks the list again (nothing is kept on the server).

The matching is ``corpus.check`` (the same as ``normdocs check``); the library's index is read
once per published file. The page changes nothing, so it is exempt from Datasette's CSRF token
(``corpus.site.plugin.skip_csrf``): a token signed by one worker of the production server would
be refused by another.
"""

from __future__ import annotations

import json
import weakref
from collections import Counter
from datetime import date
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qs, quote

from datasette.database import Database
from datasette.utils.asgi import NotFound, Response

from corpus.check.files import FORMATS, MAX_ROWS, BadFile, read_inputs, write
from corpus.check.match import AMBIGUOUS, MATCHES, UNMATCHED, Library, check
from corpus.site import pages as site_pages
from corpus.site.names import DB_NAME

PATH = "/check"
MAX_BODY = 30 * 1024 * 1024  # an upload of 100,000 rows is a few MB
SHOWN = 2000  # rows shown on the page; the downloads have all
MATCH_LABELS = {
    "title+doc_number": "标题与文号",
    "doc_number": "文号",
    "title": "标题",
    "title_without_issuer": "标题（略去发文机关）",
    "measure_title": "所印发文件的标题",
    "fuzzy_title": "标题近似",
    "ambiguous": "多个候选",
    "unmatched": "未匹配",
}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
}

_LIBRARIES: weakref.WeakKeyDictionary[Database, Library] = weakref.WeakKeyDictionary()


class _Refused(ValueError):
    """A request the page answers with its form and a message (HTTP 400)."""


async def check_page(datasette, request):
    """``/check``: the form (GET), the results or a download of them (POST)."""
    db = datasette.databases.get(DB_NAME)
    if db is None:
        raise NotFound("没有文库")
    built = await site_pages.as_of(db)
    context = {"nd_built": built, "nd_as_of": built or "", "nd_lines": "", "nd_error": None,
               "nd_labels": MATCH_LABELS, "nd_max_rows": MAX_ROWS}  # fmt: skip
    if request.method != "POST":
        return await _page(datasette, request, context)
    try:
        fields, upload = await _form(request)
        context["nd_lines"] = fields.get("lines", "")
        context["nd_as_of"] = fields.get("as_of", "").strip() or context["nd_as_of"]
        as_of = _date(context["nd_as_of"])
        inputs = _inputs(fields, upload)
    except _Refused as exc:
        context["nd_error"] = str(exc)
        return await _page(datasette, request, context, status=400)
    fmt = fields.get("format", "")
    absolute = fmt in FORMATS

    def link(doc_id: int) -> str:
        path = datasette.urls.row(DB_NAME, "documents", str(doc_id))
        return datasette.absolute_url(request, path) if absolute else path

    def run(conn):
        library = None if db.is_mutable else _LIBRARIES.get(db)
        if library is None:
            library = Library.load(conn)
            if not db.is_mutable:
                _LIBRARIES[db] = library
        return check(conn, inputs, as_of, library=library, link=link)

    rows = await db.execute_fn(run)
    if absolute:
        name = f"核对结果-{as_of.isoformat() if as_of else built}.{fmt}"
        return Response(
            write(rows, fmt),
            content_type=CONTENT_TYPES[fmt],
            headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
        )
    counts = Counter(r["match"] for r in rows)
    matched = len(rows) - counts[AMBIGUOUS] - counts[UNMATCHED]
    context.update(
        nd_rows=rows[:SHOWN],
        nd_total=len(rows),
        nd_shown=SHOWN,
        nd_counts={"matched": matched, AMBIGUOUS: counts[AMBIGUOUS], UNMATCHED: counts[UNMATCHED]},
        nd_by_match=[(m, counts[m]) for m in MATCHES if counts[m]],
        nd_statuses=Counter(r["status"] for r in rows if r["status"]).most_common(),
        nd_inputs=json.dumps(inputs, ensure_ascii=False),
        nd_lines="" if fields.get("inputs") else context["nd_lines"],
    )
    return await _page(datasette, request, context)


async def _page(datasette, request, context: dict, status: int = 200) -> Response:
    html = await datasette.render_template("check.html", context, request=request)
    return Response.html(html, status=status)


def _date(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise _Refused(f"日期格式不对：{value}（应为 YYYY-MM-DD）") from exc


def _inputs(fields: dict[str, str], upload: tuple[str, bytes] | None) -> list[str]:
    """The lines to check: the results page's own (downloads), else the pasted ones and the
    uploaded file's."""
    if fields.get("inputs"):
        try:
            inputs = json.loads(fields["inputs"])
        except json.JSONDecodeError as exc:
            raise _Refused("下载请求已损坏，请重新核对") from exc
        if not isinstance(inputs, list) or not all(isinstance(i, str) for i in inputs):
            raise _Refused("下载请求已损坏，请重新核对")
        return inputs[:MAX_ROWS]
    inputs = []
    pasted = fields.get("lines", "")
    try:
        if pasted.strip():
            inputs += read_inputs(pasted.encode("utf-8"), "-")
        if upload and upload[1]:
            inputs += read_inputs(upload[1], upload[0] or "upload")
    except BadFile as exc:
        raise _Refused(str(exc)) from exc
    if not inputs:
        raise _Refused("请粘贴要核对的文件标题或文号（每行一个），或上传 CSV/XLSX 文件")
    if len(inputs) > MAX_ROWS:
        raise _Refused(f"行数超过上限：最多 {MAX_ROWS:,} 行，请分批核对")
    return inputs


async def _body(request) -> bytes:
    """The request body, refused beyond ``MAX_BODY``."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY:
        raise _Refused(f"文件太大：最多 {MAX_BODY // 1024 // 1024} MB")
    body, more = b"", True
    while more:
        message = await request.receive()
        body += message.get("body", b"")
        if len(body) > MAX_BODY:
            raise _Refused(f"文件太大：最多 {MAX_BODY // 1024 // 1024} MB")
        more = message.get("more_body", False)
    return body


async def _form(request) -> tuple[dict[str, str], tuple[str, bytes] | None]:
    """The posted fields and the uploaded file (name, bytes), urlencoded or multipart."""
    body = await _body(request)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        return _multipart(content_type, body)
    fields = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    return fields, None


def _multipart(content_type: str, body: bytes) -> tuple[dict[str, str], tuple[str, bytes] | None]:
    """A multipart/form-data body read with the standard library's MIME parser."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise _Refused("无法读取上传的表单")
    fields: dict[str, str] = {}
    upload = None
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            if name == "file" and payload:
                upload = (filename, payload)
        elif name:
            fields[name] = payload.decode(part.get_content_charset() or "utf-8", "replace")
    return fields, upload
