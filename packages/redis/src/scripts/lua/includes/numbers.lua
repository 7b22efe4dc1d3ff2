-- Stored numbers are untrusted: 'inf', 'nan', '1e999' and junk read as missing, so the session
-- counts as corrupt (no session) instead of making a later command fail.
local MAX_TIME = 8640000000000000
local MAX_IV_MS = 2147483647000

local function finite(text, limit)
  local n = tonumber(text)
  if n == nil or n ~= n or n > limit or n < -limit then return nil end
  return n
end

-- The stored interval in ms (-1: never expires), or nil when unusable.
local function interval_ms(text)
  local n = finite(text, MAX_IV_MS / IV_UNIT)
  if n == nil then return nil end
  if n < 0 then return -1 end
  return n * IV_UNIT
end

local function is_expired(last, iv, now)
  return iv >= 0 and now - last >= iv
end
