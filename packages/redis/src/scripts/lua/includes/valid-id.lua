-- core's id syntax (SESSION_ID_PATTERN): ids read back from Redis are checked before use.
local function valid_id(id)
  return type(id) == 'string' and #id >= 16 and #id <= 128 and string.find(id, '^[A-Za-z0-9_%-]+$') ~= nil
end

-- An index or store member as an id: bare, or a JSON string (Spring's serializer quotes them).
local function member_id(member)
  if type(member) ~= 'string' then return nil end
  if string.sub(member, 1, 1) == '"' and string.sub(member, -1) == '"' then member = string.sub(member, 2, -2) end
  if valid_id(member) then return member end
  return nil
end
