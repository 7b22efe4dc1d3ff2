--[[
Save: create a session, write a delta, change the id (RENAME within the slot), or receive a session
moved in from another slot. Validates everything before the first write, so a failing save leaves
nothing behind.

KEYS[1]  the session hash the save starts from (routing; every key used shares its slot)
ARGV[1]  mode, ARGV[2] key prefix (see includes/mode.lua)
ARGV[3]  now (epoch ms)
ARGV[4]  '1' for a new session, else ''
ARGV[5]  creationTime
ARGV[6]  lastAccessedTime, or '' when unchanged
ARGV[7]  interval ms, or '' when unchanged (negative: never expires)
ARGV[8]  grace ms (hash TTL beyond the due time)
ARGV[9]  source id (the id stored now)
ARGV[10] destination id (the id after this save)
ARGV[11] events channel, or '' (compact: ours; spring: Spring's created-channel prefix)
ARGV[12] index changes JSON { name: value | false }, or ''
ARGV[13] index values the saving copy loaded, JSON (Spring layout: it keeps no record), or ''
ARGV[14] id-change trail ms
ARGV[15] n seed pairs (a session moving in from another slot: its whole hash), then the pairs,
         then n set pairs and the pairs, then n removed fields and the names.

Returns {1} (written), {0, 'deleted' | 'expired' | 'moved'} (nothing written) or {-1} (the
destination id is taken: an id collision).
]]
--- @include "includes/mode"
--- @include "includes/numbers"
--- @include "includes/state"
--- @include "includes/records"
--- @include "includes/spring"
--- @include "includes/bulk"
--- @include "includes/publish"

local now = tonumber(ARGV[3])
local is_new = ARGV[4] == '1'
local grace = tonumber(ARGV[8])
local src_id, dst_id = ARGV[9], ARGV[10]
local channel, idx_delta, idx_loaded = ARGV[11], ARGV[12], ARGV[13]
local trail_ms = tonumber(ARGV[14])
local src, dst = session_key(src_id), session_key(dst_id)

local p = 15
local n_seed = tonumber(ARGV[p]); p = p + 1
local seed_first = p
p = p + 2 * n_seed
local n_set = tonumber(ARGV[p]); p = p + 1
local set_first = p
p = p + 2 * n_set
local n_del = tonumber(ARGV[p]); p = p + 1
local del_first = p

-- 1. What is stored now.
local st
if n_seed > 0 then
  if redis.call('EXISTS', dst) == 1 then return { -1 } end
  local seed = {}
  for i = seed_first, seed_first + 2 * n_seed - 1 do seed[#seed + 1] = ARGV[i] end
  st = parse_hash(seed)
else
  st = state_of(src)
end

local fresh = false
if st == nil or st.corrupt or is_expired(st.last, st.iv, now) or (SPRING and INDEXED and st.iv == 0) then
  -- Deleted, moved, expired or corrupt meanwhile: only a new session may be (re)created.
  if not is_new then
    if st == nil or st.corrupt then
      if redis.call('EXISTS', trail_key(src_id)) == 1 then return { 0, 'moved' } end
      return { 0, 'deleted' }
    end
    return { 0, 'expired' }
  end
  fresh = true
end
if src ~= dst and n_seed == 0 and redis.call('EXISTS', dst) == 1 then return { -1 } end
-- A new session whose id a live session of another creation time already has is an id collision:
-- merging would hand it that session's attributes. (The same new session saved twice matches.)
if is_new and not fresh and n_seed == 0 and st.created ~= tonumber(ARGV[5]) then return { -1 } end

-- 2. The new timing, checked before anything is written.
local last = finite(ARGV[6], MAX_TIME)
local iv = nil
if ARGV[7] ~= '' then
  iv = finite(ARGV[7], MAX_IV_MS)
  if iv == nil then return redis.error_reply('ERR session save: interval out of range') end
  if iv < 0 then iv = -1 end
end
if ARGV[6] ~= '' and last == nil then return redis.error_reply('ERR session save: lastAccessedTime out of range') end
if not fresh then
  if last == nil then last = st.last end
  if iv == nil then iv = st.iv end
end
if last == nil or iv == nil or finite(ARGV[5], MAX_TIME) == nil then
  return redis.error_reply('ERR session save: needs creationTime, lastAccessedTime and an interval')
end
-- Spring keeps whole seconds: a sub-second interval is rounded up, never down.
if SPRING and iv > 0 then iv = math.ceil(iv / 1000) * 1000 end
-- A new session that is already expired is never stored.
if fresh and is_expired(last, iv, now) then return { 0, 'expired' } end
local timing_changed = fresh or n_seed > 0 or src ~= dst or ARGV[6] ~= '' or ARGV[7] ~= ''

-- 3. Index values before and after (indexed repositories).
local old_record, new_record = {}, {}
if INDEXED then
  if SPRING then
    if not fresh and idx_loaded ~= '' then old_record = decode_record(idx_loaded) end
  elseif not fresh then
    old_record = decode_record(st.record)
  end
  new_record = old_record
  if idx_delta ~= '' then
    local ok, changes = pcall(cjson.decode, idx_delta)
    if not ok or type(changes) ~= 'table' then return redis.error_reply('ERR session save: malformed index changes') end
    new_record = {}
    for k, v in pairs(old_record) do new_record[k] = v end
    for k, v in pairs(changes) do
      if v == false then new_record[k] = nil elseif type(k) == 'string' and type(v) == 'string' and v ~= '' then new_record[k] = v end
    end
  end
end

-- 4. Writes.
local key = src
if n_seed > 0 then key = dst end
-- A leftover (corrupt or expired, not yet swept) is replaced, never merged.
if fresh and st ~= nil then redis.call('DEL', key) end

local flat, dels = {}, {}
if n_seed > 0 then
  for i = seed_first, seed_first + 2 * n_seed - 1 do flat[#flat + 1] = ARGV[i] end
end
if fresh then
  flat[#flat + 1] = F_CREATED; flat[#flat + 1] = ARGV[5]
end
if fresh or ARGV[6] ~= '' then
  flat[#flat + 1] = F_LAST; flat[#flat + 1] = string.format('%d', last)
end
if fresh or ARGV[7] ~= '' then
  flat[#flat + 1] = F_IV
  if iv < 0 then flat[#flat + 1] = '-1' else flat[#flat + 1] = string.format('%d', iv / IV_UNIT) end
end
for i = set_first, set_first + 2 * n_set - 1 do flat[#flat + 1] = ARGV[i] end
for i = del_first, del_first + n_del - 1 do dels[#dels + 1] = ARGV[i] end
if INDEXED and F_IDX and not same_record(old_record, new_record) then
  local text = encode_record(new_record)
  if text == '' then dels[#dels + 1] = F_IDX else flat[#flat + 1] = F_IDX; flat[#flat + 1] = text end
end
if #flat > 0 then hset_all(key, flat) end
if #dels > 0 and not fresh then hdel_all(key, dels) end
if key ~= dst then
  redis.call('RENAME', key, dst)
end
-- A session moved in from another slot left its trail there (move-out.lua).
if src_id ~= dst_id and not is_new and n_seed == 0 then
  redis.call('SET', trail_key(src_id), dst_id, 'PX', trail_ms)
end

local expires_at = last + iv
if timing_changed then
  if iv < 0 then
    redis.call('PERSIST', dst)
  else
    redis.call('PEXPIRE', dst, math.max(1, expires_at + grace - now))
  end
  if INDEXED then
    if SPRING then
      local old_expires = nil
      if not fresh and st.iv >= 0 then old_expires = st.last + st.iv end
      if src_id ~= dst_id and not fresh then spring_unfile(src_id, old_expires); old_expires = nil end
      spring_file(dst_id, iv, expires_at, old_expires)
    else
      if src_id ~= dst_id and not is_new then redis.call('ZREM', P .. 'due', src_id) end
      if iv < 0 then redis.call('ZREM', P .. 'due', dst_id) else redis.call('ZADD', P .. 'due', expires_at, dst_id) end
      if MARKERS then
        if src_id ~= dst_id then redis.call('DEL', P .. 'x:' .. src_id) end
        if iv < 0 then redis.call('DEL', P .. 'x:' .. dst_id) else redis.call('SET', P .. 'x:' .. dst_id, '', 'PX', math.max(1, expires_at - now)) end
      end
    end
  end
end

if INDEXED then
  local moved = src_id ~= dst_id and not is_new
  for name, value in pairs(old_record) do
    if moved or new_record[name] ~= value then
      local k = index_key(name, value)
      redis.call('SREM', k, index_member(src_id))
      if SPRING then redis.call('SREM', k, src_id) end
    end
  end
  for name, value in pairs(new_record) do
    if moved or old_record[name] ~= value then redis.call('SADD', index_key(name, value), index_member(dst_id)) end
  end
end

if fresh and channel ~= '' then
  if SPRING then
    -- Spring's created event: the new hash as a Java HashMap, on `<prefix><id>`.
    local parts = {}
    for i = 1, #flat, 2 do parts[#parts + 1] = cjson.encode(flat[i]) .. ':' .. flat[i + 1] end
    redis.call('PUBLISH', channel .. dst_id, '{"@class":"java.util.HashMap",' .. table.concat(parts, ',') .. '}')
  else
    publish(channel, 'created', dst_id, flat)
  end
end
return { 1 }
