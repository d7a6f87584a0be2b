"""A whole list checked at once: titles and 文号 as people write them, matched to documents of
the library, each with its status as of a date (``match``, ``asof``), read from and written to
the files people keep lists in (``files``)."""
