-- ready: paused / wrap_up -> ready; the agent takes the best caller it may take at once.
-- KEYS[1] events stream; ARGV[3] agent id
-- Returns the agent's hash (flat HGETALL), or an error code: 'unknown_agent' | 'agent_busy'.
local aid = ARGV[3]
local a = hgetall(K.agent(aid))
if not a.state or a.state == 'logged_out' then return 'unknown_agent' end
if a.state == 'offered' or a.state == 'on_call' then return 'agent_busy' end
if a.state == 'ready' then return redis.call('HGETALL', K.agent(aid)) end
redis.call('ZREM', K.wrapups(), aid)
pools_add(aid, a, now_ms())
set_state(aid, a, 'ready', '', '')
match_agent(aid, a)
return redis.call('HGETALL', K.agent(aid))
