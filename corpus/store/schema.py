"""The shape of the SQLite library: tables, indexes, views, applied as numbered migrations.

``ensure_db_shape(db)`` is idempotent: it applies the migrations the file has not seen yet
(tracked in ``PRAGMA user_version``) and nothing else. Schema changes are new migrations, never
edits of old ones, so a library built by an older version upgrades in place without losing rows.

Ids are integers derived from the page URL (``corpus.store.identity.stable_id``): stable across machines and rebuilds,
and they alias SQLite's rowid, so the full-text index can key on them and survive VACUUM.
"""

from __future__ import annotations

import sqlite_utils

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
    # interpretation links: how soon each followed its document, review notes, and the 解读率
    # per department and year (corpus/links/linker.py, corpus/links/rates.py)
    """
    ALTER TABLE document_interpretations ADD COLUMN days_after INTEGER;  -- interpretation − document
    ALTER TABLE document_interpretations ADD COLUMN synchronous INTEGER; -- 1: 同步发布 (not after it)
    ALTER TABLE interpretations ADD COLUMN link_note TEXT;  -- why no document was linked (review)

    -- built: each document's issuers, canonical, one row per issuer (joint documents several)
    CREATE TABLE document_departments (
        document_id INTEGER NOT NULL REFERENCES documents(id),
        department TEXT NOT NULL,
        PRIMARY KEY (document_id, department)
    );
    CREATE INDEX idx_document_departments_department ON document_departments(department);

    -- rules and normative documents with at least one interpretation ÷ all, per issuer and year
    CREATE VIEW interpretation_rates AS
    SELECT dd.department AS department,
           d.year AS year,
           count(*) AS documents,
           sum(d.interpretation_count > 0) AS interpreted,
           sum(EXISTS (SELECT 1 FROM document_interpretations di
                       WHERE di.document_id = d.id AND di.synchronous = 1)) AS interpreted_same_day,
           round(100.0 * sum(d.interpretation_count > 0) / count(*), 1) AS rate,
           round(100.0 * sum(EXISTS (SELECT 1 FROM document_interpretations di
                       WHERE di.document_id = d.id AND di.synchronous = 1)) / count(*), 1)
               AS same_day_rate,
           90 AS target
    FROM document_departments dd JOIN documents d ON d.id = dd.document_id
    WHERE d.kind IN ('rule', 'normative')
    GROUP BY dd.department, d.year;
    """,
    # crawling as a service (crawler/incremental.py, corpus/store/save.py, corpus/refresh.py):
    # content versions, removed pages, HTTP validators, each column's list as last seen, and
    # honest runs (errors by class and outcome, blocked hosts, duration, requests)
    """
    ALTER TABLE documents ADD COLUMN removed_at TEXT;  -- gone from its site (404/410); kept
    ALTER TABLE interpretations ADD COLUMN removed_at TEXT;

    -- every content a page has had, oldest first; the newest equals the documents row
    CREATE TABLE document_versions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        parent_table TEXT NOT NULL,  -- documents | interpretations
        parent_id INTEGER NOT NULL,
        url TEXT NOT NULL,
        version INTEGER NOT NULL,    -- 1, 2, … per page
        content_hash TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        title TEXT,
        validity_raw TEXT,
        body_text TEXT,
        record TEXT,                 -- JSON: every parsed field of that version but the body
        UNIQUE (parent_table, parent_id, version)
    );
    CREATE INDEX idx_document_versions_url ON document_versions(url);

    -- what the server said of each page last time: validators for conditional requests
    CREATE TABLE http_state (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        content_hash TEXT,
        status INTEGER,
        last_checked_at TEXT,
        last_changed_at TEXT
    );

    -- each column's list as last seen: an incremental crawl stops where it reaches these
    CREATE TABLE column_items (
        column_url TEXT NOT NULL,
        url TEXT NOT NULL,
        title TEXT,                  -- as listed
        date TEXT,                   -- as listed (raw)
        first_listed_at TEXT,
        last_listed_at TEXT,
        PRIMARY KEY (column_url, url)
    );
    ALTER TABLE columns ADD COLUMN last_complete_at TEXT;   -- last run that accounted for all
    ALTER TABLE columns ADD COLUMN last_full_walk_at TEXT;  -- last run that walked the whole list

    ALTER TABLE crawl_runs ADD COLUMN pid INTEGER;          -- tells a running crawl from a killed one
    ALTER TABLE crawl_runs ADD COLUMN seconds REAL;
    ALTER TABLE crawl_runs ADD COLUMN requests INTEGER;     -- HTTP requests made
    ALTER TABLE crawl_runs ADD COLUMN known INTEGER;        -- items up to date without a download
    ALTER TABLE crawl_runs ADD COLUMN removed INTEGER;      -- pages found gone from their site
    ALTER TABLE crawl_runs ADD COLUMN errors_by_class TEXT; -- JSON {class: n}, failures only
    ALTER TABLE crawl_run_columns ADD COLUMN known INTEGER;
    ALTER TABLE crawl_run_columns ADD COLUMN not_modified INTEGER;  -- answered 304
    ALTER TABLE crawl_run_columns ADD COLUMN removed INTEGER;
    ALTER TABLE crawl_run_columns ADD COLUMN mode TEXT;     -- full | incremental
    ALTER TABLE crawl_errors ADD COLUMN outcome TEXT DEFAULT 'failed';  -- failed | retried | repaired

    -- hosts that answered with an anti-bot challenge, and were requested no more that run
    CREATE TABLE blocked_hosts (
        run_id INTEGER,
        host TEXT NOT NULL,
        site TEXT,
        url TEXT,                    -- the request that met the challenge
        status INTEGER,
        reason TEXT,
        at TEXT NOT NULL,
        PRIMARY KEY (run_id, host)
    );

    -- per site: when it was last crawled and last complete, what it holds, what is missing
    CREATE VIEW site_freshness AS
    SELECT s.name AS site,
           s.title AS title,
           s.last_crawled_at AS last_crawled_at,
           CASE WHEN EXISTS (SELECT 1 FROM columns c
                             WHERE c.site = s.name AND c.last_complete_at IS NULL) THEN NULL
                ELSE (SELECT min(c.last_complete_at) FROM columns c WHERE c.site = s.name)
           END AS last_complete_at,
           (SELECT count(*) FROM documents d WHERE d.site = s.name AND d.removed_at IS NULL)
               AS documents,
           (SELECT count(*) FROM interpretations i WHERE i.site = s.name AND i.removed_at IS NULL)
               AS interpretations,
           (SELECT count(*) FROM documents d WHERE d.site = s.name AND d.removed_at IS NOT NULL)
             + (SELECT count(*) FROM interpretations i
                WHERE i.site = s.name AND i.removed_at IS NOT NULL) AS removed,
           (SELECT min(h.last_checked_at) FROM http_state h JOIN (
                SELECT url FROM documents WHERE site = s.name AND removed_at IS NULL
                UNION ALL
                SELECT url FROM interpretations WHERE site = s.name AND removed_at IS NULL
            ) x ON x.url = h.url) AS oldest_check,
           (SELECT b.reason || ' (' || b.at || ')' FROM blocked_hosts b WHERE b.site = s.name
             ORDER BY b.at DESC LIMIT 1) AS last_blocked
    FROM sites s;
    """,
    # validity from other documents: evidence sources, relations, status history
    # (corpus/validity/rules.py, corpus/validity/relations.py, corpus/validity/step.py)
    """
    ALTER TABLE validity_evidence ADD COLUMN source_document_id INTEGER REFERENCES documents(id);
    ALTER TABLE validity_evidence ADD COLUMN source_url TEXT;  -- the page or attachment it is in
    ALTER TABLE validity_evidence ADD COLUMN note TEXT;        -- pending, undatable, date source
    CREATE INDEX idx_validity_evidence_source ON validity_evidence(source_document_id);

    -- built: what documents do to each other, with the words that say so
    CREATE TABLE relations (
        id INTEGER PRIMARY KEY,
        from_document_id INTEGER NOT NULL REFERENCES documents(id),
        to_document_id INTEGER REFERENCES documents(id),  -- NULL: no stored document (review)
        relation TEXT NOT NULL,     -- repeals | replaces | amends | cites
        quote TEXT,
        source_url TEXT,            -- the page or attachment the quote is in
        to_title TEXT,              -- the title and 文号 as quoted
        to_doc_number TEXT,
        method TEXT,                -- doc_number | title | none
        effective_date TEXT,        -- when it takes effect (the 施行日期 of the from document)
        note TEXT
    );
    CREATE INDEX idx_relations_from ON relations(from_document_id);
    CREATE INDEX idx_relations_to ON relations(to_document_id);

    -- every change of a document's status between builds (the first build records them all)
    CREATE TABLE status_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        document_id INTEGER NOT NULL REFERENCES documents(id),
        as_of TEXT NOT NULL,
        built_at TEXT NOT NULL,
        old_status TEXT,            -- NULL on the first build
        old_as_of TEXT,
        new_status TEXT NOT NULL,
        why TEXT                    -- the new status_basis
    );
    CREATE INDEX idx_status_history_doc ON status_history(document_id, as_of);
    """,
    # search (corpus/search/index.py): each row's rowid in the full-text index, numbered by
    # publication date, so the index stays small (dense rowids) and newest-first ranking reads few
    # rows; metadata.yml names it as the tables' fts_pk
    """
    ALTER TABLE documents ADD COLUMN search_rowid INTEGER;
    CREATE UNIQUE INDEX idx_documents_search_rowid ON documents(search_rowid);
    ALTER TABLE interpretations ADD COLUMN search_rowid INTEGER;
    CREATE UNIQUE INDEX idx_interpretations_search_rowid ON interpretations(search_rowid);
    """,
    # search: the search_rowid indexes also hold the sort and facet columns, so Datasette's
    # ?_search= page (sorted, counted, faceted) never reads the rows of its matches — about 5×
    # faster on common words (bench/README.md); not unique, so numbers can move between rows
    """
    DROP INDEX idx_documents_search_rowid;
    CREATE INDEX idx_documents_search_rowid
        ON documents(search_rowid, published_date, kind, status, year, site, issuer);
    DROP INDEX idx_interpretations_search_rowid;
    CREATE INDEX idx_interpretations_search_rowid
        ON interpretations(search_rowid, published_date, form, site);
    """,
    # keywords (corpus/search/keywords.py): jieba TF-IDF words as a JSON array, and the content hash
    # they were computed from, so a build recomputes them only for changed rows
    """
    ALTER TABLE documents ADD COLUMN keywords TEXT;
    ALTER TABLE documents ADD COLUMN keywords_hash TEXT;
    ALTER TABLE interpretations ADD COLUMN keywords TEXT;
    ALTER TABLE interpretations ADD COLUMN keywords_hash TEXT;
    """,
    # an attachment read before is looked up by its URL for every attachment a crawl meets
    # (crawler/incremental.py, ``known_attachment``): without an index, a scan of them all
    """
    CREATE INDEX idx_attachments_url ON attachments(url);
    """,
    # articles (corpus/articles): every document by its structure — 编 章 节 条 款 项, or a
    # notice's numbered parts — split from its body, or from the attachment that holds the measure
    # an issuing notice prints; recomputed only where a document changed (articles_hash)
    """
    CREATE TABLE articles (
        document_id INTEGER NOT NULL REFERENCES documents(id),
        ordinal INTEGER NOT NULL,    -- 1, 2, … in document order
        kind TEXT NOT NULL,          -- 编 章 节 条 款 项, or 部分 (a numbered part of a notice)
        number TEXT NOT NULL,        -- as written: 第十二条, 第二章, （三）, 一、; 款 counted: 第二款
        path TEXT NOT NULL,          -- 第二章/第十二条/第二款/（三）
        anchor TEXT NOT NULL,        -- its anchor on the document page: …/documents/ID#第十二条
        heading TEXT,                -- 总则; an article's own title; a part's short title
        text TEXT,                   -- its text (编/章/节: the heading line)
        value INTEGER,               -- the number as an integer (12 for 第十二条)
        measure TEXT,                -- the title of the measure it belongs to (what 《…》 cites)
        attachment_id INTEGER REFERENCES attachments(id),  -- NULL: split from the body
        start INTEGER,               -- where it starts and stops in that text (characters)
        stop INTEGER,
        PRIMARY KEY (document_id, ordinal)
    );
    -- 《title》第N条 → the article; the search: which article of a body an offset is in
    CREATE INDEX idx_articles_measure ON articles(measure, value) WHERE kind = '条';
    CREATE INDEX idx_articles_at ON articles(document_id, start)
        WHERE kind = '条' AND attachment_id IS NULL;
    ALTER TABLE documents ADD COLUMN article_count INTEGER DEFAULT 0;  -- its 条
    ALTER TABLE documents ADD COLUMN articles_hash TEXT;  -- the content they were split from
    """,
    # facets (issue 16): one index per facet column, then the sort column, then the other facet
    # columns. A table view filtered on one of them (?status=现行有效, ?kind=…&year__gte=…) counts,
    # facets and pages its rows from the index alone: the first 50 rows in published_date order
    # without sorting every match, each facet's counts without reading a row (status sits after
    # body_text in the row, so reading it walks the text's overflow pages). They replace the
    # one-column indexes, of which each is a prefix.
    """
    DROP INDEX idx_documents_site;
    DROP INDEX idx_documents_kind;
    DROP INDEX idx_documents_status;
    DROP INDEX idx_documents_issuer;
    DROP INDEX idx_documents_year;
    CREATE INDEX idx_documents_facet_status
        ON documents(status, published_date, kind, issuer, year, site);
    CREATE INDEX idx_documents_facet_kind
        ON documents(kind, published_date, status, issuer, year, site);
    CREATE INDEX idx_documents_facet_issuer
        ON documents(issuer, published_date, kind, status, year, site);
    CREATE INDEX idx_documents_facet_year
        ON documents(year, published_date, kind, status, issuer, site);
    CREATE INDEX idx_documents_facet_site
        ON documents(site, published_date, kind, status, issuer, year);
    """,
    # the distributed crawl (crawler/distributed/): its one writer counts a run's columns from
    # what it stores, not from the workers' copies of the walk. Per run: each page's outcome and
    # the column credited with it, which URLs each column listed, the increments the workers saw
    # (errors, removals, notes), and the last stream entry applied, written in the same
    # transaction as the items so a restarted writer applies nothing twice. The first three are
    # emptied when the run is closed; its crawl_run_columns rows stay.
    """
    CREATE TABLE crawl_run_pages (
        run_id INTEGER NOT NULL,
        url TEXT NOT NULL,
        column_url TEXT,            -- the column credited with storing it (the record's)
        outcome TEXT NOT NULL,      -- fetched | known | not_modified | removed
        stored TEXT,                -- new | changed | unchanged (fetched pages)
        PRIMARY KEY (run_id, url)
    );
    CREATE TABLE crawl_run_listed (
        run_id INTEGER NOT NULL,
        column_url TEXT NOT NULL,
        url TEXT NOT NULL,
        late INTEGER DEFAULT 0,     -- 1: not listed, re-checked for the column at the run's end
        PRIMARY KEY (run_id, column_url, url)
    );
    CREATE TABLE crawl_run_tally (
        run_id INTEGER NOT NULL,
        column_url TEXT NOT NULL,
        what TEXT NOT NULL,         -- errors | removed | note
        value TEXT NOT NULL         -- an increment, or a note's words
    );
    CREATE INDEX idx_crawl_run_tally_run ON crawl_run_tally(run_id, column_url);
    CREATE TABLE crawl_run_stream (
        run_id INTEGER PRIMARY KEY,
        last_id TEXT NOT NULL       -- the last Redis stream entry applied (ms-seq)
    );
    """,
    # what the site's pages count, counted once by the build (corpus/counts, issue 16): each
    # view of documents and interpretations with no filter or one facet filter (its rows and
    # its facets' values), every table's rows, documents per department by status, kind and
    # site, the 解读率 rows, each department's 现行有效目录 numbered, each search_rowid's facet
    # values (for a search's facets), and the build they are of. Then an index in the order of
    # the tables' default sort (newest first, then id): a later page (Datasette's ?_next=, whose
    # `published_date < :p or published_date is null or …` the one-column index could only
    # answer with a MULTI-INDEX OR and a sort of every row) reads it from its place on.
    """
    CREATE TABLE facet_counts (
        table_name TEXT NOT NULL,
        filter_column TEXT NOT NULL,   -- '' the whole table, else the view's one filter column
        filter_value,                  -- its value as stored (no affinity: 2020 stays an integer)
        facet_column TEXT NOT NULL,    -- '' the view's number of rows
        value,                         -- the facet value as stored
        count INTEGER NOT NULL
    );
    CREATE INDEX idx_facet_counts_view
        ON facet_counts(table_name, filter_column, filter_value, facet_column, count DESC, value);
    CREATE TABLE department_counts (
        department TEXT NOT NULL,
        status TEXT,
        kind TEXT,
        site TEXT,
        count INTEGER NOT NULL
    );
    CREATE INDEX idx_department_counts_department ON department_counts(department);
    CREATE INDEX idx_department_counts_site ON department_counts(site);
    CREATE TABLE department_rates (   -- the interpretation_rates view's rows
        department TEXT NOT NULL,
        year INTEGER,
        documents INTEGER NOT NULL,
        interpreted INTEGER NOT NULL,
        interpreted_same_day INTEGER NOT NULL
    );
    CREATE INDEX idx_department_rates_department ON department_rates(department, year);
    CREATE TABLE department_catalogue (  -- a department's 现行有效目录 in its order
        department TEXT NOT NULL,
        seq INTEGER NOT NULL,
        document_id INTEGER NOT NULL,
        PRIMARY KEY (department, seq)
    ) WITHOUT ROWID;
    CREATE TABLE search_facets (
        table_name TEXT PRIMARY KEY,
        columns TEXT NOT NULL,         -- JSON: the facet columns
        combos TEXT NOT NULL,          -- JSON: every combination of their values
        codes BLOB NOT NULL            -- int32 little-endian per search_rowid: its combination
    );
    CREATE TABLE counts_built (built_at TEXT NOT NULL);  -- build_info's built_at of the counts
    CREATE INDEX idx_documents_newest ON documents(published_date DESC);
    CREATE INDEX idx_interpretations_newest ON interpretations(published_date DESC);
    """,
    # the status changes (issue 16): the feeds (corpus/site/follow.py) read the newest changes
    # first; the first build's rows, one per document and never a change, are left out of this
    # index, so a library of a million documents and few changes reads only those
    """
    CREATE INDEX idx_status_history_changes ON status_history(id) WHERE old_status IS NOT NULL;
    """,
    # the 施行 and end dates a page's metadata states (实施日期, 生效日期; 有效期至, 信息时效期,
    # 废止日期), as shown, with their labels: the publisher's evidence, which the build weighs
    # after the document's own clauses (corpus/validity/terms.py). Empty in rows crawled before.
    """
    ALTER TABLE documents ADD COLUMN page_effective_label TEXT DEFAULT '';
    ALTER TABLE documents ADD COLUMN page_effective_raw TEXT DEFAULT '';
    ALTER TABLE documents ADD COLUMN page_expiry_label TEXT DEFAULT '';
    ALTER TABLE documents ADD COLUMN page_expiry_raw TEXT DEFAULT '';
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
