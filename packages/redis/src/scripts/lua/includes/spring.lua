-- Spring Session's expiry bookkeeping for its indexed repository: the shadow key whose expiry
-- (a keyspace notification) is the `expired` event, the expiration store (minute buckets or its
-- sorted set), and the principal read back from the hash for index cleanup.
local function shadow_key(id) return P .. 'sessions:expires:' .. id end
local ZSET_KEY = P .. 'sessions:expirations'
local GRACE_S = 300

-- Spring's minute bucket of an expiry: the next whole minute.
local function bucket_of(expires_at)
  return math.floor(expires_at / 60000) * 60000 + 60000
end

local function bucket_key(minute)
  return P .. 'expirations:' .. string.format('%d', minute)
end

-- Files the session in the expiration store at `expires_at` (nil: never expires), leaving the
-- bucket of `old_expires_at` when it moves.
local function spring_file(id, iv, expires_at, old_expires_at)
  local shadow = shadow_key(id)
  if iv < 0 then
    redis.call('SET', shadow, '')
  else
    redis.call('SET', shadow, '', 'PX', math.max(1, iv))
  end
  if ZSET_STORE then
    redis.call('ZREM', ZSET_KEY, id)
    if iv < 0 then
      redis.call('ZREM', ZSET_KEY, '"' .. id .. '"')
    else
      redis.call('ZADD', ZSET_KEY, expires_at, '"' .. id .. '"')
    end
    return
  end
  local member = '"expires:' .. id .. '"'
  if old_expires_at then
    local old = bucket_key(bucket_of(old_expires_at))
    redis.call('SREM', old, member, 'expires:' .. id)
  end
  if iv >= 0 then
    local key = bucket_key(bucket_of(expires_at))
    redis.call('SADD', key, member)
    redis.call('EXPIRE', key, math.floor(iv / 1000) + GRACE_S)
  end
end

local function spring_unfile(id, old_expires_at)
  redis.call('DEL', shadow_key(id))
  if ZSET_STORE then
    redis.call('ZREM', ZSET_KEY, '"' .. id .. '"', id)
  elseif old_expires_at then
    redis.call('SREM', bucket_key(bucket_of(old_expires_at)), '"expires:' .. id .. '"', 'expires:' .. id)
  end
end

-- The principal name stored in the hash (a JSON string), or nil.
local function spring_principal(key)
  local text = redis.pcall('HGET', key, 'sessionAttr:' .. PRINCIPAL)
  if type(text) ~= 'string' or text == '' then return nil end
  local ok, value = pcall(cjson.decode, text)
  if ok and type(value) == 'string' and value ~= '' then return value end
  return nil
end
