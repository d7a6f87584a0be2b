"""The Lua scripts that make each step of a distributed crawl atomic on the Redis server.

A script runs as one step: no other client sees half of it. Time is the Redis server's own
(``TIME``), so the machines of a cluster need not agree on the clock. Every script checks what
it needs before it writes anything, so an error can never leave half of one done.

``LEASE``   lease a worker the first request of a queue whose host can take one more (among the
            first few; else the first) until a deadline.
``COMMIT``  a request's whole outcome at once: new requests, page claims, stream items, the end
            of a column's walk, and the removal of its lease — or nothing, when the lease was
            lost (expired and handed to another worker): then that worker's outcome counts.
``REAP``    leases past their deadline go back to the queue, with their old priority.
``EXTEND``  a worker's heartbeat: the leases it still holds get a new deadline.
``ACQUIRE`` the cluster's per-host limiter: a token when fewer than ``limit`` requests are in
            flight to the host and ``delay`` has passed since the last start; tokens expire.
"""

from __future__ import annotations

from typing import Any

from redis import Redis

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: queue, leases, owner, payload, run, host, hosts, blocked.
# ARGV: worker, lease ms, run token ('' for any), window, host key prefix ('normdocs:host:').
# Looks at the first `window` ids in queue order (priority, then newest first) and leases the
# first whose host is free: fewer live tokens (`{prefix}{slot}:tokens`) than the limit its
# workers announced in `hosts` (a host not announced yet is free), its delay since the last
# start passed (`{prefix}{slot}:next`), its host:port not blocked. When none is, the head: a
# request is never starved, only passed over while its host could not start it anyway. (The
# host keys are not in KEYS: a standalone Redis server, not a Redis Cluster.)
# → {id, payload, where}: where = its place in the window (0: the head), -1 when no host in the
# window was free (the head); or nil (nothing queued, or the run is no longer the worker's: it
# was cleared away and maybe replaced by another one, whose requests a worker of the old run
# must not take)
LEASE = (
    _NOW
    + """
if ARGV[3] ~= '' and redis.call('HGET', KEYS[5], 'token') ~= ARGV[3] then return false end
local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[4]) - 1)
if #ids == 0 then return false end
local prefix = ARGV[5]
local function free(where)
  local slot, netloc = string.match(where, '^(.*) (%S*)$')
  if not slot then return true end
  if netloc ~= '' and redis.call('HEXISTS', KEYS[8], netloc) == 1 then return false end
  local limits = redis.call('HGET', KEYS[7], slot)
  if not limits then return true end
  local limit = tonumber(cjson.decode(limits)['limit'])
  if limit and redis.call('ZCOUNT', prefix .. slot .. ':tokens', '(' .. now, '+inf') >= limit then
    return false
  end
  local ready = redis.call('GET', prefix .. slot .. ':next')
  return not (ready and now < tonumber(ready))
end
local pick, place = ids[1], -1
local hosts = redis.call('HMGET', KEYS[6], unpack(ids))
local known = {}
for i, id in ipairs(ids) do
  local where = hosts[i]
  local ok = true
  if where then
    ok = known[where]
    if ok == nil then
      ok = free(where)
      known[where] = ok
    end
  end
  if ok then
    pick, place = id, i - 1
    break
  end
end
redis.call('ZREM', KEYS[1], pick)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), pick)
redis.call('HSET', KEYS[3], pick, ARGV[1])
return {pick, redis.call('HGET', KEYS[4], pick), place}
"""
)

