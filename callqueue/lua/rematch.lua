-- rematch: waits grew, so escalation (more levels, general agents) and overflow (the
-- province pool) may now allow matches: every ready agent looks again, longest idle first.
-- KEYS[1] events stream; ARGV[3] batch limit
-- Returns how many offers were made.
local n = 0
if redis.call('SCARD', K.queues()) == 0 then return 0 end
for _, aid in ipairs(redis.call('ZRANGE', K.readyall(), 0, tonumber(ARGV[3]) - 1)) do
  if match_agent(aid) then n = n + 1 end
end
return n
