--[[
Removes dead members from an index set, re-checking each at pruning time: the client judged them
from a lookup, and a save since then may have filed the session there again. A member is removed
only when proven dead: its session is gone or expired, or (compact layout) its index record no
longer files it under this set. A member that is not an id we can read is left alone.

KEYS[1]  the index set
ARGV[1]  mode, ARGV[2] key prefix
ARGV[3]  now (epoch ms)
ARGV[4…] members to check

Returns how many were removed.
]]
--- @include "includes/mode"
--- @include "includes/numbers"
--- @include "includes/state"
--- @include "includes/records"
--- @include "includes/valid-id"

local now = tonumber(ARGV[3])
local removed = 0
for i = 4, #ARGV do
  local member = ARGV[i]
  local id = member_id(member)
  if id then
    local s = state_of(session_key(id))
    local dead = s == nil or s.corrupt or is_expired(s.last, s.iv, now) or (SPRING and INDEXED and s.iv == 0)
    if not dead and not SPRING then
      dead = true
      for name, value in pairs(decode_record(s.record)) do
        if index_key(name, value) == KEYS[1] then dead = false end
      end
    end
    if dead then removed = removed + redis.call('SREM', KEYS[1], member) end
  end
end
return removed