# KEYS: queue, leases, payload, score, owner, sequence, pages, stream, walked, run, host.
# ARGV: lease id ('' for none), worker, run token ('' for any), then operations:
#   R score host payload push a request (host: "slot host:port", for LEASE)
#   X payload            append an item to the stream
#   W column payload     a column's list walk ended in this state
#   C url column n       claim a page for a column; the next n operations only if this claim won
# → 1 done, 0 the lease is no longer this worker's, or the run is no longer the one of the token
#   (nothing written)
COMMIT = """
local lease = ARGV[1]
if ARGV[3] ~= '' and redis.call('HGET', KEYS[10], 'token') ~= ARGV[3] then return 0 end
if lease ~= '' then
  if not redis.call('ZSCORE', KEYS[2], lease) then return 0 end
  if redis.call('HGET', KEYS[5], lease) ~= ARGV[2] then return 0 end
end
local i = 4
local skip = 0
while i <= #ARGV do
  local op = ARGV[i]
  local run = skip == 0
  if skip > 0 then skip = skip - 1 end
  if op == 'R' then
    if run then
      local n = redis.call('INCR', KEYS[6])
      -- ids sort newest first among requests of one priority: depth first, as Scrapy's queue
      local id = string.format('%015d', 1e15 - n)
      redis.call('HSET', KEYS[3], id, ARGV[i + 3])
      redis.call('HSET', KEYS[4], id, ARGV[i + 1])
      redis.call('HSET', KEYS[11], id, ARGV[i + 2])
      redis.call('ZADD', KEYS[1], ARGV[i + 1], id)
    end
    i = i + 4
  elseif op == 'X' then
    if run then redis.call('XADD', KEYS[8], '*', 'item', ARGV[i + 1]) end
    i = i + 2
  elseif op == 'W' then
    if run then redis.call('HSET', KEYS[9], ARGV[i + 1], ARGV[i + 2]) end
    i = i + 3
  else -- 'C'
    if redis.call('HSETNX', KEYS[7], ARGV[i + 1], ARGV[i + 2]) == 0 then
      skip = tonumber(ARGV[i + 3])
    end
    i = i + 4
  end
end
if lease ~= '' then
  redis.call('ZREM', KEYS[2], lease)
  redis.call('HDEL', KEYS[3], lease)
  redis.call('HDEL', KEYS[4], lease)
  redis.call('HDEL', KEYS[5], lease)
  redis.call('HDEL', KEYS[11], lease)
end
return 1
"""

# KEYS: queue, leases, score, owner, reaped. → how many leases went back to the queue (also
# added to the counter ``reaped``: a run whose leases all ended by commit reaped none)
REAP = (
    _NOW
    + """
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, id in ipairs(ids) do
  redis.call('ZADD', KEYS[1], redis.call('HGET', KEYS[3], id) or '0', id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[4], id)
end
if #ids > 0 then redis.call('INCRBY', KEYS[5], #ids) end
return #ids
"""
)

# KEYS: leases, owner. ARGV: worker, lease ms, ids… → how many were still this worker's
EXTEND = (
    _NOW
    + """
local n = 0
for i = 3, #ARGV do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[1] and redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[i])
    n = n + 1
  end
end
return n
"""
)

# KEYS: tokens, next, starts, blocked. ARGV: slot, token, limit, delay ms, token ttl ms, host,
# and how long to wait when the host is full (ms; 20 when not given: the asker backs off).
# (The limits are per download slot — a host name, as Scrapy keys its slots; a block is per
# host:port, as crawler.middlewares keys it.)
# → 0 acquired, -1 the host is blocked, else milliseconds to wait before asking again (the time
# left of the delay, or the wait asked for while the host is full)
ACQUIRE = (
    _NOW
    + """
if redis.call('HEXISTS', KEYS[4], ARGV[6]) == 1 then return -1 end
if redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf') >= tonumber(ARGV[3]) then
  return tonumber(ARGV[7] or '20')
end
local delay = tonumber(ARGV[4])
local ready = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < ready then return ready - now end
local ttl = tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[2])
redis.call('PEXPIRE', KEYS[1], ttl * 2)
if delay > 0 then redis.call('SET', KEYS[2], now + delay, 'PX', delay + 1000) end
redis.call('ZADD', KEYS[3], now, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 60000)
redis.call('PEXPIRE', KEYS[3], 120000)
return 0
"""
)


class Scripts:
    """The scripts registered on one Redis client (sent once, then called by their hash)."""

    def __init__(self, redis: Redis) -> None:
        self.lease = redis.register_script(LEASE)
        self.commit = redis.register_script(COMMIT)
        self.reap = redis.register_script(REAP)
        self.extend = redis.register_script(EXTEND)
        self.acquire = redis.register_script(ACQUIRE)


_scripts: dict[int, Scripts] = {}


def scripts(redis: Redis) -> Scripts:
    """The scripts of ``redis`` (registered on first use)."""
    found = _scripts.get(id(redis))
    if found is None:
        found = _scripts[id(redis)] = Scripts(redis)
    return found


def flat(ops: list[tuple[Any, ...]]) -> list[Any]:
    """Operations as the flat argument list ``COMMIT`` reads."""
    return [part for op in ops for part in op]
