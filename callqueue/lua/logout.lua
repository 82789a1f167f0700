-- logout: any state but on_call -> logged_out; an open offer goes back to the queue
-- (the caller keeps its place; the agent is not charged a miss).
-- KEYS[1] events stream; ARGV[3] agent id
-- Returns the agent's hash (flat HGETALL), or an error code: 'unknown_agent' | 'agent_busy'.
local aid = ARGV[3]
local a = hgetall(K.agent(aid))
if not a.state then return 'unknown_agent' end
if a.state == 'logged_out' then return redis.call('HGETALL', K.agent(aid)) end
if a.state == 'on_call' then return 'agent_busy' end
local cid = nil
if a.state == 'offered' and a.call ~= '' then
  cid = a.call
  local c = hgetall(K.call(cid))
  if c.state == 'offered' and c.agent == aid then requeue(cid, c) else cid = nil end
end
if a.state == 'ready' then pools_del(aid, a) end
redis.call('ZREM', K.wrapups(), aid)
redis.call('SREM', K.agents(), aid)
redis.call('DEL', K.nagent(aid))
set_state(aid, a, 'logged_out', '', '')
if cid then match_call(cid) end
return redis.call('HGETALL', K.agent(aid))
