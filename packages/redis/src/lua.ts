/**
 * The Lua scripts. Every session operation is one script, so it is atomic on the server and one
 * round trip on the wire. Times are the app's clock (epoch ms, passed in ARGV) so every instance
 * judges expiry the same way as `Session.isExpired`; Redis TTLs only collect garbage.
 *
 * On standalone Redis the scripts also maintain the index sets and the due-time set, whose key
 * names they build from prefixes. On Redis Cluster those keys live in other slots, so the
 * scripts touch only the session's own (hash-tagged) keys and return what the client needs to
 * update the rest.
 */

/**
 * Helpers the scripts share. Each script includes only the ones it uses: every helper defined
 * costs a little on every call, and these scripts run on every request.
 */
const HELPERS = {
  valid_id: `
-- core's id syntax (SESSION_ID_PATTERN): ids read back from Redis are checked before use.
local function valid_id(id)
  return type(id) == 'string' and #id >= 16 and #id <= 128 and string.find(id, '^[A-Za-z0-9_%-]+$') ~= nil
end`,
  fields: `
local F_CREATED = 'creationTime'
local F_LAST = 'lastAccessedTime'
local F_IVS = 'maxInactiveInterval'
local F_IVMS = 'maxInactiveIntervalMs'
local F_IDX = 'sessionIndexes'`,
  interval_of: `
-- The idle timeout in ms: the exact ms field when it still matches Spring's seconds field (a
-- Spring service that changed the interval wrote only seconds), else the seconds.
local function interval_of(secs, ms)
  local s = tonumber(secs)
  local m = tonumber(ms)
  if m ~= nil then
    local expected = -1
    if m >= 0 then expected = math.ceil(m / 1000) end
    if s == nil or s == expected then return m end
  end
  if s == nil then return nil end
  return s * 1000
end`,
  is_expired: `
local function is_expired(last, iv, now)
  return iv >= 0 and now - last >= iv
end`,
  parse_hash: `
-- Reads the fields that decide a flat HGETALL reply's fate.
local function parse_hash(h)
  local r = {}
  local secs, ms
  for i = 1, #h, 2 do
    local f = h[i]
    if f == F_CREATED then r.created = tonumber(h[i + 1])
    elseif f == F_LAST then r.last = tonumber(h[i + 1]); r.last_pos = i + 1
    elseif f == F_IVS then secs = h[i + 1]
    elseif f == F_IVMS then ms = h[i + 1]
    elseif f == F_IDX then r.record = h[i + 1]
    end
  end
  r.iv = interval_of(secs, ms)
  r.valid = r.created ~= nil and r.last ~= nil and r.iv ~= nil
  return r
end`,
  state_of: `
-- A stored session's state without reading attributes: nil when absent.
local function state_of(key)
  local v = redis.call('HMGET', key, F_CREATED, F_LAST, F_IVS, F_IVMS, F_IDX)
  if not v[1] and not v[2] and not v[3] and not v[4] and redis.call('EXISTS', key) == 0 then
    return nil
  end
  local r = { created = tonumber(v[1]), last = tonumber(v[2]), iv = interval_of(v[3], v[4]), record = v[5] }
  r.valid = r.created ~= nil and r.last ~= nil and r.iv ~= nil
  return r
end`,
  records: `
-- A record as stored, keeping only string names and values: anything else in a damaged field
-- would make key building fail halfway through a script that already wrote.
local function decode_record(text)
  if not text or text == '' then return {} end
  local ok, value = pcall(cjson.decode, text)
  local record = {}
  if ok and type(value) == 'table' then
    for k, v in pairs(value) do
      if type(k) == 'string' and type(v) == 'string' and v ~= '' then record[k] = v end
    end
  end
  return record
end

local function encode_record(record)
  if next(record) == nil then return '' end
  return cjson.encode(record)
end

local function same_record(a, b)
  for k, v in pairs(a) do if b[k] ~= v then return false end end
  for k, v in pairs(b) do if a[k] ~= v then return false end end
  return true
end

-- Removes the index entries of a record.
local function srem_record(prefix, record, id)
  for name, value in pairs(record) do redis.call('SREM', prefix .. name .. ':' .. value, id) end
end`,
  bulk: `
local function hset_all(key, flat)
  for i = 1, #flat, 200 do
    redis.call('HSET', key, unpack(flat, i, math.min(i + 199, #flat)))
  end
end

local function hdel_all(key, names)
  for i = 1, #names, 200 do
    redis.call('HDEL', key, unpack(names, i, math.min(i + 199, #names)))
  end
end`,
  publish: `
local function publish(channel, kind, id, h)
  if channel == '' then return end
  redis.call('PUBLISH', channel, cjson.encode({ t = kind, id = id, h = h }))
end`,
} as const;

