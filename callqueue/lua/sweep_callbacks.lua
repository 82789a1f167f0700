-- sweep_callbacks: failed callbacks whose retry time came go back to their place.
-- KEYS[1] events stream; ARGV[3] batch limit
-- Returns how many callbacks were put back.
local n = 0
for _, cid in ipairs(redis.call('ZRANGEBYSCORE', K.cbdelay(), '-inf', fmt(NOW), 'LIMIT', 0,
    tonumber(ARGV[3]))) do
  local c = hgetall(K.call(cid))
  redis.call('ZREM', K.cbdelay(), cid)
  if c.state == 'cb_delay' then
    requeue(cid, c)
    emit('callback_retry', {'call_id', cid, 'line', c.line, 'site', c.site,
      'attempt', tostring(tonumber(c.att) + 1)})
    match_call(cid)
    n = n + 1
  end
end
return n
