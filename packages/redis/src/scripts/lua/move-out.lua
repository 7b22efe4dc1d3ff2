--[[
First half of an id change to another slot (compact layout, Redis Cluster): hides the session
under a temp key in its own slot, takes it out of the slot's due set and index sets, leaves the
id-change trail, and returns its hash. No reader ever sees half a session.

KEYS[1]  the session hash (old id)
ARGV[1]  mode, ARGV[2] key prefix (the old id's shard)
ARGV[3]  now (epoch ms)
ARGV[4]  old id
ARGV[5]  new id
ARGV[6]  lease ms of the temp key
ARGV[7]  id-change trail ms

Returns {'moved', hash} or {'deleted' | 'expired' | 'moved-before'} when there is nothing to move.
]]
--- @include "includes/mode"
--- @include "includes/numbers"
--- @include "includes/state"
--- @include "includes/records"

local now = tonumber(ARGV[3])
local old_id, new_id = ARGV[4], ARGV[5]
local key, temp = KEYS[1], P .. 'mv:' .. old_id
local st = state_of(key)
if st == nil or st.corrupt then
  if redis.call('EXISTS', trail_key(old_id)) == 1 then return { 'moved-before' } end
  return { 'deleted' }
end
if is_expired(st.last, st.iv, now) then return { 'expired' } end
redis.call('RENAME', key, temp)
redis.call('PEXPIRE', temp, tonumber(ARGV[6]))
if INDEXED then
  redis.call('ZREM', P .. 'due', old_id)
  if MARKERS then redis.call('DEL', P .. 'x:' .. old_id) end
  unindex(decode_record(st.record), old_id)
end
redis.call('SET', trail_key(old_id), new_id, 'PX', tonumber(ARGV[7]))
return { 'moved', redis.call('HGETALL', temp) }