type Helper = keyof typeof HELPERS;

/** A script body preceded by the helpers it names (in a fixed order, so dependencies come first). */
function script(helpers: readonly Helper[], body: string): string {
  const order = Object.keys(HELPERS) as Helper[];
  const included = order.filter((name) => helpers.includes(name)).map((name) => HELPERS[name]);
  return `${included.join('\n')}\n${body}`;
}

/**
 * Read with touch.
 * KEYS: session [, due] [, marker]. ARGV: now, touchThresholdMs, graceMs, id, hasDue, hasMarker.
 * Returns nil (absent), {2} (expired by its timestamps), {0, hash} (corrupt, untouched) or
 * {1, hash} with lastAccessedTime already refreshed.
 */
export const FIND_LUA = script(
  ['fields', 'interval_of', 'is_expired', 'parse_hash'],
  `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local threshold = tonumber(ARGV[2])
local grace = tonumber(ARGV[3])
local id = ARGV[4]
local ki = 2
local due, marker
if ARGV[5] == '1' then due = KEYS[ki]; ki = ki + 1 end
if ARGV[6] == '1' then marker = KEYS[ki] end
local h = redis.pcall('HGETALL', key)
-- Not a hash (WRONGTYPE): bad data, reported as corrupt so the client removes it.
if h.err then return { 0, {} } end
if #h == 0 then return nil end
local s = parse_hash(h)
if not s.valid then return { 0, h } end
if is_expired(s.last, s.iv, now) then return { 2 } end
if now > s.last and now - s.last >= threshold then
  redis.call('HSET', key, F_LAST, ARGV[1])
  h[s.last_pos] = ARGV[1]
  if s.iv >= 0 then
    redis.call('PEXPIRE', key, math.floor(s.iv + grace))
    if due then redis.call('ZADD', due, now + s.iv, id) end
    if marker then redis.call('SET', marker, '', 'PX', math.max(1, math.floor(s.iv))) end
  end
end
return { 1, h }
`,
);

/**
 * Save (create, delta update, id change by RENAME, or the second half of a cross-slot move).
 * KEYS: src, dst [, dueSrc, dueDst] [, markerSrc, markerDst].
 * ARGV: 1 now, 2 isNew, 3 creationTime, 4 lastAccessedTime or '', 5 interval ms or '',
 *   6 graceMs, 7 srcId, 8 dstId, 9 hasDue, 10 hasMarkers, 11 events channel or '',
 *   12 index prefix ('' = indexes kept by the client), 13 index delta JSON or '',
 *   14 seed pair count, then seed pairs, then set pair count, pairs, removed count, names.
 * Returns {0} (gone or expired, or new and already expired: nothing written), {-1} (dst id taken), or
 * {1, oldRecord, newRecord, dueAt} (records as JSON, '' when empty; dueAt '-1' for never).
 */
