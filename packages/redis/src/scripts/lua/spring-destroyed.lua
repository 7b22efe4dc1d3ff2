--[[
What an instance does when it hears that a session's shadow key was deleted or expired (Spring's
indexed layout), as Spring Session does on every instance: removes the session from its principal
index and the expiration store, and returns the hash (still there for Spring's grace period) for
the event. Idempotent: every instance runs it.

KEYS[1]  the session hash
ARGV[1]  mode, ARGV[2] key prefix
ARGV[3]  session id

Returns the hash (empty when already gone).
]]
--- @include "includes/mode"
--- @include "includes/numbers"
--- @include "includes/state"
--- @include "includes/records"
--- @include "includes/spring"

local key, id = KEYS[1], ARGV[3]
local h = redis.pcall('HGETALL', key)
if h.err or #h == 0 then return {} end
local principal = spring_principal(key)
if principal then unindex({ [PRINCIPAL] = principal }, id) end
local s = parse_hash(h)
if ZSET_STORE then
  redis.call('ZREM', ZSET_KEY, '"' .. id .. '"', id)
elseif not s.corrupt and s.iv > 0 then
  redis.call('SREM', bucket_key(bucket_of(s.last + s.iv)), '"expires:' .. id .. '"', 'expires:' .. id)
end
return h
