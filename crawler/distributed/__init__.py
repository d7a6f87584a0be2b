"""A crawl spread over many processes and machines: scrapy-redis on a Redis server, one writer.

The pieces (docs/distributed.md tells the whole story):

- ``keys`` — every Redis key of a run, in one place; ``lease_seconds`` and the other knobs.
- ``codec`` — requests and items as bytes (pickle, with the spider as a persistent reference).
- ``scripts`` — the Lua scripts that make each step atomic: lease, commit, reap, limit.
- ``queue`` — ``LeasedQueue`` (requests leased, not popped) and the scheduler on scrapy-redis.
- ``spider`` — the distributed spiders: each callback's whole output committed in one step,
  with the column walk's state travelling in its list requests.
- ``limiter`` — per-host politeness over the whole cluster, and hosts blocked for everyone.
- ``run`` — what a run publishes for its workers (the sites, the settings, the memory).
- ``coordinator`` — ``normdocs crawl --redis``: seeds, waits, re-checks, finishes.
- ``worker`` — ``normdocs worker``: crawls whatever run is queued.
- ``writer`` — ``normdocs writer``: the only process that writes the SQLite library.
- ``status`` — ``normdocs status``: queue, leases, workers, hosts, the writer's backlog.
"""