export const SAVE_LUA = script(
  ['fields', 'interval_of', 'is_expired', 'parse_hash', 'state_of', 'records', 'bulk', 'publish'],
  `
local src, dst = KEYS[1], KEYS[2]
local now = tonumber(ARGV[1])
local is_new = ARGV[2] == '1'
local grace = tonumber(ARGV[6])
local src_id, dst_id = ARGV[7], ARGV[8]
local ki = 3
local due_src, due_dst, m_src, m_dst
if ARGV[9] == '1' then due_src = KEYS[ki]; due_dst = KEYS[ki + 1]; ki = ki + 2 end
if ARGV[10] == '1' then m_src = KEYS[ki]; m_dst = KEYS[ki + 1] end
local channel, idx_prefix, idx_delta = ARGV[11], ARGV[12], ARGV[13]

local p = 14
local n_seed = tonumber(ARGV[p]); p = p + 1
local seed_first = p
p = p + 2 * n_seed
local n_set = tonumber(ARGV[p]); p = p + 1
local set_first = p
p = p + 2 * n_set
local n_del = tonumber(ARGV[p]); p = p + 1
local del_first = p

local st
if n_seed > 0 then
  -- Moving in from another slot: the seed is the whole stored hash.
  if redis.call('EXISTS', dst) == 1 then return { -1 } end
  local seed = {}
  for i = seed_first, seed_first + 2 * n_seed - 1 do seed[#seed + 1] = ARGV[i] end
  st = parse_hash(seed)
  if not st.valid then return { 0 } end
else
  st = state_of(src)
end

local fresh = false
if st == nil or not st.valid or is_expired(st.last, st.iv, now) then
  -- Deleted, expired or corrupt meanwhile: only a new session may be (re)created.
  if not is_new then return { 0 } end
  fresh = true
end
if src ~= dst and n_seed == 0 and redis.call('EXISTS', dst) == 1 then return { -1 } end
-- A new session whose id a live session of another creation time already has is an id collision:
-- merging would hand it that session's attributes. (The same new session saved twice matches.)
if is_new and not fresh and n_seed == 0 and st.created ~= tonumber(ARGV[3]) then return { -1 } end

local last = tonumber(ARGV[4])
local iv = tonumber(ARGV[5])
if not fresh then
  if last == nil then last = st.last end
  if iv == nil then iv = st.iv end
end
if last == nil or iv == nil then return redis.error_reply('session save needs lastAccessedTime and interval') end
-- A new session that is already expired is never stored. A stored one that this save makes
-- expired (interval 0, an old lastAccessedTime) takes the write with its due time in the past:
-- readers see no session at once, and the sweeper (or the TTL) removes it.
if fresh and is_expired(last, iv, now) then return { 0 } end

local old_record = {}
if not fresh then old_record = decode_record(st.record) end
local new_record = old_record
if idx_delta ~= '' then
  new_record = {}
  for k, v in pairs(old_record) do new_record[k] = v end
  for k, v in pairs(cjson.decode(idx_delta)) do
    if v == false then new_record[k] = nil else new_record[k] = v end
  end
end

local key = src
if n_seed > 0 then key = dst end
-- A leftover (corrupt or expired, not yet swept) is replaced, not merged.
if fresh and st ~= nil then redis.call('DEL', key) end

local flat, dels = {}, {}
if n_seed > 0 then
  for i = seed_first, seed_first + 2 * n_seed - 1 do flat[#flat + 1] = ARGV[i] end
end
if fresh then
  flat[#flat + 1] = F_CREATED; flat[#flat + 1] = ARGV[3]
end
if fresh or ARGV[4] ~= '' then
  flat[#flat + 1] = F_LAST; flat[#flat + 1] = ARGV[4]
end
if fresh or ARGV[5] ~= '' then
  local secs = iv < 0 and -1 or math.ceil(iv / 1000)
  flat[#flat + 1] = F_IVS; flat[#flat + 1] = string.format('%d', secs)
  if secs * 1000 ~= iv then
    flat[#flat + 1] = F_IVMS; flat[#flat + 1] = ARGV[5]
  else
    dels[#dels + 1] = F_IVMS
  end
end
for i = set_first, set_first + 2 * n_set - 1 do flat[#flat + 1] = ARGV[i] end
for i = del_first, del_first + n_del - 1 do dels[#dels + 1] = ARGV[i] end
local record_changed = not same_record(old_record, new_record)
if record_changed then
  local text = encode_record(new_record)
  if text == '' then dels[#dels + 1] = F_IDX else flat[#flat + 1] = F_IDX; flat[#flat + 1] = text end
end
if #flat > 0 then hset_all(key, flat) end
if #dels > 0 then hdel_all(key, dels) end
if key ~= dst then redis.call('RENAME', key, dst) end

local expires_at = last + iv
if iv < 0 then
  redis.call('PERSIST', dst)
else
  redis.call('PEXPIRE', dst, math.floor(expires_at + grace - now))
end
if m_src then
  if m_src ~= m_dst then redis.call('DEL', m_src) end
  if iv < 0 then redis.call('DEL', m_dst) else redis.call('SET', m_dst, '', 'PX', math.max(1, math.floor(expires_at - now))) end
end
if due_src then
  if src_id ~= dst_id then redis.call('ZREM', due_src, src_id) end
  if iv < 0 then redis.call('ZREM', due_dst, dst_id) else redis.call('ZADD', due_dst, expires_at, dst_id) end
end
if idx_prefix ~= '' then
  local moved = src_id ~= dst_id
  for name, value in pairs(old_record) do
    if moved or new_record[name] ~= value then redis.call('SREM', idx_prefix .. name .. ':' .. value, src_id) end
  end
  for name, value in pairs(new_record) do
    if moved or old_record[name] ~= value then redis.call('SADD', idx_prefix .. name .. ':' .. value, dst_id) end
  end
end
if fresh then publish(channel, 'created', dst_id, redis.call('HGETALL', dst)) end
local due_at = '-1'
if iv >= 0 then due_at = string.format('%d', math.floor(expires_at)) end
return { 1, encode_record(old_record), encode_record(new_record), due_at }
`,
);

