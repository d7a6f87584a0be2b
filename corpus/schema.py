"""The shape of the SQLite library: tables, indexes, views, applied as numbered migrations.

``ensure_db_shape(db)`` is idempotent: it applies the migrations the file has not seen yet
(tracked in ``PRAGMA user_version``) and nothing else. Schema changes are new migrations, never
edits of old ones, so a library built by an older version upgrades in place without losing rows.

Ids are integers derived from the page URL (``stable_id``): stable across machines and rebuilds,
and they alias SQLite's rowid, so the full-text index can key on them and survive VACUUM.
"""

from __future__ import annotations

import hashlib
import re

import sqlite_utils

_TRACKING = re.compile(r"[?&]xxgkhide=1")


def canonical_url(url: str) -> str:
    """The URL that identifies a page: Hanweb's ``?xxgkhide=1`` display flag dropped."""
    url = _TRACKING.sub("", url)
    return url.rstrip("?&")


def stable_id(url: str) -> int:
    """A 60-bit integer id for the page at ``url`` (same URL, same id, on every machine)."""
    return int(hashlib.sha256(canonical_url(url).encode()).hexdigest()[:15], 16)


MIGRATIONS: list[str] = [
    # 1: the first library
    """
    CREATE TABLE sites (
        name TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        family TEXT NOT NULL,
        province TEXT,
        home_url TEXT,
        registry TEXT,             -- the sites file this entry came from
        verified INTEGER DEFAULT 1,
        last_crawled_at TEXT
    );
    CREATE TABLE columns (
        url TEXT PRIMARY KEY,
        site TEXT NOT NULL REFERENCES sites(name),
        kind TEXT NOT NULL,
        title TEXT,
        params TEXT,               -- JSON: what the spider discovered (webid, unitid, columnid …)
        reported_total INTEGER,    -- what the site says it has
        last_crawled_at TEXT
    );
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        site TEXT NOT NULL REFERENCES sites(name),
        column_url TEXT,
        kind TEXT NOT NULL,        -- rule | normative | policy
        title TEXT NOT NULL,
        doc_number TEXT,           -- canonical 文号, e.g. 赣府厅字〔2022〕49号
        doc_number_raw TEXT,
        issuer TEXT,
        written_date TEXT,         -- 成文日期, ISO
        written_date_raw TEXT,
        published_date TEXT,       -- 发布日期, ISO
        published_date_raw TEXT,
        year INTEGER,
        validity_raw TEXT,         -- the page's own 有效性 as shown
        index_no TEXT,
        subject TEXT,
        unified_no TEXT,
        body_text TEXT,
        meta TEXT,                 -- JSON of head meta tags
        content_hash TEXT,
        first_seen_at TEXT,
        fetched_at TEXT,
        -- derived by `normdocs build`, recomputed from the stored text on every build
        effective_date TEXT,
        effective_date_raw TEXT,
        expires_on TEXT,
        term_raw TEXT,
        status TEXT DEFAULT '未知',
        status_basis TEXT,
        status_as_of TEXT,
        interpretation_count INTEGER DEFAULT 0
    );
    CREATE INDEX idx_documents_site ON documents(site);
    CREATE INDEX idx_documents_kind ON documents(kind);
    CREATE INDEX idx_documents_status ON documents(status);
    CREATE INDEX idx_documents_issuer ON documents(issuer);
    CREATE INDEX idx_documents_year ON documents(year);
    CREATE INDEX idx_documents_published ON documents(published_date);
    CREATE INDEX idx_documents_doc_number ON documents(doc_number);

    CREATE TABLE interpretations (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        site TEXT NOT NULL REFERENCES sites(name),
        column_url TEXT,
        title TEXT NOT NULL,
        published_date TEXT,
        published_date_raw TEXT,
        source TEXT,
        form TEXT,
        body_text TEXT,
        meta TEXT,
        content_hash TEXT,
        first_seen_at TEXT,
        fetched_at TEXT,
        document_count INTEGER DEFAULT 0
    );
    CREATE INDEX idx_interpretations_site ON interpretations(site);
    CREATE INDEX idx_interpretations_published ON interpretations(published_date);

    CREATE TABLE attachments (
        id INTEGER PRIMARY KEY,    -- stable_id(parent url + attachment url)
        parent_id INTEGER NOT NULL,
        parent_table TEXT NOT NULL,  -- documents | interpretations
        url TEXT NOT NULL,
        name TEXT,
        ext TEXT,
        size INTEGER,
        text TEXT,
        error TEXT
    );
    CREATE INDEX idx_attachments_parent ON attachments(parent_table, parent_id);

    -- hyperlinks between pages exactly as found on them (raw evidence for the linker)
    CREATE TABLE page_links (
        from_id INTEGER NOT NULL,
        from_table TEXT NOT NULL,
        to_url TEXT NOT NULL,
        text TEXT,
        role TEXT NOT NULL,        -- interpretation | document
        label TEXT,
        PRIMARY KEY (from_id, to_url)
    );
    CREATE INDEX idx_page_links_to ON page_links(to_url);

    -- built: which interpretation explains which document, how we know, how sure we are
    CREATE TABLE document_interpretations (
        document_id INTEGER NOT NULL REFERENCES documents(id),
        interpretation_id INTEGER NOT NULL REFERENCES interpretations(id),
        method TEXT NOT NULL,      -- link_from_document | link_from_interpretation | title_quote | doc_number
        confidence REAL NOT NULL,
        evidence TEXT,
        PRIMARY KEY (document_id, interpretation_id)
    );
    CREATE INDEX idx_di_interpretation ON document_interpretations(interpretation_id);

    -- built: every piece of evidence about a document's validity, shown on its page
    CREATE TABLE validity_evidence (
        document_id INTEGER NOT NULL REFERENCES documents(id),
        status TEXT NOT NULL,      -- the status this evidence supports
        kind TEXT NOT NULL,        -- page_field | term | effective_date | list | decision | clause
        quote TEXT,
        source TEXT,               -- URL or document the evidence comes from
        date TEXT,
        wins INTEGER DEFAULT 0     -- 1 for the evidence that decided the status
    );
    CREATE INDEX idx_validity_evidence_doc ON validity_evidence(document_id);

    CREATE TABLE crawl_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        sites_file TEXT,
        site TEXT,                 -- the --site filter, if any
        reported INTEGER,          -- items the sites say their columns have
        listed INTEGER,            -- items seen in the column lists
        fetched INTEGER,           -- detail pages fetched and parsed
        stored INTEGER,            -- records new or changed
        errors INTEGER DEFAULT 0,
        complete INTEGER,          -- 0 when any column fetched fewer than it reported
        finish_reason TEXT,
        stats TEXT                 -- JSON of the Scrapy stats
    );
    CREATE TABLE crawl_run_columns (
        run_id INTEGER NOT NULL REFERENCES crawl_runs(id),
        column_url TEXT NOT NULL,
        site TEXT,
        kind TEXT,
        reported INTEGER,
        listed INTEGER,
        fetched INTEGER,
        new INTEGER,
        changed INTEGER,
        unchanged INTEGER,
        errors INTEGER,
        complete INTEGER,
        note TEXT,                 -- why a column is incomplete, in words
        PRIMARY KEY (run_id, column_url)
    );
    CREATE TABLE crawl_errors (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER,
        at TEXT NOT NULL,
        site TEXT,
        url TEXT NOT NULL,
        error_class TEXT NOT NULL,
        status INTEGER,
        reason TEXT
    );
    CREATE INDEX idx_crawl_errors_run ON crawl_errors(run_id);

    CREATE TABLE build_info (
        key TEXT PRIMARY KEY,
        value TEXT
    );
    """,
]


def ensure_db_shape(db: sqlite_utils.Database) -> None:
    """Bring ``db`` up to the current schema; safe to call on every open."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number, sql in enumerate(MIGRATIONS, start=1):
        if number <= version:
            continue
        # One transaction per migration: a failure leaves the file at the previous version.
        db.conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")


def open_db(path: str) -> sqlite_utils.Database:
    """Open (creating if needed) the library at ``path`` in WAL mode with the current schema."""
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA busy_timeout = 30000")
    db.enable_wal()
    ensure_db_shape(db)
    return db
