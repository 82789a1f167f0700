-- resume: a FastAGI server picks up a waiting caller whose previous server crashed or was
-- stopped. The caller keeps its entry and its place; an offer still open is stale (its old
-- handler never dialled it, or the dial is over) and is taken back (the agent ready again,
-- no miss), and matching runs at once.
-- KEYS[1] events stream; ARGV[3] call id
-- Returns the 1-based position (1 when offered again at once), or 0 when the queue does not
-- hold the call as waiting (ended, on a call, a callback, or unknown).
local cid = ARGV[3]
local c = hgetall(K.call(cid))
if c.kind ~= 'call' then return 0 end
if c.state == 'orphaned' then
  unorphan(cid, c)
elseif c.state == 'waiting' then
  redis.call('ZADD', K.leases(), fmt(NOW + lease_of(c)), cid)
  emit('resumed', {'call_id', cid, 'line', c.line, 'site', c.site,
    'wait', fmt(NOW - tonumber(c.t0)), 'position', tostring(position(cid, c))})
elseif c.state == 'offered' then  -- nobody dials it now: the dialplan is running this script
  local freed = take_back(cid, c, true)
  emit('resumed', {'call_id', cid, 'line', c.line, 'site', c.site,
    'wait', fmt(NOW - tonumber(c.t0)), 'position', tostring(position(cid, c))})
  match_call(cid, c)
  if freed then match_agent(freed) end
else
  return 0
end
return math.max(1, position(cid, hgetall(K.call(cid))))
