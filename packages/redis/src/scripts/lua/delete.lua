--[[
Delete. Compact layout: removes the hash with its due entry, marker and index entries, and
publishes `deleted` (or `expired` when it was already past due). Spring's indexed layout does what
Spring Session does: the index entries, the expiration-store entry and the shadow key go (the
shadow key's removal is the `deleted` event every instance hears), and the hash stays with
interval 0 for Spring's grace period, so every instance can still read it for its event.

KEYS[1]  the session hash
ARGV[1]  mode, ARGV[2] key prefix
ARGV[3]  now (epoch ms)
ARGV[4]  session id
ARGV[5]  events channel, or ''

Returns {1, hash} (deleted; the hash as it was), {0} (absent) or {2, newId}: absent because its
id changed moments ago (the id-change trail); the client deletes that id too.
]]
--- @include "includes/mode"
--- @include "includes/numbers"
--- @include "includes/state"
--- @include "includes/records"
--- @include "includes/spring"
--- @include "includes/publish"

local key = KEYS[1]
local now = tonumber(ARGV[3])
local id, channel = ARGV[4], ARGV[5]

-- Not a hash: bad data under the session's name, removed without an event.
local h = read_hash_dropping_bad_data(key)
if #h == 0 then
  -- Halfway through a move to another slot (Redis Cluster): the session hides under its temp key;
  -- deleting that makes the move's last step drop the copy it wrote.
  if not SPRING and redis.call('DEL', P .. 'mv:' .. id) == 1 then
    if INDEXED then
      redis.call('ZREM', P .. 'due', id)
      publish(channel, 'deleted', id, {})
    end
    return { 1, {} }
  end
  local moved_to = redis.call('GET', trail_key(id))
  if moved_to then return { 2, moved_to } end
  return { 0 }
end

local s = parse_hash(h)
if SPRING then
  if not INDEXED then
    redis.call('DEL', key)
    return { 1, h }
  end
  local principal = spring_principal(key)
  if principal then unindex({ [PRINCIPAL] = principal }, id) end
  local old_expires = nil
  if not s.corrupt and s.iv >= 0 then old_expires = s.last + s.iv end
  spring_unfile(id, old_expires)
  redis.call('HSET', key, F_IV, '0')
  redis.call('EXPIRE', key, GRACE_S)
  return { 1, h }
end

redis.call('DEL', key)
if INDEXED then
  redis.call('ZREM', P .. 'due', id)
  if MARKERS then redis.call('DEL', P .. 'x:' .. id) end
  unindex(decode_record(s.record), id)
  local kind = 'deleted'
  if not s.corrupt and is_expired(s.last, s.iv, now) then kind = 'expired' end
  publish(channel, kind, id, h)
end
return { 1, h }