/**
 * First half of a cross-slot id change (Redis Cluster): hides the session under a temp key in
 * its own slot and returns its hash, so no reader ever sees a half-moved session.
 * KEYS: src, tmp [, markerSrc]. ARGV: now, leaseMs. Returns nil (gone or expired) or the hash.
 */
export const MOVE_OUT_LUA = script(
  ['fields', 'interval_of', 'is_expired', 'state_of'],
  `
local now = tonumber(ARGV[1])
local st = state_of(KEYS[1])
if st == nil or not st.valid or is_expired(st.last, st.iv, now) then return nil end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]))
if KEYS[3] then redis.call('DEL', KEYS[3]) end
return redis.call('HGETALL', KEYS[2])
`,
);

/**
 * Undoes {@link MOVE_OUT_LUA} after a failed id change: the session goes back under its old key
 * with the TTL (and marker) its own fields call for, not the temp key's short lease.
 * KEYS: tmp, src [, markerSrc]. ARGV: now, graceMs. Returns 1 when restored, else 0.
 */
export const MOVE_BACK_LUA = script(
  ['fields', 'interval_of', 'state_of'],
  `
local tmp, key = KEYS[1], KEYS[2]
if redis.call('EXISTS', tmp) == 0 or redis.call('EXISTS', key) == 1 then return 0 end
local st = state_of(tmp)
redis.call('RENAME', tmp, key)
if st == nil or not st.valid then return 1 end
if st.iv < 0 then
  redis.call('PERSIST', key)
  return 1
end
local left = st.last + st.iv - tonumber(ARGV[1])
local ttl = math.floor(left + tonumber(ARGV[2]))
if ttl <= 0 then
  redis.call('DEL', key)
  return 0
end
redis.call('PEXPIRE', key, ttl)
if KEYS[3] and left >= 1 then redis.call('SET', KEYS[3], '', 'PX', math.floor(left)) end
return 1
`,
);

/**
 * Delete. KEYS: session [, due] [, marker] [, moving]. ARGV: now, id, channel, index prefix, hasDue,
 * hasMarker, hasMoving.
 * Publishes `deleted` (or `expired` when the session was already past due). Returns {0} when
 * absent, else {1, record}.
 */
