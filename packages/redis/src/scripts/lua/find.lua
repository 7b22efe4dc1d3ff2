--[[
Read with touch: one round trip that reads a session and records the access.

KEYS[1]  the session hash
ARGV[1]  mode, ARGV[2] key prefix (see includes/mode.lua)
ARGV[3]  now (epoch ms)
ARGV[4]  session id
ARGV[5]  touch threshold ms: lastAccessedTime is rewritten only when at least this old
ARGV[6]  grace ms: how long the hash outlives its due time (indexed repositories)

Returns nil (absent), {2} (expired by its own timestamps), {0, hash} (corrupt: the client removes
it), or {1, hash} with lastAccessedTime already refreshed.
]]
--- @include "includes/mode"
--- @include "includes/numbers"
--- @include "includes/state"
--- @include "includes/spring"

local key = KEYS[1]
local now = tonumber(ARGV[3])
local id = ARGV[4]
local threshold = tonumber(ARGV[5])
local grace = tonumber(ARGV[6])

local h = redis.pcall('HGETALL', key)
-- Not a hash (WRONGTYPE): bad data, reported as corrupt so the client removes it.
if h.err then return { 0, {} } end
if #h == 0 then return nil end
local s = parse_hash(h)
if s.corrupt then return { 0, h } end
if is_expired(s.last, s.iv, now) then return { 2 } end
-- In Spring's indexed layout interval 0 marks a deleted session kept for its event.
if SPRING and INDEXED and s.iv == 0 then return { 2 } end

if now > s.last and now - s.last >= threshold then
  local stamp = string.format('%d', now)
  redis.call('HSET', key, F_LAST, stamp)
  h[s.last_pos] = stamp
  if s.iv >= 0 then
    redis.call('PEXPIRE', key, s.iv + grace)
    if INDEXED then
      if SPRING then
        spring_file(id, s.iv, now + s.iv, s.last + s.iv)
      else
        redis.call('ZADD', P .. 'due', now + s.iv, id)
        if MARKERS then redis.call('SET', P .. 'x:' .. id, '', 'PX', math.max(1, s.iv)) end
      end
    end
  end
end
return { 1, h }
