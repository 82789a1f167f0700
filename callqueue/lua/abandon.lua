-- abandon: the caller hung up while waiting (or orphaned) or while an agent was rung.
-- KEYS[1] events stream; ARGV[3] call id
-- Returns JSON {line, site, wait, position} or false when the call was not waiting/offered.
local cid = ARGV[3]
local c = hgetall(K.call(cid))
if c.kind ~= 'call' or (c.state ~= 'waiting' and c.state ~= 'offered' and c.state ~= 'orphaned') then
  return false
end
local pos = position(cid, c)
local freed = nil
if c.state == 'offered' then freed = withdraw(c.agent, cid) end
local wait = NOW - tonumber(c.t0)
emit('abandoned', {'call_id', cid, 'line', c.line, 'site', c.site, 'wait', fmt(wait),
  'position', tostring(pos)})
finish(cid, c, 'abandoned', {'position', tostring(pos)})
if freed then match_agent(freed) end
return cjson.encode({line = c.line, site = c.site, wait = wait, position = pos})
