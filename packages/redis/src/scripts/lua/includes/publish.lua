-- Publishes an event on the repository's own channel: every instance, this one included, hears it.
local function publish(channel, kind, id, h)
  if channel == '' then return end
  redis.call('PUBLISH', channel, cjson.encode({ t = kind, id = id, h = h }))
end
