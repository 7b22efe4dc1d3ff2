--[[
Removes a corrupt session (a hash the client could not decode) with whatever it is filed under,
without an event: bad data is no session.

KEYS[1]  the session hash
ARGV[1]  mode, ARGV[2] key prefix
ARGV[3]  session id
]]
--- @include "includes/mode"
--- @include "includes/numbers"
--- @include "includes/records"
--- @include "includes/spring"

local key, id = KEYS[1], ARGV[3]
if INDEXED then
  if SPRING then
    local principal = spring_principal(key)
    if principal then unindex({ [PRINCIPAL] = principal }, id) end
    spring_unfile(id, nil)
  else
    local stored = redis.pcall('HGET', key, F_IDX)
    if type(stored) == 'string' then unindex(decode_record(stored), id) end
    redis.call('ZREM', P .. 'due', id)
    if MARKERS then redis.call('DEL', P .. 'x:' .. id) end
  end
end
redis.call('DEL', key)
return 1
