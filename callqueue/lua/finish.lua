-- finish: the caller's call ended (answered, transferred, self-service, ...): record it once.
-- KEYS[1] events stream; ARGV[3] call id, ARGV[4] outcome
-- Returns 1 when this call recorded the outcome, 0 when it had one already or is unknown.
local cid, outcome = ARGV[3], ARGV[4]
local c = hgetall(K.call(cid))
if not c.state or c.state == 'done' then return 0 end
local freed = nil
if c.state == 'offered' then freed = withdraw(c.agent, cid) end
finish(cid, c, outcome, {})
if freed then match_agent(freed) end
return 1
