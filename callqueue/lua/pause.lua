-- pause: ready / wrap_up / paused -> paused with a reason (checked against config by Python).
-- KEYS[1] events stream; ARGV[3] agent id, ARGV[4] reason id
-- Returns the agent's hash (flat HGETALL), or an error code: 'unknown_agent' | 'agent_busy'.
local aid = ARGV[3]
local a = hgetall(K.agent(aid))
if not a.state or a.state == 'logged_out' then return 'unknown_agent' end
if a.state == 'offered' or a.state == 'on_call' then return 'agent_busy' end
if a.state == 'ready' then pools_del(aid, a) end
redis.call('ZREM', K.wrapups(), aid)
set_state(aid, a, 'paused', ARGV[4], '')
return redis.call('HGETALL', K.agent(aid))
