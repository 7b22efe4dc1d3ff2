-- The index record (compact layout): JSON { indexName: value } of the index sets a session is
-- filed under, so deletes and sweeps remove exactly those entries. The principal index is stored
-- under the name '' (no index can have that name) to keep logged-in hashes small. Only string
-- names and values are kept: anything else in a damaged field would fail key building halfway
-- through a script.
local function decode_record(text)
  if not text or text == '' then return {} end
  local ok, value = pcall(cjson.decode, text)
  local record = {}
  if ok and type(value) == 'table' then
    for k, v in pairs(value) do
      if type(k) == 'string' and type(v) == 'string' and v ~= '' then
        if k == '' then k = PRINCIPAL end
        record[k] = v
      end
    end
  end
  return record
end

local function encode_record(record)
  if next(record) == nil then return '' end
  local out = {}
  for k, v in pairs(record) do
    if k == PRINCIPAL then out[''] = v else out[k] = v end
  end
  return cjson.encode(out)
end

local function same_record(a, b)
  for k, v in pairs(a) do if b[k] ~= v then return false end end
  for k, v in pairs(b) do if a[k] ~= v then return false end end
  return true
end

-- Removes a session from the index sets `record` names (both member spellings in Spring's layout).
local function unindex(record, id)
  for name, value in pairs(record) do
    local key = index_key(name, value)
    redis.call('SREM', key, index_member(id))
    if SPRING then redis.call('SREM', key, id) end
  end
end

local function index(record, id)
  for name, value in pairs(record) do redis.call('SADD', index_key(name, value), index_member(id)) end
end
