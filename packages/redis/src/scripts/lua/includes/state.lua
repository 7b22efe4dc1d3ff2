-- A stored session's timing without reading its attributes: nil when the key is absent,
-- { corrupt = true } for a key of another type or unusable fields.
local function state_of(key)
  local v = redis.pcall('HMGET', key, F_CREATED, F_LAST, F_IV, F_IDX or F_CREATED)
  if v.err then return { corrupt = true } end
  if not v[1] and not v[2] and not v[3] and redis.call('EXISTS', key) == 0 then return nil end
  local s = { created = finite(v[1], MAX_TIME), last = finite(v[2], MAX_TIME), iv = interval_ms(v[3]) }
  if F_IDX then s.record = v[4] end
  s.corrupt = s.created == nil or s.last == nil or s.iv == nil
  return s
end

-- The same from a flat HGETALL reply; also notes where lastAccessedTime sits, to update it.
local function parse_hash(h)
  local s = {}
  for i = 1, #h, 2 do
    local f = h[i]
    if f == F_CREATED then s.created = finite(h[i + 1], MAX_TIME)
    elseif f == F_LAST then s.last = finite(h[i + 1], MAX_TIME); s.last_pos = i + 1
    elseif f == F_IV then s.iv = interval_ms(h[i + 1])
    elseif f == F_IDX then s.record = h[i + 1]
    end
  end
  s.corrupt = s.created == nil or s.last == nil or s.iv == nil
  return s
end

-- A session's hash as a flat HGETALL reply. A key of another type is bad data under the
-- session's name: it is deleted (no event) and reads as no session, {}.
local function read_hash_dropping_bad_data(key)
  local h = redis.pcall('HGETALL', key)
  if h.err then
    redis.call('DEL', key)
    return {}
  end
  return h
end
