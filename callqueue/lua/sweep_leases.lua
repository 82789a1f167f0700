-- sweep_leases: waiting callers whose handler stopped refreshing the lease are removed and
-- recorded as lost_handler (an event and an outcome each, never silently).
-- KEYS[1] events stream; ARGV[3] batch limit
-- Returns how many entries were removed.
local n = 0
for _, cid in ipairs(redis.call('ZRANGEBYSCORE', K.leases(), '-inf', fmt(NOW), 'LIMIT', 0,
    tonumber(ARGV[3]))) do
  local c = hgetall(K.call(cid))
  if c.state == 'waiting' and c.kind == 'call' then
    emit('lost_handler', {'call_id', cid, 'line', c.line, 'site', c.site,
      'wait', fmt(NOW - tonumber(c.t0)), 'position', tostring(position(cid, c))})
    finish(cid, c, 'lost_handler', {})
    n = n + 1
  else
    redis.call('ZREM', K.leases(), cid)
  end
end
return n