export const DELETE_LUA = script(
  ['fields', 'interval_of', 'is_expired', 'parse_hash', 'records', 'publish'],
  `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local id, channel, idx_prefix = ARGV[2], ARGV[3], ARGV[4]
local ki = 2
local due, marker
if ARGV[5] == '1' then due = KEYS[ki]; ki = ki + 1 end
if ARGV[6] == '1' then marker = KEYS[ki]; ki = ki + 1 end
local h = redis.pcall('HGETALL', key)
if h.err then
  -- Not a hash: bad data under the session's name, removed without an event.
  redis.call('DEL', key)
  h = {}
end
if #h == 0 and ARGV[7] == '1' then
  -- Cluster: the session may be halfway through an id change, hidden under its temp key. Deleting
  -- that key makes the move's last step see the delete and drop the copy under the new id.
  key = KEYS[ki]
  h = redis.call('HGETALL', key)
end
if due then redis.call('ZREM', due, id) end
if marker then redis.call('DEL', marker) end
if #h == 0 then return { 0 } end
redis.call('DEL', key)
local s = parse_hash(h)
local record = decode_record(s.record)
if idx_prefix ~= '' then srem_record(idx_prefix, record, id) end
local kind = 'deleted'
if s.valid and is_expired(s.last, s.iv, now) then kind = 'expired' end
publish(channel, kind, id, h)
return { 1, encode_record(record) }
`,
);

/**
 * Removes a corrupt session and its index entries, without an event.
 * KEYS: session [, due] [, marker]. ARGV: id, index prefix, hasDue, hasMarker.
 */
export const PURGE_LUA = script(
  ['fields', 'records'],
  `
local id, idx_prefix = ARGV[1], ARGV[2]
local ki = 2
if ARGV[3] == '1' then redis.call('ZREM', KEYS[ki], id); ki = ki + 1 end
if ARGV[4] == '1' then redis.call('DEL', KEYS[ki]) end
local stored = redis.pcall('HGET', KEYS[1], F_IDX)
local record = {}
if type(stored) == 'string' then record = decode_record(stored) end
redis.call('DEL', KEYS[1])
if idx_prefix ~= '' then srem_record(idx_prefix, record, id) end
return encode_record(record)
`,
);

/**
 * One sweep over a due-time set on standalone Redis: claims due sessions (only the instance
 * whose script runs first sees them), re-files ones touched meanwhile, deletes the expired
 * ones, prunes their index entries and publishes \`expired\` with their data.
 * KEYS: due. ARGV: now, limit, key prefix, key suffix, marker prefix ('' = none), marker suffix,
 * index prefix, channel, graceMs. Returns {expiredCount, examinedCount}.
 */
export const SWEEP_LUA = script(
  ['valid_id', 'fields', 'interval_of', 'is_expired', 'parse_hash', 'records', 'publish'],
  `
local due = KEYS[1]
local now = tonumber(ARGV[1])
local prefix, suffix, m_prefix, m_suffix = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local idx_prefix, channel, grace = ARGV[7], ARGV[8], tonumber(ARGV[9])
local ids = redis.call('ZRANGEBYSCORE', due, '-inf', now, 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local expired = 0
for i = 1, #ids, 2 do
  local id = ids[i]
  local score = tonumber(ids[i + 1])
  local key = prefix .. id .. suffix
  local h = {}
  local ok = valid_id(id)
  if ok then
    h = redis.pcall('HGETALL', key)
    -- Not a hash: bad data, dropped like a hash Redis already expired.
    if h.err then
      redis.call('DEL', key)
      h = {}
    end
  end
  if not ok then
    -- Not an id we could have written: drop the entry, touch no key it names.
    redis.call('ZREM', due, id)
  elseif #h == 0 then
    redis.call('ZREM', due, id)
    -- Gone before its grace ran out means deleted (that already had its event); else Redis
    -- dropped it by TTL while nobody swept.
    if score + grace <= now then publish(channel, 'expired', id, {}); expired = expired + 1 end
  else
    local s = parse_hash(h)
    if s.valid and not is_expired(s.last, s.iv, now) then
      if s.iv < 0 then redis.call('ZREM', due, id) else redis.call('ZADD', due, s.last + s.iv, id) end
    else
      redis.call('DEL', key)
      if m_prefix ~= '' then redis.call('DEL', m_prefix .. id .. m_suffix) end
      if idx_prefix ~= '' then srem_record(idx_prefix, decode_record(s.record), id) end
      redis.call('ZREM', due, id)
      publish(channel, 'expired', id, h)
      expired = expired + 1
    end
  end
end
return { expired, #ids / 2 }
`,
);

