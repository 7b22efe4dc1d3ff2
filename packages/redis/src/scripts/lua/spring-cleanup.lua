--[[
Spring Session's expiry clean-up (Spring's indexed layout): touches the shadow keys of sessions
due by now, so Redis expires them and every instance, Java or Node, hears the `expired` keyspace
event. Minute buckets: takes the bucket of the minute that just ended (and the one before, in case
a run was missed) and deletes it, as Spring's scheduled job does; sorted set: the due entries.

KEYS[1]  a key in the namespace (routing)
ARGV[1]  mode, ARGV[2] key prefix
ARGV[3]  now (epoch ms)
ARGV[4]  most entries to touch

Returns how many shadow keys were found gone (expired by the touch or before).
]]
--- @include "includes/mode"
--- @include "includes/spring"
--- @include "includes/valid-id"

local now = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local gone = 0

local function touch(id)
  if redis.call('EXISTS', shadow_key(id)) == 0 then gone = gone + 1 end
end

if ZSET_STORE then
  local members = redis.call('ZRANGEBYSCORE', ZSET_KEY, 0, now, 'LIMIT', 0, limit)
  for _, member in ipairs(members) do
    local id = member_id(member)
    if id then touch(id) end
  end
  return gone
end

local minute = math.floor(now / 60000) * 60000
for _, bucket in ipairs({ minute - 60000, minute }) do
  local key = bucket_key(bucket)
  local members = redis.call('SMEMBERS', key)
  redis.call('DEL', key)
  for _, member in ipairs(members) do
    if string.sub(member, 1, 1) == '"' then member = string.sub(member, 2, -2) end
    if string.sub(member, 1, 8) == 'expires:' then
      local id = member_id(string.sub(member, 9))
      if id then touch(id) end
    end
  end
end
return gone
