-- sweep_leases: callers whose handler stopped refreshing the lease. A resumable call is
-- orphaned (out of matching, its place kept; an offer nobody dialled taken back without a
-- miss); any other is removed as lost_handler. Orphans whose resume grace is over are removed
-- as lost_handler too (an event and an outcome each, never silently).
-- KEYS[1] events stream; ARGV[3] batch limit
-- Returns how many entries were orphaned or removed.
local n, limit = 0, tonumber(ARGV[3])
local function lost(cid, c)
  emit('lost_handler', {'call_id', cid, 'line', c.line, 'site', c.site,
    'wait', fmt(NOW - tonumber(c.t0)), 'position', tostring(position(cid, c))})
  finish(cid, c, 'lost_handler', {})
  n = n + 1
end
-- Two passes: every lapsed caller leaves the wait sets first, and only then are the agents
-- freed from offers nobody dialled matched again (else one could ring for a lapsed caller
-- further down this very list). A full batch leaves that matching to the tick's rematch.
local lapsed = redis.call('ZRANGEBYSCORE', K.leases(), '-inf', fmt(NOW), 'LIMIT', 0, limit)
local undialled = {}
for _, cid in ipairs(lapsed) do
  local c = hgetall(K.call(cid))
  if c.state == 'waiting' and resumable(c) then
    orphan(cid, c)
    n = n + 1
  elseif c.state == 'waiting' and c.kind == 'call' then
    lost(cid, c)
  elseif c.state == 'offered' and resumable(c) and c.dialing ~= '1' then
    undialled[#undialled + 1] = {cid, c}
  else
    redis.call('ZREM', K.leases(), cid)
  end
end
for _, pair in ipairs(undialled) do
  local freed = take_back(pair[1], pair[2], false)
  if freed and #lapsed < limit then match_agent(freed) end
  n = n + 1
end
for _, cid in ipairs(redis.call('ZRANGEBYSCORE', K.orphans(), '-inf', fmt(NOW), 'LIMIT', 0,
    limit)) do
  local c = hgetall(K.call(cid))
  if c.state == 'orphaned' then lost(cid, c) else redis.call('ZREM', K.orphans(), cid) end
end
return n
