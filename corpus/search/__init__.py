"""Chinese full-text search: every match found (Ctrl-F semantics), ranked, fast, in any spelling.

The index is plain FTS5 with the stock ``unicode61`` tokenizer, so every SQLite tool can read it;
the Chinese is handled by how the text is written into it. Each run of Han (or other unspaced)
characters becomes overlapping bigrams plus its last character: 生态环境 → ``生态 态环 环境 境``.
Token *i* is character *i* and its successor, so a query of two or more characters is a phrase of
its bigrams and matches exactly where the text contains it as a substring, in any context
(生态环境保护, 生态环境厅, 加强生态环境). A word index (jieba) cannot promise that: the text's
own segmentation may cut it where the query does not (生态|环境厅 against 生态环境), and then the
query misses a text that contains it. Latin letters and digits stay whole words (so 49号 does
not find 149号), full-width forms are folded to ASCII, and punctuation separates tokens, which
lets a 文号 match in every bracket style.

jieba (rjieba, HMM off) is kept where it is strong: a long term typed without spaces that occurs
nowhere as written (养老保险统筹) falls back to the AND of its words — the longest runs of jieba
words that do occur — and those pieces are what the snippet highlights; and jieba's TF-IDF
keywords rank a document that is about the query above one that only mentions it.

Ranking — title ≫ 文号 ≫ keywords ≫ body, then newest first — reads only the newest rows of
each tier (rowids are in publication order) instead of scoring every match. Measured at 10k–1M
documents against LIKE and trigram in bench/search.py (bench/README.md).

The modules, from the text up:

- ``tokens``: text as index tokens (bigrams, anchors, tail tokens, filter codes), the phrase that
  finds a piece of text, jieba's words;
- ``keywords``: each document's TF-IDF keywords, stored by the build;
- ``query``: the query language (terms, quotes, exclusions, 文号 in any spelling, the jieba
  fallback) as an FTS5 expression, per ranking tier; date bounds;
- ``snippets``: the highlighted passage of a result;
- ``index``: building the index and numbering the rows it keys on;
- ``sql``: the SQL functions registered on every connection and the ranked query the site runs.
"""
