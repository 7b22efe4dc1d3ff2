--[[
Undoes move-out.lua after the second half failed: the session returns under its old id with the
TTL, due entry and index entries its own fields call for, and the trail is removed.

KEYS[1]  the temp key
ARGV[1]  mode, ARGV[2] key prefix (the old id's shard)
ARGV[3]  now (epoch ms)
ARGV[4]  old id
ARGV[5]  grace ms

Returns 1 when restored, else 0.
]]
--- @include "includes/mode"
--- @include "includes/numbers"
--- @include "includes/state"
--- @include "includes/records"

local now = tonumber(ARGV[3])
local old_id = ARGV[4]
local temp, key = KEYS[1], session_key(ARGV[4])
redis.call('DEL', trail_key(old_id))
if redis.call('EXISTS', temp) == 0 or redis.call('EXISTS', key) == 1 then return 0 end
local st = state_of(temp)
redis.call('RENAME', temp, key)
if st == nil or st.corrupt then return 1 end
if st.iv < 0 then
  redis.call('PERSIST', key)
else
  local left = st.last + st.iv - now
  local ttl = math.floor(left + tonumber(ARGV[5]))
  if ttl <= 0 then
    redis.call('DEL', key)
    return 0
  end
  redis.call('PEXPIRE', key, ttl)
  if INDEXED then
    redis.call('ZADD', P .. 'due', st.last + st.iv, old_id)
    if MARKERS and left >= 1 then redis.call('SET', P .. 'x:' .. old_id, '', 'PX', math.floor(left)) end
  end
end
if INDEXED then index(decode_record(st.record), old_id) end
return 1
