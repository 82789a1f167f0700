-- sweep_wrapups: agents whose wrap-up timer ran out become ready and take a caller.
-- KEYS[1] events stream; ARGV[3] batch limit
-- Returns how many agents left wrap-up.
local n = 0
for _, aid in ipairs(redis.call('ZRANGEBYSCORE', K.wrapups(), '-inf', fmt(NOW), 'LIMIT', 0,
    tonumber(ARGV[3]))) do
  redis.call('ZREM', K.wrapups(), aid)
  local a = hgetall(K.agent(aid))
  if a.state == 'wrap_up' then
    pools_add(aid, a, now_ms())
    set_state(aid, a, 'ready', '', '')
    match_agent(aid)
    n = n + 1
  end
end
return n
