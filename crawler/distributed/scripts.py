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

# How a request's host ("slot host:port", the hash `host`) is split; a queue's requests are also
# queued per slot (`{queue}:{slot}`, the slots that have any in the set `slots`), for LEASE.
_SPLIT = """
local function split(where)
  if not where then return nil, nil end
  return string.match(where, '^(.*) (%S*)$')
end
"""

# KEYS: queue, leases, owner, payload, run, host, hosts, blocked, slots.
# ARGV: worker, lease ms, run token ('' for any), window, host key prefix ('normdocs:host:').
# Leases the first request in queue order (priority, then newest first) whose host is free:
# fewer live tokens (`{prefix}{slot}:tokens`) than the limit its workers announced in `hosts` (a
# host not announced yet is free), its delay since the last start passed (`{prefix}{slot}:next`),
# its host:port not blocked. It looks at the first `window` ids of the queue; when none of them
# is free, at the first request of each slot's own queue (one per host with requests queued).
# When no host is free, the head: a request is never starved, only passed over while its host
# could not start it anyway. (The host keys are not in KEYS: a standalone Redis server, not a
# Redis Cluster.)
# → {id, payload, where}: where = its place in the window (0: the head), -2 found beyond the
# window (by its host's queue), -1 no host was free (the head); or nil (nothing queued, or the
# run is no longer the worker's: it was cleared away and maybe replaced by another one, whose
# requests a worker of the old run must not take)
LEASE = (
    _NOW
    + _SPLIT
    + """
if ARGV[3] ~= '' and redis.call('HGET', KEYS[5], 'token') ~= ARGV[3] then return false end
local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[4]) - 1)
if #ids == 0 then return false end
local prefix = ARGV[5]
local slot_free, netloc_blocked = {}, {}
local function free(slot, netloc)
  if not slot then return true end
  if netloc ~= '' then
    local blocked = netloc_blocked[netloc]
    if blocked == nil then
      blocked = redis.call('HEXISTS', KEYS[8], netloc) == 1
      netloc_blocked[netloc] = blocked
    end
    if blocked then return false end
  end
  local ok = slot_free[slot]
  if ok ~= nil then return ok end
  ok = true
  local limits = redis.call('HGET', KEYS[7], slot)
  if limits then
    local limit = tonumber(cjson.decode(limits)['limit'])
    local live = redis.call('ZCOUNT', prefix .. slot .. ':tokens', '(' .. now, '+inf')
    local ready = redis.call('GET', prefix .. slot .. ':next')
    ok = not ((limit and live >= limit) or (ready and now < tonumber(ready)))
  end
  slot_free[slot] = ok
  return ok
end
local pick, place = ids[1], -1
local hosts = redis.call('HMGET', KEYS[6], unpack(ids))
local pick_slot = split(hosts[1])
for i, id in ipairs(ids) do
  local slot, netloc = split(hosts[i])
  if free(slot, netloc) then
    pick, place, pick_slot = id, i - 1, slot
    break
  end
end
if place == -1 and #ids == tonumber(ARGV[4]) then
  -- none free in the window: the first request of each free slot's queue, the best of them
  local best, best_score, best_slot
  for _, slot in ipairs(redis.call('SMEMBERS', KEYS[9])) do
    if slot_free[slot] ~= false and free(slot, '') then
      local head = redis.call('ZRANGE', KEYS[1] .. ':' .. slot, 0, 0, 'WITHSCORES')
      if #head > 0 then
        local score = tonumber(head[2])
        if not best or score < best_score or (score == best_score and head[1] < best) then
          local _, netloc = split(redis.call('HGET', KEYS[6], head[1]))
          if not free(slot, netloc or '') then score = nil end
          if score then best, best_score, best_slot = head[1], score, slot end
        end
      end
    end
  end
  if best then pick, place, pick_slot = best, -2, best_slot end
end
redis.call('ZREM', KEYS[1], pick)
if pick_slot then
  local own = KEYS[1] .. ':' .. pick_slot
  redis.call('ZREM', own, pick)
  if redis.call('ZCARD', own) == 0 then redis.call('SREM', KEYS[9], pick_slot) end
end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), pick)
redis.call('HSET', KEYS[3], pick, ARGV[1])
return {pick, redis.call('HGET', KEYS[4], pick), place}
"""
)

# KEYS: queue, leases, payload, score, owner, sequence, pages, stream, walked, run, host, slots.
# ARGV: lease id ('' for none), worker, run token ('' for any), then operations:
#   R score host payload push a request (host: "slot host:port", for LEASE)
#   X payload            append an item to the stream
#   W column payload     a column's list walk ended in this state
#   C url column n       claim a page for a column; the next n operations only if this claim won
# → 1 done, 0 the lease is no longer this worker's, or the run is no longer the one of the token
#   (nothing written)
COMMIT = (
    _SPLIT
    + """
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
      local slot = split(ARGV[i + 2])
      if slot then
        redis.call('ZADD', KEYS[1] .. ':' .. slot, ARGV[i + 1], id)
        redis.call('SADD', KEYS[12], slot)
      end
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
)

# KEYS: queue, leases, score, owner, reaped, host, slots. → how many leases went back to the
# queue (also added to the counter ``reaped``: a run whose leases all ended by commit reaped none)
REAP = (
    _NOW
    + _SPLIT
    + """
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, id in ipairs(ids) do
  local score = redis.call('HGET', KEYS[3], id) or '0'
  redis.call('ZADD', KEYS[1], score, id)
  local slot = split(redis.call('HGET', KEYS[6], id))
  if slot then
    redis.call('ZADD', KEYS[1] .. ':' .. slot, score, id)
    redis.call('SADD', KEYS[7], slot)
  end
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