/**
 * Cluster sweep, step 1 (on a due-set shard): claims due ids by moving their score a lease
 * ahead, so only this instance handles them unless it dies (then they come due again).
 * KEYS: shard. ARGV: now, limit, leaseMs. Returns {leaseScore, id1, score1, id2, score2, …}.
 */
export const CLAIM_LUA = `
local now = tonumber(ARGV[1])
local lease = now + tonumber(ARGV[3])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
for i = 1, #ids, 2 do redis.call('ZADD', KEYS[1], 'XX', lease, ids[i]) end
table.insert(ids, 1, string.format('%d', math.floor(lease)))
return ids
`;

/**
 * Cluster sweep, step 2 (on the session's slot): expires the session if it really is past due.
 * KEYS: session [, marker]. ARGV: now, id, channel, graceMs, original due score.
 * Returns {'gone'}, {'alive', expiresAt or '-1'} or {'expired', record}.
 */
export const EXPIRE_LUA = script(
  ['fields', 'interval_of', 'is_expired', 'parse_hash', 'records', 'publish'],
  `
local now = tonumber(ARGV[1])
local id, channel, grace, score = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local h = redis.pcall('HGETALL', KEYS[1])
if h.err then
  redis.call('DEL', KEYS[1])
  return { 'gone' }
end
if #h == 0 then
  if score + grace <= now then publish(channel, 'expired', id, {}) end
  return { 'gone' }
end
local s = parse_hash(h)
if s.valid and not is_expired(s.last, s.iv, now) then
  if s.iv < 0 then return { 'alive', '-1' } end
  return { 'alive', string.format('%d', math.floor(s.last + s.iv)) }
end
redis.call('DEL', KEYS[1])
if KEYS[2] then redis.call('DEL', KEYS[2]) end
publish(channel, 'expired', id, h)
return { 'expired', encode_record(decode_record(s.record)) }
`,
);

/**
 * Cluster sweep, step 3 (on the shard): files a live session's real due time, unless someone
 * refiled it since the claim. KEYS: shard. ARGV: id, leaseScore, new score ('' = remove).
 */
export const SETTLE_LUA = `
local current = redis.call('ZSCORE', KEYS[1], ARGV[1])
if current and tonumber(current) == tonumber(ARGV[2]) then
  if ARGV[3] == '' then redis.call('ZREM', KEYS[1], ARGV[1]) else redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1]) end
end
return 1
`;

/**
 * Index lookup on standalone Redis in one round trip: the ids of an index set with their hashes.
 * KEYS: index set. ARGV: key prefix, key suffix. Returns {id1, hash1, id2, hash2, …} (an empty
 * hash for a malformed id, which is never read).
 */
export const INDEX_LOOKUP_LUA = script(
  ['valid_id'],
  `
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  out[#out + 1] = id
  -- A malformed id names no key we read; the client prunes it with the empty reply.
  local h = {}
  if valid_id(id) then h = redis.pcall('HGETALL', ARGV[1] .. id .. ARGV[2]) end
  -- Not a hash (WRONGTYPE) reads as no session: the client prunes the id.
  if h.err then h = {} end
  out[#out + 1] = h
end
return out
`,
);

/**
 * Prunes ids from an index set on standalone Redis, re-checking each one at pruning time: the
 * client judged them from a lookup, and a save since then may have filed the session there
 * again. An id stays while its session's record files it under this set (under any name and
 * value that spell this key). A session without a record (Spring's) keeps the client's verdict.
 * KEYS: index set. ARGV: key prefix, key suffix, index prefix, ids…
 */
export const PRUNE_LUA = script(
  ['valid_id', 'fields', 'records'],
  `
local removed = 0
for i = 4, #ARGV do
  local id = ARGV[i]
  local keep = false
  if valid_id(id) then
    local text = redis.call('HGET', ARGV[1] .. id .. ARGV[2], F_IDX)
    for name, value in pairs(decode_record(text)) do
      if ARGV[3] .. name .. ':' .. value == KEYS[1] then keep = true end
    end
  end
  if not keep then removed = removed + redis.call('SREM', KEYS[1], id) end
end
return removed
`,
);
