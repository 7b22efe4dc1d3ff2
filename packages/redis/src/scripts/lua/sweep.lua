--[[
One sweep of a due set (compact indexed layout; one per shard on Redis Cluster, where the shard's
sessions share the due set's slot). Claims due sessions (only the instance whose script runs
first sees them), re-files ones touched meanwhile, deletes the expired ones with their index
entries and publishes `expired` with their data.

KEYS[1]  the due set
ARGV[1]  mode, ARGV[2] key prefix
ARGV[3]  now (epoch ms)
ARGV[4]  most entries to look at
ARGV[5]  events channel, or ''
ARGV[6]  grace ms

Returns {expiredCount, examinedCount}.
]]
--- @include "includes/mode"
--- @include "includes/numbers"
--- @include "includes/state"
--- @include "includes/records"
--- @include "includes/publish"
--- @include "includes/valid-id"

local due = KEYS[1]
local now = tonumber(ARGV[3])
local channel, grace = ARGV[5], tonumber(ARGV[6])
local ids = redis.call('ZRANGEBYSCORE', due, '-inf', now, 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[4]))
local expired = 0
for i = 1, #ids, 2 do
  local id = ids[i]
  local score = tonumber(ids[i + 1])
  if not valid_id(id) then
    -- Not an id we could have written: drop the entry, touch no key it names.
    redis.call('ZREM', due, id)
  else
    local key = session_key(id)
    -- Not a hash: bad data, dropped like a hash Redis already expired.
    local h = read_hash_dropping_bad_data(key)
    if #h == 0 then
      redis.call('ZREM', due, id)
      -- Gone before its grace ran out means deleted (that had its event); else Redis dropped it
      -- by TTL while nobody swept.
      if score + grace <= now then publish(channel, 'expired', id, {}); expired = expired + 1 end
    else
      local s = parse_hash(h)
      if not s.corrupt and not is_expired(s.last, s.iv, now) then
        if s.iv < 0 then redis.call('ZREM', due, id) else redis.call('ZADD', due, s.last + s.iv, id) end
      else
        redis.call('DEL', key)
        if MARKERS then redis.call('DEL', P .. 'x:' .. id) end
        unindex(decode_record(s.record), id)
        redis.call('ZREM', due, id)
        publish(channel, 'expired', id, h)
        expired = expired + 1
      end
    end
  end
end
return { expired, #ids / 2 }
