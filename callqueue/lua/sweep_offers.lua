-- sweep_offers: offers past their deadline count as a miss ('timeout'), except an offer of a
-- resumable call its handler never acknowledged: nobody dialled it, so it is taken back
-- (the agent ready again, no miss) and the call orphaned.
-- KEYS[1] events stream; ARGV[3] batch limit
-- Returns how many offers expired.
local n = 0
for _, cid in ipairs(redis.call('ZRANGEBYSCORE', K.offers(), '-inf', fmt(NOW), 'LIMIT', 0,
    tonumber(ARGV[3]))) do
  local c = hgetall(K.call(cid))
  local a = c.agent and hgetall(K.agent(c.agent)) or {}
  if c.state == 'offered' and a.state == 'offered' and a.call == cid then
    if resumable(c) and c.dialing ~= '1' then
      local freed = take_back(cid, c, false)
      if freed then match_agent(freed) end
    else
      do_miss(cid, c, c.agent, a, 'timeout')
    end
    n = n + 1
  else
    redis.call('ZREM', K.offers(), cid)
  end
end
return n
