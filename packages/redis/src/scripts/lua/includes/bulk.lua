-- HSET/HDEL in slices: Lua's unpack has a limit on how many values it spreads.
local function hset_all(key, flat)
  for i = 1, #flat, 200 do
    redis.call('HSET', key, unpack(flat, i, math.min(i + 199, #flat)))
  end
end

local function hdel_all(key, names)
  for i = 1, #names, 200 do
    redis.call('HDEL', key, unpack(names, i, math.min(i + 199, #names)))
  end
end
