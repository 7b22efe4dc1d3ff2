-- The repository's mode and key prefix, the first two ARGV of every script.
--   ARGV[1] mode: 'c' (compact layout) or 's' (Spring Session's layout), then flags:
--     'i' indexed (compact: due set and index sets; spring: shadow keys, expiration store, index sets),
--     'm' expiry marker keys (compact, keyspace notifications), 'z' Spring's sorted-set expiration
--     store (else its minute buckets).
--   ARGV[2] key prefix: ioredis keyPrefix, namespace and, on Redis Cluster, the shard's hash tag.
local MODE = ARGV[1]
local P = ARGV[2]
local SPRING = string.sub(MODE, 1, 1) == 's'
local INDEXED = string.find(MODE, 'i', 2, true) ~= nil
local MARKERS = string.find(MODE, 'm', 2, true) ~= nil
local ZSET_STORE = string.find(MODE, 'z', 2, true) ~= nil

-- Hash fields. Spring's names and its interval in whole seconds; ours short, the interval in ms.
local F_CREATED, F_LAST, F_IV, F_IDX, IV_UNIT
if SPRING then
  F_CREATED, F_LAST, F_IV, F_IDX, IV_UNIT = 'creationTime', 'lastAccessedTime', 'maxInactiveInterval', nil, 1000
else
  F_CREATED, F_LAST, F_IV, F_IDX, IV_UNIT = 'c', 'l', 'i', 'x', 1
end

local PRINCIPAL = 'org.springframework.session.FindByIndexNameSessionRepository.PRINCIPAL_NAME_INDEX_NAME'

local function session_key(id)
  if SPRING then return P .. 'sessions:' .. id end
  return P .. 's:' .. id
end

-- Where a session's id change is remembered for a few seconds (the id-change trail).
local function trail_key(id)
  if SPRING then return P .. 'sessions:moved:' .. id end
  return P .. 'm:' .. id
end

local function index_key(name, value)
  if SPRING then return P .. 'index:' .. name .. ':' .. value end
  if name == PRINCIPAL then return P .. 'u:' .. value end
  -- The name's length keeps ('a:b', 'c') and ('a', 'b:c') apart.
  return P .. 'i:' .. #name .. ':' .. name .. ':' .. value
end

-- Index set members: Spring's JSON serializer writes ids as JSON strings; ours are bare.
local function index_member(id)
  if SPRING then return '"' .. id .. '"' end
  return id
end
