"""Documents by article: the structure lawyers read and cite (编, 章, 节, 条, 款, 项).

The modules, from the text up:

- ``numbers``: Chinese numerals (第十二条, 第一百零五条, 第１２条) as integers and back;
- ``split``: pure — a body text (lines joined by "\\n") → its units, each with its kind, ordinal,
  number as written, path (第二章/第十二条), anchor, heading, text and offsets; notices without
  条 give their numbered parts (一、 and （一）) when clearly structured; a 目录 is skipped, a
  第N条 inside a sentence is a reference, not a heading; ``split_document`` chooses between the
  body and the attachment that holds the measure an issuing notice prints;
- ``refs``: pure — references 《title》第N条 and 本办法第N条 in any text, for links;
- ``compare``: pure — two versions of a text → articles added, removed, renumbered (same text,
  new number) and changed, with the changed characters marked;
- ``amend``: pure — an amendment decision (将第N条修改为, 增加一条作为第N条, 删去第N条, 第N条第M款中的
  “A”修改为“B”) applied to the articles it amends: the consolidated articles, or which
  instruction could not be applied and why;
- ``step``: the build step — the ``articles`` table, recomputed only where a document changed.

Only ``corpus.store`` is imported; the build, the search and the site use this package.
"""
