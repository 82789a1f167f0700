-- accept: the agent took the offered caller: offered -> on_call, the call counts answered.
-- KEYS[1] events stream; ARGV[3] agent id, ARGV[4] call id
-- Returns 1, or 0 when this offer is no longer open.
local aid, cid = ARGV[3], ARGV[4]
local a, c = open_offer(aid, cid)
if not a then return 0 end
do_accept(cid, c, aid, a)
return 1
