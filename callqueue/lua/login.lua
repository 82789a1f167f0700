-- login: an agent logs in (paused, no reason, until ready); a logged-in agent's site,
-- skills and dial target are updated in place.
-- KEYS[1] events stream; ARGV[3] agent id, ARGV[4] site, ARGV[5] skills 'line:level,...',
-- ARGV[6] dial target
-- Returns the agent's hash (flat HGETALL).
local aid = ARGV[3]
local ak = K.agent(aid)
local a = hgetall(ak)
if not a.state or a.state == 'logged_out' then
  redis.call('HSET', ak, 'site', ARGV[4], 'skills', ARGV[5], 'dial', ARGV[6], 'misses', 0,
    'idle', int(now_ms()))
  a.site, a.skills, a.dial = ARGV[4], ARGV[5], ARGV[6]
  redis.call('SADD', K.agents(), aid)
  set_state(aid, a, 'paused', '', '')
  return redis.call('HGETALL', K.agent(aid))
end
local ready = a.state == 'ready'
if ready then pools_del(aid, a) end
if WORKING[a.state] then
  for line in pairs(skills_of(a.skills)) do redis.call('SREM', K.staff(line, a.site), aid) end
  for line in pairs(skills_of(ARGV[5])) do redis.call('SADD', K.staff(line, ARGV[4]), aid) end
end
redis.call('HSET', ak, 'site', ARGV[4], 'skills', ARGV[5], 'dial', ARGV[6])
a.site, a.skills, a.dial = ARGV[4], ARGV[5], ARGV[6]
if ready then
  pools_add(aid, a, tonumber(a.idle) or now_ms())
  match_agent(aid)
end
return redis.call('HGETALL', K.agent(aid))
