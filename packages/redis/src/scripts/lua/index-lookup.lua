--[[
Index lookup in one round trip: the members of an index set with their sessions' hashes.

KEYS[1]  the index set
ARGV[1]  mode, ARGV[2] key prefix

Returns {member1, hash1, member2, hash2, …}. A member is an id, bare or JSON-quoted (Spring's
serializer); one that is not a well-formed id names no key we read and comes back with an empty
hash.
]]
--- @include "includes/mode"
--- @include "includes/valid-id"

local out = {}
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  out[#out + 1] = member
  local h = {}
  local id = member_id(member)
  if id then h = redis.pcall('HGETALL', session_key(id)) end
  -- Not a hash (WRONGTYPE) reads as no session.
  if h.err then h = {} end
  out[#out + 1] = h
end
return out
