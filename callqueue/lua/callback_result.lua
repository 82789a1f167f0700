-- callback_result: telephony reports whether a placed callback reached the citizen.
-- KEYS[1] events stream; ARGV[3] call id, ARGV[4] '1' connected / '0' failed
-- Returns 'connected' | 'retry' | 'given_up' ('unknown' when not a callback).
local cid, ok = ARGV[3], ARGV[4] == '1'
local c = hgetall(K.call(cid))
if c.kind ~= 'callback' then return 'unknown' end
if c.state == 'done' then return c.cbres or 'given_up' end
if c.cbres == 'connected' then return 'connected' end
local aid = c.agent or ''
local a = aid ~= '' and hgetall(K.agent(aid)) or {}
local holds = a.call == cid and (a.state == 'offered' or a.state == 'on_call')
if ok then
  if not holds then return 'unknown' end
  if a.state == 'offered' then do_accept(cid, c, aid, a) end
  redis.call('HSET', K.call(cid), 'cbres', 'connected')
  count(c.line, c.site, 'cb_ok')
  emit('callback_result', {'call_id', cid, 'agent_id', aid, 'result', 'connected'})
  return 'connected'
end
local att = redis.call('HINCRBY', K.call(cid), 'att', 1)
if holds then
  redis.call('DEL', K.nagent(aid))
  redis.call('ZREM', K.offers(), cid)
  pools_add(aid, a, now_ms())
  set_state(aid, a, 'ready', '', '')
end
local result
if att >= C.cb_max then
  result = 'given_up'
  redis.call('HSET', K.call(cid), 'cbres', result)
  count(c.line, c.site, 'cb_fail')
  finish(cid, c, 'callback', {'callback_status', result, 'attempts', tostring(att)})
else
  result = 'retry'
  redis.call('HSET', K.call(cid), 'state', 'cb_delay', 'agent', '', 'deadline', '')
  redis.call('ZADD', K.cbdelay(), fmt(NOW + C.cb_retry), cid)
end
emit('callback_result', {'call_id', cid, 'agent_id', aid, 'result', result,
  'attempts', tostring(att)})
if holds then match_agent(aid) end
return result
