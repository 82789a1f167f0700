-- hangup: the conversation ended: the call gets its outcome (unless it has one) and the agent
-- goes to wrap_up for the line's wrap_up_seconds (ready at once when that is 0).
-- KEYS[1] events stream; ARGV[3] agent id, ARGV[4] call id
-- Returns 1, or 0 when the agent was not on this call.
local aid, cid = ARGV[3], ARGV[4]
local a = hgetall(K.agent(aid))
if a.state ~= 'on_call' or a.call ~= cid then return 0 end
local c = hgetall(K.call(cid))
if c.line then
  local talk = NOW - (tonumber(c.answered_at) or NOW)
  recent(c.line, c.site, 'h', talk)
  recent(c.line, c.site, 'k', 1)
  redis.call('HSET', K.call(cid), 'talk', fmt(talk))
  if c.kind == 'callback' then
    finish(cid, c, 'callback', {'callback_status', 'connected', 'talk', fmt(talk)})
  else
    finish(cid, c, 'answered', {'talk', fmt(talk)})
  end
end
local wrap = (c.line and wrap_of(c.line)) or 0
if wrap > 0 then
  redis.call('ZADD', K.wrapups(), fmt(NOW + wrap), aid)
  redis.call('HSET', K.agent(aid), 'wrap_until', fmt(NOW + wrap))
  set_state(aid, a, 'wrap_up', '', '')
else
  pools_add(aid, a, now_ms())
  set_state(aid, a, 'ready', '', '')
  match_agent(aid)
end
return 1
